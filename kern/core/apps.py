from __future__ import annotations

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles_after_migrate(sender: AppConfig, using: str = "default", **kwargs: object) -> None:
    # Permissions are created per app after its migrations; sync once the last app is done.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender.name == with_models[-1].name:
        from kern.core.registry import REFERENCE_DATA
        from kern.core.roles import sync_roles

        for seed in REFERENCE_DATA:
            seed(using)
        sync_roles(using=using)


class CoreConfig(AppConfig):
    name = "kern.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from kern.core import audit, dbguard, events  # noqa: F401 -- dbguard: the SQLite guard; events: the flush
        from kern.core.demo import load_core
        from kern.core.reference import seed_currencies
        from kern.core.registry import register_demo_step, register_reference_data

        audit.connect()
        register_reference_data(seed_currencies)
        register_demo_step("core", load_core, order=10)
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="kern-sync-roles")
        from kern.core.views import register_ui

        register_ui()
