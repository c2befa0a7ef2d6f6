"""Seed ISO 4217 currencies, create the role groups, and make the audit log append-only in the database."""

from django.db import migrations


def seed_currencies(apps, schema_editor):
    from kern.core.reference import seed_currencies as seed

    seed(schema_editor.connection.alias, apps.get_model("core", "Currency"))


def create_role_groups(apps, schema_editor):
    from kern.core.roles import ROLES

    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def guard_audit(apps, schema_editor):
    from kern.core.dbguard import install_guard

    install_guard(schema_editor, "core_auditevent", "audit events are append-only")


def unguard_audit(apps, schema_editor):
    from kern.core.dbguard import remove_guard

    remove_guard(schema_editor, "core_auditevent")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [
        migrations.RunPython(seed_currencies, migrations.RunPython.noop),
        migrations.RunPython(create_role_groups, migrations.RunPython.noop),
        migrations.RunPython(guard_audit, unguard_audit),
    ]
