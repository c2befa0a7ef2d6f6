"""Database triggers that refuse changes to posted entries and to journal lines.

Lines: every UPDATE and DELETE is refused (lines exist only for posted entries).
Entries: UPDATE and DELETE are refused once the entry is no longer a draft, with one exception:
posted -> reversed, when nothing but the status changes (reverse_entry marks the original).
The column list below must name every column of ledger_journalentry except `status`; a
migration that adds a column to the table must recreate this trigger with it.
"""

from django.db import migrations

from kern.core.dbguard import install_guard, remove_guard

LINE_MESSAGE = "posted journal lines cannot be changed or deleted: reverse the entry"
ENTRY_MESSAGE = "a posted journal entry cannot be changed or deleted: reverse it instead"
ENTRY_COLUMNS = (
    "id",
    "company_id",
    "journal_id",
    "number",
    "date",
    "period_id",
    "kind",
    "memo",
    "source_type",
    "source_id",
    "source_number",
    "reversal_of_id",
    "total",
    "chain_seq",
    "prev_hash",
    "hash",
    "posted_at",
    "posted_by_id",
    "created_at",
    "created_by_id",
)


def _update_condition(vendor):
    same = " IS NOT DISTINCT FROM " if vendor == "postgresql" else " IS "
    unchanged = " AND ".join(f"NEW.{c}{same}OLD.{c}" for c in ENTRY_COLUMNS)
    return (
        f"OLD.status <> 'draft' AND NOT (OLD.status = 'posted' AND NEW.status = 'reversed' AND {unchanged})"
    )


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    install_guard(schema_editor, "ledger_journalline", LINE_MESSAGE)
    install_guard(schema_editor, "ledger_journalentry", ENTRY_MESSAGE, when="OLD.status <> 'draft'")
    # Replace the UPDATE trigger with one that lets a posted entry become reversed, nothing else.
    condition = _update_condition(vendor)
    if vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS ledger_journalentry_refuse_update")
        schema_editor.execute(
            "CREATE TRIGGER ledger_journalentry_refuse_update BEFORE UPDATE ON ledger_journalentry "
            f"FOR EACH ROW WHEN ({condition}) AND kern_guard_off() = 0 "
            f"BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS ledger_journalentry_refuse_update ON ledger_journalentry"
        )
        schema_editor.execute(
            "CREATE TRIGGER ledger_journalentry_refuse_update BEFORE UPDATE ON ledger_journalentry "
            f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION kern_refuse_write('{ENTRY_MESSAGE}')"
        )


def uninstall(apps, schema_editor):
    remove_guard(schema_editor, "ledger_journalline")
    remove_guard(schema_editor, "ledger_journalentry")


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
