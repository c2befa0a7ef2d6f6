from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "kern.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from kern.core.events import subscribe
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_benchmark, register_demo_step, register_export
        from kern.inventory.events import DELIVERY_DONE, RETURN_DONE
        from kern.payments.events import OPEN_ITEM_SETTLED
        from kern.sales.services import on_open_item_settled, on_stock_operation_done

        register_benchmark("o2c", _bench)
        register_demo_step("sales", _demo, order=80)
        register_export("ubl", _export_ubl)
        register_scheme("sales.quote", "Q-{year}-{seq:05d}")
        register_scheme("sales.order", "SO-{year}-{seq:05d}")
        register_scheme("sales.invoice", "INV-{year}-{seq:05d}")
        register_scheme("sales.credit_note", "CN-{year}-{seq:05d}")
        register_scheme("sales.return", "RMA-{year}-{seq:05d}")
        # In the transaction that moves the goods or settles the item, so documents never lag.
        subscribe(DELIVERY_DONE, on_stock_operation_done)
        subscribe(RETURN_DONE, on_stock_operation_done)
        subscribe(OPEN_ITEM_SETTLED, on_open_item_settled)
        from kern.sales.views import register_ui

        register_ui()


def _bench(argv: list[str]) -> int:
    from kern.sales.bench import run

    return run(argv)


def _export_ubl(argv: list[str], *, stdout, stderr) -> int:
    from kern.sales.management.exports import export_ubl

    return export_ubl(argv, stdout=stdout, stderr=stderr)


def _demo(ctx, progress) -> None:
    from kern.sales.demo import load_sales

    load_sales(ctx, progress)
