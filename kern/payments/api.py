"""Payments API: open items, payments, bank journals and statements with reconciliation, payment
runs (approve, export pain.001), dunning, ageing and party statements."""

import datetime as dt
import json
from decimal import Decimal
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.core.exceptions import ValidationFailed
from kern.parties.models import Party
from kern.payments import selectors, services
from kern.payments.documents import dunning_letter_pdf, party_statement_pdf
from kern.payments.models import (
    Allocation,
    BankJournal,
    BankStatement,
    DunningLetter,
    DunningLevel,
    OpenItem,
    Payment,
    PaymentRun,
    PaymentRunLine,
    StatementLine,
)

router = Router(tags=["payments"])

MAX_UPLOAD = 10 * 1024 * 1024


class AllocationIn(Schema):
    open_item_id: int
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)
    discount: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)


class AllocationOut(Schema):
    id: int
    open_item_id: int
    payment_id: int | None
    counterpart_id: int | None
    date: dt.date
    amount: Decimal
    discount: Decimal
    amount_company: Decimal
    exchange_difference: Decimal
    is_reversed: bool


class OpenItemOut(Schema):
    id: int
    kind: str
    party_id: int
    source_type: str
    source_id: int | None
    number: str
    reference: str
    document_date: dt.date
    due_date: dt.date
    discount_date: dt.date | None
    discount_amount: Decimal
    currency: str = Field(alias="currency_id")
    amount: Decimal
    amount_company: Decimal
    residual: Decimal
    residual_company: Decimal
    status: str
    payment_blocked: bool
    block_reason: str
    dunning_level: int


class OpenItemDetailOut(OpenItemOut):
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj: OpenItem) -> list[Allocation]:
        return list(obj.allocations.order_by("date", "pk"))


class OffsetIn(Schema):
    counterpart_id: int
    amount: Decimal | None = Field(None, gt=0, max_digits=20, decimal_places=2)
    date: dt.date | None = None


class PaymentIn(Schema):
    direction: Literal["incoming", "outgoing"] = "incoming"
    party_id: int
    amount: Decimal = Field(gt=0, max_digits=20, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    date: dt.date
    reference: str = Field("", max_length=140)
    memo: str = Field("", max_length=255)
    bank_journal_id: int | None = None
    allocations: list[AllocationIn] | None = Field(None, max_length=500)


class PaymentOut(Schema):
    id: int
    number: str
    direction: str
    status: str
    party_id: int
    date: dt.date
    amount: Decimal
    currency: str = Field(alias="currency_id")
    amount_company: Decimal
    unallocated: Decimal
    reference: str
    memo: str
    bank_journal_id: int | None
    payment_run_id: int | None
    is_reconciled: bool


class PaymentDetailOut(PaymentOut):
    allocations: list[AllocationOut]

    @staticmethod
    def resolve_allocations(obj: Payment) -> list[Allocation]:
        return list(obj.allocations.order_by("pk"))


class ReverseIn(Schema):
    date: dt.date | None = None
    reason: str = Field("", max_length=200)


class BankJournalIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    iban: str = Field(min_length=5, max_length=42)
    bic: str = Field("", max_length=11)
    currency: str = Field("EUR", min_length=3, max_length=3)
    journal: str = Field("", max_length=8)
    account: str = Field("", max_length=20)
    is_default: bool = False


class BankJournalOut(Schema):
    id: int
    name: str
    iban: str
    bic: str
    currency: str = Field(alias="currency_id")
    journal: str
    account: str
    is_default: bool
    is_active: bool


class StatementLineOut(Schema):
    id: int
    sequence: int
    booking_date: dt.date
    value_date: dt.date | None
    amount: Decimal
    currency: str = Field(alias="currency_id")
    counterparty_name: str
    counterparty_iban: str
    remittance: str
    structured_reference: str
    end_to_end_id: str
    bank_reference: str
    status: str
    party_id: int | None
    payment_id: int | None
    match_note: str


class StatementOut(Schema):
    id: int
    reference: str
    bank_journal_id: int
    iban: str
    currency: str = Field(alias="currency_id")
    date: dt.date
    opening_balance: Decimal | None
    closing_balance: Decimal | None
    format: str
    filename: str


class StatementDetailOut(StatementOut):
    lines: list[StatementLineOut]

    @staticmethod
    def resolve_lines(obj: BankStatement) -> list[StatementLine]:
        return list(obj.lines.order_by("sequence"))


class ImportOut(Schema):
    statements: list[dict]
    duplicates: list[dict]
    warnings: list[str]
    reconciled: int
    unmatched: int


class ReconcileIn(Schema):
    party_id: int
    allocations: list[AllocationIn] = Field(default_factory=list, max_length=500)


class BookIn(Schema):
    account: str = Field(min_length=1, max_length=20)
    description: str = Field("", max_length=255)


class MatchPaymentIn(Schema):
    payment_id: int


class RunIn(Schema):
    execution_date: dt.date
    due_until: dt.date | None = None
    bank_journal_id: int | None = None
    party_ids: list[int] | None = Field(None, max_length=1000)


class RunLineOut(Schema):
    id: int
    open_item_id: int
    party_id: int
    amount: Decimal
    discount: Decimal
    iban: str
    status: str
    error: str
    payment_id: int | None


class RunOut(Schema):
    id: int
    number: str
    status: str
    bank_journal_id: int
    execution_date: dt.date
    due_until: dt.date
    currency: str = Field(alias="currency_id")
    total: Decimal
    required_approvals: int
    approvals: list[int]
    exported_at: dt.datetime | None

    @staticmethod
    def resolve_approvals(obj: PaymentRun) -> list[int]:
        return [a.user_id for a in obj.approvals.all()]


class RunDetailOut(RunOut):
    lines: list[RunLineOut]

    @staticmethod
    def resolve_lines(obj: PaymentRun) -> list[PaymentRunLine]:
        return list(obj.lines.order_by("party_id", "pk"))


class AgedRowOut(Schema):
    party_id: int
    party_name: str
    party_number: str
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    total: Decimal


class AgedOut(Schema):
    kind: str
    on: dt.date
    currency: str
    rows: list[AgedRowOut]
    totals: dict[str, Decimal]


class StatementRowOut(Schema):
    date: dt.date
    entry: str
    document: str
    description: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


class PartyStatementOut(Schema):
    party_id: int
    kind: str
    start: dt.date
    end: dt.date
    currency: str
    opening_balance: Decimal
    closing_balance: Decimal
    rows: list[StatementRowOut]
    open_items: list[OpenItemOut]


class CreditOut(Schema):
    party_id: int
    open_receivables: Decimal
    credit_limit: Decimal


class DunningItemOut(Schema):
    open_item_id: int
    number: str
    days_overdue: int
    level: int
    residual: Decimal


class DunningProposalOut(Schema):
    party_id: int
    party_name: str
    level: int
    overdue_total: Decimal
    currency: str
    items: list[DunningItemOut]


class DunningIn(Schema):
    date: dt.date | None = None
    party_ids: list[int] | None = Field(None, max_length=1000)


class LetterOut(Schema):
    id: int
    number: str
    party_id: int
    level: int
    date: dt.date
    currency: str = Field(alias="currency_id")
    overdue_total: Decimal
    fee: Decimal


def _specs(request: HttpRequest, allocations: list[AllocationIn] | None):
    if allocations is None:
        return None
    ids = [a.open_item_id for a in allocations]
    found = {i.pk: i for i in scoped(OpenItem, request).filter(pk__in=ids)}
    specs = []
    for n, a in enumerate(allocations):
        item = found.get(a.open_item_id)
        if item is None:
            raise ValidationFailed.on(
                f"allocations[{n}].open_item_id", _("open item %(id)s not found") % {"id": a.open_item_id}
            )
        specs.append(services.AllocationSpec(item, a.amount, a.discount))
    return specs


def _party(request: HttpRequest, party_id: int, field: str = "party_id") -> Party:
    party = scoped(Party, request).filter(pk=party_id).first()
    if party is None:
        raise ValidationFailed.on(field, _("party %(id)s not found") % {"id": party_id})
    return party


# --- open items -------------------------------------------------------------------------------


@router.get("/open-items", response=list[OpenItemOut])
@paginate(KernCursorPagination)
def list_open_items(
    request: HttpRequest,
    kind: Literal["receivable", "payable"] | None = None,
    party_id: int | None = None,
    status: Literal["open", "partial", "paid"] | None = None,
    open: bool | None = None,
    overdue_on: dt.date | None = None,
):
    require_perm(request, "payments.view_openitem")
    qs = scoped(OpenItem, request)
    if kind:
        qs = qs.filter(kind=kind)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if status:
        qs = qs.filter(status=status)
    if open is not None:
        qs = qs.exclude(status="paid") if open else qs.filter(status="paid")
    if overdue_on is not None:
        qs = qs.exclude(status="paid").filter(due_date__lt=overdue_on)
    return qs


@router.get("/open-items/{open_item_id}", response=OpenItemDetailOut)
def get_open_item(request: HttpRequest, open_item_id: int):
    require_perm(request, "payments.view_openitem")
    return scoped(OpenItem, request, open_item_id)


@router.post("/open-items/{open_item_id}/offset", response={201: list[AllocationOut]})
def offset_open_item(request: HttpRequest, open_item_id: int, payload: OffsetIn):
    """Settle the item against another of the same party: a credit note, or a customer's credit."""
    who = require_perm(request, "payments.add_allocation")
    item = scoped(OpenItem, request, open_item_id)
    counterpart = scoped(OpenItem, request).filter(pk=payload.counterpart_id).first()
    if counterpart is None:
        raise ValidationFailed.on(
            "counterpart_id", _("open item %(id)s not found") % {"id": payload.counterpart_id}
        )
    rows = services.offset_open_items(item, counterpart, amount=payload.amount, on=payload.date, by=who.user)
    return Status(201, rows)


# --- payments ---------------------------------------------------------------------------------


@router.get("/payments", response=list[PaymentOut])
@paginate(KernCursorPagination)
def list_payments(
    request: HttpRequest,
    party_id: int | None = None,
    direction: Literal["incoming", "outgoing"] | None = None,
    reconciled: bool | None = None,
    status: Literal["posted", "reversed"] | None = None,
):
    require_perm(request, "payments.view_payment")
    qs = scoped(Payment, request)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    if direction:
        qs = qs.filter(direction=direction)
    if reconciled is not None:
        qs = qs.filter(is_reconciled=reconciled)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/payments", response={201: PaymentDetailOut})
def create_payment(request: HttpRequest, payload: PaymentIn):
    """Receive (incoming) or pay (outgoing): allocated to the given open items, or oldest first
    when `allocations` is absent; what is left is kept as the party's credit."""
    who = require_perm(request, "payments.add_payment")
    party = _party(request, payload.party_id)
    bank = None
    if payload.bank_journal_id is not None:
        bank = scoped(BankJournal, request).filter(pk=payload.bank_journal_id).first()
        if bank is None:
            raise ValidationFailed.on(
                "bank_journal_id", _("bank journal %(id)s not found") % {"id": payload.bank_journal_id}
            )
    payment = services.post_payment(
        who.company,
        direction=payload.direction,
        party=party,
        amount=payload.amount,
        currency=payload.currency,
        on=payload.date,
        reference=payload.reference,
        memo=payload.memo,
        allocations=_specs(request, payload.allocations),
        bank_journal=bank,
        by=who.user,
    )
    return Status(201, scoped(Payment, request, payment.pk))


@router.get("/payments/{payment_id}", response=PaymentDetailOut)
def get_payment(request: HttpRequest, payment_id: int):
    require_perm(request, "payments.view_payment")
    return scoped(Payment, request, payment_id)


@router.post("/payments/{payment_id}/reverse", response=PaymentDetailOut)
def reverse_payment(request: HttpRequest, payment_id: int, payload: ReverseIn):
    who = require_perm(request, "payments.change_payment")
    payment = scoped(Payment, request, payment_id)
    services.reverse_payment(payment, on=payload.date, reason=payload.reason, by=who.user)
    return scoped(Payment, request, payment_id)


# --- bank journals and statements ------------------------------------------------------------


@router.get("/bank-journals", response=list[BankJournalOut])
def list_bank_journals(request: HttpRequest):
    require_perm(request, "payments.view_bankjournal")
    return list(scoped(BankJournal, request))


@router.post("/bank-journals", response={201: BankJournalOut})
def create_bank_journal(request: HttpRequest, payload: BankJournalIn):
    who = require_perm(request, "payments.add_bankjournal")
    return Status(201, services.create_bank_journal(who.company, by=who.user, **payload.dict()))


@router.get("/statements", response=list[StatementOut])
@paginate(KernCursorPagination)
def list_statements(request: HttpRequest, bank_journal_id: int | None = None):
    require_perm(request, "payments.view_bankstatement")
    qs = scoped(BankStatement, request)
    if bank_journal_id is not None:
        qs = qs.filter(bank_journal_id=bank_journal_id)
    return qs


@router.post("/statements", response={201: ImportOut})
def import_statement(
    request: HttpRequest,
    file: UploadedFile = File(...),
    format: Literal["camt053", "csv"] | None = Form(None),
    mapping: str = Form("", max_length=2000),
    bank_journal_id: int | None = Form(None),
):
    """Upload a camt.053 (or CSV, with an optional JSON column mapping) bank statement."""
    who = require_perm(request, "payments.add_bankstatement")
    if file.size and file.size > MAX_UPLOAD:
        raise ValidationFailed.on("file", _("at most 10 MB per statement file"))
    columns = None
    if mapping:
        try:
            columns = json.loads(mapping)
        except ValueError:
            raise ValidationFailed.on("mapping", _("a JSON object of file column → field")) from None
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise ValidationFailed.on("mapping", _("a JSON object of file column → field"))
    bank = None
    if bank_journal_id is not None:
        bank = scoped(BankJournal, request).filter(pk=bank_journal_id).first()
        if bank is None:
            raise ValidationFailed.on(
                "bank_journal_id", _("bank journal %(id)s not found") % {"id": bank_journal_id}
            )
    result = services.import_bank_statement(
        who.company,
        file.read(),
        filename=file.name or "",
        format=format,
        mapping=columns,
        bank_journal=bank,
        by=who.user,
    )
    return Status(201, result.as_dict())


@router.get("/statements/{statement_id}", response=StatementDetailOut)
def get_statement(request: HttpRequest, statement_id: int):
    require_perm(request, "payments.view_bankstatement")
    return scoped(BankStatement, request, statement_id)


@router.get("/statement-lines", response=list[StatementLineOut])
@paginate(KernCursorPagination)
def list_statement_lines(
    request: HttpRequest, status: Literal["unmatched", "reconciled", "ignored", "duplicate"] | None = None
):
    require_perm(request, "payments.view_statementline")
    qs = scoped(StatementLine, request)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/statement-lines/{line_id}/reconcile", response=StatementLineOut)
def reconcile_line(request: HttpRequest, line_id: int, payload: ReconcileIn):
    """Book the line as a payment of the party, allocated to open items (none: kept as credit)."""
    who = require_perm(request, "payments.change_statementline")
    line = scoped(
        StatementLine.objects.select_related("statement", "statement__bank_journal"), request, line_id
    )
    party = _party(request, payload.party_id)
    services.reconcile_line(line, party=party, allocations=_specs(request, payload.allocations), by=who.user)
    return scoped(StatementLine, request, line_id)


@router.post("/statement-lines/{line_id}/match-payment", response=StatementLineOut)
def match_line_to_payment(request: HttpRequest, line_id: int, payload: MatchPaymentIn):
    who = require_perm(request, "payments.change_statementline")
    line = scoped(StatementLine, request, line_id)
    payment = scoped(Payment, request).filter(pk=payload.payment_id).first()
    if payment is None:
        raise ValidationFailed.on("payment_id", _("payment %(id)s not found") % {"id": payload.payment_id})
    services.match_line_to_payment(line, payment, by=who.user)
    return scoped(StatementLine, request, line_id)


@router.post("/statement-lines/{line_id}/book", response=StatementLineOut)
def book_line(request: HttpRequest, line_id: int, payload: BookIn):
    """Book the line to a ledger account (bank charges, interest)."""
    who = require_perm(request, "payments.change_statementline")
    line = scoped(
        StatementLine.objects.select_related("statement", "statement__bank_journal"), request, line_id
    )
    services.book_line_to_account(line, account=payload.account, description=payload.description, by=who.user)
    return scoped(StatementLine, request, line_id)


@router.post("/statement-lines/{line_id}/ignore", response=StatementLineOut)
def ignore_line(request: HttpRequest, line_id: int):
    who = require_perm(request, "payments.change_statementline")
    services.ignore_line(scoped(StatementLine, request, line_id), by=who.user)
    return scoped(StatementLine, request, line_id)


# --- payment runs -----------------------------------------------------------------------------


@router.get("/runs", response=list[RunOut])
@paginate(KernCursorPagination)
def list_runs(request: HttpRequest, status: str | None = None):
    require_perm(request, "payments.view_paymentrun")
    qs = scoped(PaymentRun, request).prefetch_related("approvals")
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/runs", response={201: RunDetailOut})
def propose_run(request: HttpRequest, payload: RunIn):
    """Propose a run of the vendor bills due by `due_until` (discounts still open are taken)."""
    who = require_perm(request, "payments.add_paymentrun")
    bank = None
    if payload.bank_journal_id is not None:
        bank = scoped(BankJournal, request).filter(pk=payload.bank_journal_id).first()
        if bank is None:
            raise ValidationFailed.on(
                "bank_journal_id", _("bank journal %(id)s not found") % {"id": payload.bank_journal_id}
            )
    parties = None
    if payload.party_ids:
        parties = list(scoped(Party, request).filter(pk__in=payload.party_ids).values_list("pk", flat=True))
    run = services.propose_payment_run(
        who.company,
        execution_date=payload.execution_date,
        due_until=payload.due_until,
        bank_journal=bank,
        parties=parties,
        by=who.user,
    )
    return Status(201, scoped(PaymentRun, request, run.pk))


@router.get("/runs/{run_id}", response=RunDetailOut)
def get_run(request: HttpRequest, run_id: int):
    require_perm(request, "payments.view_paymentrun")
    return scoped(PaymentRun, request, run_id)


@router.post("/runs/{run_id}/approve", response=RunDetailOut)
def approve_run(request: HttpRequest, run_id: int):
    who = require_perm(request, "payments.approve_paymentrun")
    services.approve_payment_run(scoped(PaymentRun, request, run_id), by=who.user)
    return scoped(PaymentRun, request, run_id)


@router.post("/runs/{run_id}/cancel", response=RunDetailOut)
def cancel_run(request: HttpRequest, run_id: int):
    who = require_perm(request, "payments.change_paymentrun")
    services.cancel_payment_run(scoped(PaymentRun, request, run_id), by=who.user)
    return scoped(PaymentRun, request, run_id)


@router.post("/runs/{run_id}/export")
def export_run(request: HttpRequest, run_id: int):
    """Book the run's payments and answer the SEPA pain.001.001.03 file (the same file again later)."""
    who = require_perm(request, "payments.change_paymentrun")
    run = scoped(PaymentRun, request, run_id)
    document = services.export_payment_run(run, by=who.user)
    response = HttpResponse(document, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{run.number}.xml"'
    return response


@router.delete("/runs/{run_id}/lines/{line_id}", response=RunDetailOut)
def remove_run_line(request: HttpRequest, run_id: int, line_id: int):
    """Leave one bill out of a proposed (draft) run: the totals follow and approvals given so far
    no longer hold; 409 once the run is approved."""
    who = require_perm(request, "payments.change_paymentrun")
    run = scoped(PaymentRun, request, run_id)
    line = scoped(PaymentRunLine.objects.filter(run=run), request, line_id)
    line.run = run
    services.remove_run_line(line, by=who.user)
    return scoped(PaymentRun, request, run_id)


# --- dunning ----------------------------------------------------------------------------------


class DunningLevelOut(Schema):
    id: int
    level: int
    name: str
    days_overdue: int
    fee: Decimal
    text: str
    is_active: bool


class DunningLevelIn(Schema):
    level: int = Field(ge=1, le=32767)
    name: str = Field(min_length=1, max_length=80)
    days_overdue: int = Field(ge=0, le=36500)
    fee: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    text: str = Field("", max_length=10000)
    is_active: bool = True


class DunningLevelPatch(Schema):
    level: int | None = Field(None, ge=1, le=32767)
    name: str | None = Field(None, min_length=1, max_length=80)
    days_overdue: int | None = Field(None, ge=0, le=36500)
    fee: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    text: str | None = Field(None, max_length=10000)
    is_active: bool | None = None


@router.get("/dunning-levels", response=list[DunningLevelOut])
@paginate(KernCursorPagination)
def list_dunning_levels(request: HttpRequest):
    require_perm(request, "payments.view_dunninglevel")
    return scoped(DunningLevel, request)


@router.post("/dunning-levels", response={201: DunningLevelOut})
def create_dunning_level(request: HttpRequest, payload: DunningLevelIn):
    """A further reminder step; a level number the company has already is a 422."""
    who = require_perm(request, "payments.add_dunninglevel")
    return Status(201, services.create_dunning_level(who.company, by=who.user, **payload.dict()))


@router.get("/dunning-levels/{level_id}", response=DunningLevelOut)
def get_dunning_level(request: HttpRequest, level_id: int):
    require_perm(request, "payments.view_dunninglevel")
    return scoped(DunningLevel, request, level_id)


@router.patch("/dunning-levels/{level_id}", response=DunningLevelOut)
def update_dunning_level(request: HttpRequest, level_id: int, payload: DunningLevelPatch):
    """Change a reminder step: its number, name, days overdue, fee, letter text or whether it is
    used; the fields left out (or null) stay. A level number the company has already is a 422."""
    who = require_perm(request, "payments.change_dunninglevel")
    dunning_level = scoped(DunningLevel, request, level_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_dunning_level(dunning_level, by=who.user, **changes)


@router.get("/dunning/proposal", response=list[DunningProposalOut])
def dunning_proposal(request: HttpRequest, on: dt.date | None = None):
    who = require_perm(request, "payments.view_dunningletter")
    return [
        {
            "party_id": p.party.pk,
            "party_name": p.party.name,
            "level": p.level.level,
            "overdue_total": p.overdue_total,
            "currency": p.currency,
            "items": [
                {
                    "open_item_id": i.pk,
                    "number": i.number,
                    "days_overdue": d,
                    "level": lv,
                    "residual": i.residual,
                }
                for i, d, lv in p.items
            ],
        }
        for p in selectors.dunning_proposal(who.company, on)
    ]


@router.post("/dunning-letters", response={201: list[LetterOut]})
def send_dunning(request: HttpRequest, payload: DunningIn):
    who = require_perm(request, "payments.add_dunningletter")
    parties = None
    if payload.party_ids:
        parties = list(scoped(Party, request).filter(pk__in=payload.party_ids).values_list("pk", flat=True))
    letters = services.send_dunning_letters(who.company, on=payload.date, parties=parties, by=who.user)
    return Status(201, letters)


@router.get("/dunning-letters", response=list[LetterOut])
@paginate(KernCursorPagination)
def list_letters(request: HttpRequest, party_id: int | None = None):
    require_perm(request, "payments.view_dunningletter")
    qs = scoped(DunningLetter, request)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs


@router.get("/dunning-letters/{letter_id}/pdf")
def letter_pdf(request: HttpRequest, letter_id: int):
    require_perm(request, "payments.view_dunningletter")
    letter = scoped(DunningLetter.objects.select_related("party", "company"), request, letter_id)
    response = HttpResponse(dunning_letter_pdf(letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.number}.pdf"'
    return response


# --- reports ----------------------------------------------------------------------------------


def _aged(report) -> dict:
    return {
        "kind": report.kind,
        "on": report.on,
        "currency": report.currency,
        "rows": [{**row.__dict__, "total": row.total} for row in report.rows],
        "totals": report.totals,
    }


@router.get("/aged-receivables", response=AgedOut)
def aged_receivables(request: HttpRequest, on: dt.date | None = None):
    who = require_perm(request, "payments.view_openitem")
    return _aged(selectors.aged_receivables(who.company, on))


@router.get("/aged-payables", response=AgedOut)
def aged_payables(request: HttpRequest, on: dt.date | None = None):
    who = require_perm(request, "payments.view_openitem")
    return _aged(selectors.aged_payables(who.company, on))


@router.get("/parties/{party_id}/statement", response=PartyStatementOut)
def party_statement(
    request: HttpRequest,
    party_id: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    kind: Literal["receivable", "payable"] = "receivable",
    pdf: bool = False,
):
    who = require_perm(request, "payments.view_openitem")
    party = scoped(Party, request, party_id)
    end = end or dt.date.today()
    start = start or end.replace(day=1)
    if start > end:
        raise ValidationFailed.on("start", _("must be on or before end"))
    statement = selectors.party_statement(who.company, party, start, end, kind=kind)
    if pdf:
        response = HttpResponse(party_statement_pdf(statement, who.company), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="statement-{party.number}.pdf"'
        return response
    return {
        "party_id": party.pk,
        "kind": kind,
        "start": start,
        "end": end,
        "currency": statement.currency,
        "opening_balance": statement.opening_balance,
        "closing_balance": statement.closing_balance,
        "rows": [r.__dict__ for r in statement.rows],
        "open_items": statement.open_items,
    }


@router.get("/parties/{party_id}/credit", response=CreditOut)
def party_credit(request: HttpRequest, party_id: int):
    """What the customer owes (open receivables net of credit) against the credit limit."""
    who = require_perm(request, "payments.view_openitem")
    party = scoped(Party, request, party_id)
    return {
        "party_id": party.pk,
        "open_receivables": selectors.credit_used(who.company, party),
        "credit_limit": party.credit_limit,
    }
