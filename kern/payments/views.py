"""Pages of payments on the generic machinery of kern.core.ui: open items, payments, bank
journals and statements, payment runs and dunning letters, with their workflow buttons."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.payments import services
from kern.payments.models import (
    BankJournal,
    BankStatement,
    DunningLetter,
    OpenItem,
    Payment,
    PaymentRun,
    PaymentRunStatus,
    PaymentStatus,
    StatementLine,
)


class OpenItemPages(ui.Resource):
    model = OpenItem
    prefix = "open-items/"
    list_columns = [
        "number",
        "party",
        "kind",
        "document_date",
        "due_date",
        "currency",
        "amount",
        "residual",
        "status",
        "dunning_level",
        "payment_blocked",
    ]
    default_columns = ["number", "party", "kind", "due_date", "amount", "residual", "status"]
    search_fields = ["number", "reference", "party__name"]
    filters = ["kind", "status", "party", "due_date", "payment_blocked"]
    detail_fields = [
        (_("Document"), ["number", "reference", "party", "kind", "source_type", "document_date", "due_date"]),
        (
            _("Amounts"),
            [
                "currency",
                "amount",
                "residual",
                "amount_company",
                "residual_company",
                "discount_date",
                "discount_amount",
            ],
        ),
        (_("Status"), ["status", "payment_blocked", "block_reason", "dunning_level", "last_dunned_on"]),
    ]
    tabs = [
        ui.Tab(
            "allocations",
            _("Settled by"),
            rows="allocations",
            columns=[
                "date",
                "payment",
                "counterpart",
                "amount",
                "discount",
                "exchange_difference",
                "is_reversed",
            ],
        )
    ]


class PaymentPages(ui.Resource):
    model = Payment
    prefix = "payments/"
    list_columns = [
        "number",
        "date",
        "direction",
        "party",
        "amount",
        "currency",
        "unallocated",
        "status",
        "is_reconciled",
    ]
    search_fields = ["number", "reference", "party__name"]
    filters = ["direction", "status", "is_reconciled", "party", "date"]
    detail_fields = [
        (
            _("Payment"),
            ["number", "direction", "party", "date", "reference", "memo", "bank_journal", "payment_run"],
        ),
        (_("Amounts"), ["amount", "currency", "amount_company", "unallocated"]),
        (_("Status"), ["status", "is_reconciled", "reversed_on"]),
    ]
    tabs = [
        ui.Tab(
            "allocations",
            _("Allocations"),
            rows="allocations",
            columns=["open_item", "date", "amount", "discount", "exchange_difference", "is_reversed"],
        )
    ]
    actions = [
        ui.Action(
            "reverse",
            _("Reverse"),
            services.reverse_payment,
            to=PaymentStatus.REVERSED,
            style="danger",
            confirm=_("Reverse this payment? The documents it settled are open again."),
            success=_("The payment was reversed."),
        ),
    ]


class BankJournalPages(ui.Resource):
    model = BankJournal
    prefix = "bank-journals/"
    list_columns = ["name", "iban", "bic", "currency", "journal", "account", "is_default", "is_active"]
    search_fields = ["name", "iban"]
    form_fields = ["name", "iban", "bic", "currency", "journal", "account", "is_default"]
    create_service = staticmethod(services.create_bank_journal)
    attachments = False

    def service_data(self, request, form, obj=None):
        data = dict(form.cleaned_data)
        data["currency"] = getattr(data.get("currency"), "code", "EUR")
        return data


class StatementPages(ui.Resource):
    model = BankStatement
    prefix = "statements/"
    list_columns = [
        "reference",
        "date",
        "bank_journal",
        "iban",
        "opening_balance",
        "closing_balance",
        "format",
        "filename",
    ]
    search_fields = ["reference", "filename"]
    filters = ["bank_journal", "date", "format"]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows="lines",
            columns=[
                "sequence",
                "booking_date",
                "amount",
                "counterparty_name",
                "remittance",
                "status",
                "party",
                "payment",
                "match_note",
            ],
            limit=1000,
        )
    ]


class StatementLinePages(ui.Resource):
    model = StatementLine
    prefix = "reconcile/"
    title = _("Bank reconciliation")
    list_columns = [
        "booking_date",
        "amount",
        "counterparty_name",
        "counterparty_iban",
        "remittance",
        "status",
        "party",
        "payment",
        "match_note",
    ]
    search_fields = ["counterparty_name", "remittance", "counterparty_iban", "structured_reference"]
    filters = ["status", "booking_date"]
    actions = [
        ui.Action(
            "ignore",
            _("Ignore"),
            services.ignore_line,
            style="outline-secondary",
            condition=lambda line: line.status == "unmatched",
            success=_("The line is ignored."),
        ),
    ]


class PaymentRunPages(ui.Resource):
    model = PaymentRun
    prefix = "runs/"
    list_columns = [
        "number",
        "execution_date",
        "due_until",
        "bank_journal",
        "total",
        "required_approvals",
        "status",
    ]
    search_fields = ["number"]
    filters = ["status", "execution_date"]
    tabs = [
        ui.Tab(
            "lines",
            _("Bills"),
            rows="lines",
            columns=["party", "open_item", "amount", "discount", "iban", "status", "error", "payment"],
            limit=1000,
        )
    ]
    actions = [
        ui.Action(
            "approve",
            _("Approve"),
            lambda run, by: services.approve_payment_run(run, by=by),
            permission="payments.approve_paymentrun",
            condition=lambda run: run.status == PaymentRunStatus.DRAFT,
            success=_("Your approval is recorded."),
        ),
        ui.Action(
            "export",
            _("Book and export SEPA file"),
            services.export_payment_run,
            to=PaymentRunStatus.EXPORTED,
            success=_("The payments are booked; download the file via the API."),
        ),
        ui.Action(
            "cancel", _("Cancel"), services.cancel_payment_run, to=PaymentRunStatus.CANCELLED, style="danger"
        ),
    ]


class DunningLetterPages(ui.Resource):
    model = DunningLetter
    prefix = "dunning-letters/"
    list_columns = ["number", "date", "party", "level", "overdue_total", "fee", "currency"]
    search_fields = ["number", "party__name"]
    filters = ["level", "date"]
    tabs = [
        ui.Tab(
            "lines", _("Invoices"), rows="lines", columns=["open_item", "days_overdue", "level", "residual"]
        )
    ]


OPEN_ITEMS = OpenItemPages()
PAYMENTS = PaymentPages()
BANK_JOURNALS = BankJournalPages()
STATEMENTS = StatementPages()
LINES = StatementLinePages()
RUNS = PaymentRunPages()
LETTERS = DunningLetterPages()


def register_ui() -> None:
    """Menu entries of payments (called from PaymentsConfig.ready)."""
    area = "accounting"
    ui.register_nav(
        area, _("Open items"), "payments:openitem_list", permission="payments.view_openitem", order=60
    )
    ui.register_nav(
        area, _("Payments"), "payments:payment_list", permission="payments.view_payment", order=61
    )
    ui.register_nav(
        area,
        _("Bank statements"),
        "payments:bankstatement_list",
        permission="payments.view_bankstatement",
        order=62,
    )
    ui.register_nav(
        area,
        _("Bank reconciliation"),
        "payments:statementline_list",
        permission="payments.view_statementline",
        order=63,
        query="status=unmatched",
    )
    ui.register_nav(
        area, _("Payment runs"), "payments:paymentrun_list", permission="payments.view_paymentrun", order=64
    )
    ui.register_nav(
        "purchasing",
        _("Payment runs"),
        "payments:paymentrun_list",
        permission="payments.view_paymentrun",
        order=80,
    )
    ui.register_nav(
        area,
        _("Dunning letters"),
        "payments:dunningletter_list",
        permission="payments.view_dunningletter",
        order=65,
    )
    ui.register_nav(
        "settings",
        _("Bank journals"),
        "payments:bankjournal_list",
        permission="payments.view_bankjournal",
        order=60,
    )
