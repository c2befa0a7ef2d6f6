from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "kern.purchasing"
    label = "purchasing"
    verbose_name = _("Purchasing")

    def ready(self) -> None:
        from kern.core.events import subscribe
        from kern.core.numbering import register_scheme
        from kern.core.registry import register_demo_step, register_file_import
        from kern.inventory import events as inventory_events
        from kern.payments import events as payments_events
        from kern.purchasing import events, services

        register_scheme("purchasing.requisition", "PR-{year}-{seq:05d}")
        register_scheme("purchasing.rfq", "RFQ-{year}-{seq:05d}")
        register_scheme("purchasing.order", "PO-{year}-{seq:05d}")
        register_scheme("purchasing.bill", "BILL-{year}-{seq:05d}")
        register_scheme("purchasing.credit_note", "VCN-{year}-{seq:05d}")
        # per-company defaults in the company's own transaction
        subscribe("core.company_created", services.on_company_created)
        # what the warehouse received (or sent back) moves the orders along
        subscribe(inventory_events.RECEIPT_DONE, services.record_stock_moves)
        subscribe(inventory_events.RETURN_DONE, services.record_stock_moves)
        subscribe(inventory_events.OPERATION_CANCELLED, services.record_receipt_cancelled)
        # payments settle the bills
        subscribe(payments_events.OPEN_ITEM_SETTLED, services.record_bill_payment)
        register_file_import("ubl", _import_ubl)
        # documents leave the building only after commit
        subscribe(events.ORDER_SENT, services.mail_order, after_commit=True)
        subscribe(events.RFQ_SENT, services.mail_rfq, after_commit=True)
        register_demo_step("purchasing", _demo, order=85)
        from kern.purchasing.views import register_ui

        register_ui()


def _import_ubl(company, path, *, user=None, options=None, stdout=None) -> int:
    from kern.purchasing.importers import run_ubl_import

    return run_ubl_import(company, path, user=user, options=options, stdout=stdout)


def _demo(ctx, progress=None) -> None:
    from kern.purchasing.demo import load_purchasing

    load_purchasing(ctx, progress)
