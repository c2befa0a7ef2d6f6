"""Drop two indexes nothing reads: the audit log's unique index on its hash and the outbox's on the
event name. Each audit row wrote a page at a random place of the hash index (a fifth of an O2C
order's page writes on SQLite). On SQLite dropping a column's UNIQUE rebuilds the table, which
drops its triggers: the append-only guard is installed again after."""

from django.db import migrations, models


def guard_audit(apps, schema_editor):
    from kern.core.dbguard import install_guard

    install_guard(schema_editor, "core_auditevent", "audit events are append-only")


class Migration(migrations.Migration):
    dependencies = [("core", "0003_comments_attachments")]

    operations = [
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.AlterField(model_name="outboxevent", name="name", field=models.CharField(max_length=80)),
        migrations.RunPython(guard_audit, migrations.RunPython.noop),
    ]
