from __future__ import annotations

import gc

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
        _cache_long_statements()
        register_reference_data(seed_currencies)
        register_demo_step("core", load_core, order=10)
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="kern-sync-roles")
        from kern.core.views import register_ui

        register_ui()
        # The modules, classes and functions loaded by now live as long as the process: moved
        # out of the cyclic garbage collector's generations, a full collection no longer walks
        # them again (~60 ms each, 1.4 % of an O2C run). Python's advice for long-lived servers.
        gc.freeze()


def _cache_long_statements() -> None:
    """Let psycopg keep the converted form of our long statements too.

    psycopg turns each query's `%s` placeholders into PostgreSQL's with a regular expression and
    remembers the result (an LRU of 128) only for queries under 4 KiB with at most 50 parameters.
    The multi-row inserts of the hot paths (an order's audit rows, journal lines, sales lines)
    are longer, so they were re-parsed on every execute: ~15 % of an O2C order's CPU on
    PostgreSQL. The limits are module constants read at each call; raising them keeps the same
    conversion, only cached. (Departure: a library's internal constant; see docs/design.md.)
    """
    try:
        from psycopg import _queries
    except ImportError:  # SQLite-only installs
        return
    _queries.MAX_CACHED_STATEMENT_LENGTH = max(_queries.MAX_CACHED_STATEMENT_LENGTH, 200_000)
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(_queries.MAX_CACHED_STATEMENT_PARAMS, 10_000)
