from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "kern.ledger"
    label = "ledger"
    verbose_name = _("Ledger")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from kern.core.events import subscribe
        from kern.core.imports import register_importer
        from kern.core.registry import (
            register_benchmark,
            register_demo_step,
            register_export,
            register_file_import,
        )
        from kern.ledger.demo import load_ledger
        from kern.ledger.selectors.chain import register_sqlite_functions
        from kern.ledger.services.imports import ACCOUNT_IMPORTER, run_opening_balance_import
        from kern.ledger.services.setup import on_company_created
        from kern.ledger.xaf import run_export

        # SQLite computes the entry hash chain through this function (PostgreSQL natively).
        connection_created.connect(register_sqlite_functions, dispatch_uid="kern-ledger-sqlite")
        subscribe("core.company_created", on_company_created)
        register_benchmark("ledger", _bench)
        register_export("xaf", run_export)
        register_demo_step("ledger", load_ledger, order=40)
        register_importer(ACCOUNT_IMPORTER)
        register_file_import("opening-balance", run_opening_balance_import)
        from kern.ledger.views import register_ui

        register_ui()


def _bench(argv: list[str]) -> int:
    from kern.ledger.bench import run

    return run(argv)
