"""The account drill-down sums a month of one account's lines for its running balance: the
(account, date, id) index now carries debit and credit too, so that sum is an index-only scan on
PostgreSQL and a covering-index scan on SQLite."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_lean_entry_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="journalline", name="line_account_date_idx"),
        migrations.AddIndex(
            model_name="journalline",
            index=models.Index(
                fields=["account", "date", "id", "debit", "credit"], name="line_account_date_amounts_idx"
            ),
        ),
    ]
