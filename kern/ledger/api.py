"""Ledger API: chart, journals, tax codes, fiscal years and periods, entries, reports, close."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, principal, require_perm, scoped
from kern.core.exceptions import NotFound
from kern.ledger import selectors, services
from kern.ledger.models import (
    Account,
    AccountRole,
    EntryStatus,
    FiscalYear,
    Journal,
    JournalEntry,
    Period,
    TaxCode,
)

router = Router(tags=["ledger"])

AccountTypeName = Literal["asset", "liability", "equity", "income", "expense"]


# --- schemas ------------------------------------------------------------------------------------


class AccountIn(Schema):
    code: str = Field(min_length=1, max_length=20)
    name: str = Field(min_length=1, max_length=200)
    type: AccountTypeName
    subtype: str = Field("other", max_length=24)
    parent: str | None = Field(None, max_length=20, description="code of the parent (group) account")
    is_group: bool = False
    rgs_code: str = Field("", max_length=20)
    currency: str | None = Field(None, min_length=3, max_length=3)
    description: str = Field("", max_length=2000)


class AccountPatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=20)
    name: str | None = Field(None, min_length=1, max_length=200)
    type: AccountTypeName | None = None
    subtype: str | None = Field(None, max_length=24)
    parent: str | None = Field(None, max_length=20)
    is_group: bool | None = None
    is_active: bool | None = None
    rgs_code: str | None = Field(None, max_length=20)
    description: str | None = Field(None, max_length=2000)


class AccountOut(Schema):
    id: int
    code: str
    name: str
    type: str
    subtype: str
    parent_id: int | None
    is_group: bool
    is_active: bool
    rgs_code: str
    currency: str | None = Field(None, alias="currency_id")
    roles: list[str]

    @staticmethod
    def resolve_roles(obj: Account) -> list[str]:
        return sorted(r.role for r in obj.roles.all())


class RoleIn(Schema):
    account: str = Field(min_length=1, max_length=20, description="account code")


class RoleOut(Schema):
    role: str
    account_id: int
    account_code: str

    @staticmethod
    def resolve_account_code(obj: AccountRole) -> str:
        return obj.account.code


class JournalIn(Schema):
    code: str = Field(min_length=1, max_length=8)
    name: str = Field(min_length=1, max_length=100)
    kind: Literal["sale", "purchase", "bank", "cash", "general", "stock", "payroll"]
    default_account: str | None = Field(None, max_length=20)


class JournalPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    is_active: bool | None = None
    default_account: str | None = Field(None, max_length=20)


class JournalOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    is_active: bool
    default_account_id: int | None


class TaxCodeOut(Schema):
    id: int
    code: str
    name: str
    direction: str
    kind: str
    rate: Decimal
    account_id: int | None
    deductible_account_id: int | None
    base_box: str
    tax_box: str
    deductible_box: str
    is_active: bool


class PeriodOut(Schema):
    id: int
    fiscal_year: int
    number: int
    kind: str
    start_date: dt.date
    end_date: dt.date
    status: str

    @staticmethod
    def resolve_fiscal_year(obj: Period) -> int:
        return obj.fiscal_year.year


class FiscalYearIn(Schema):
    year: int = Field(ge=1900, le=2999)


class FiscalYearOut(Schema):
    id: int
    year: int
    start_date: dt.date
    end_date: dt.date
    status: str


class LockDateIn(Schema):
    lock_date: dt.date | None


class LockDateOut(Schema):
    lock_date: dt.date | None


class LineIn(Schema):
    account: str = Field("", max_length=20)
    role: str | None = Field(None, max_length=40)
    debit: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    credit: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    party_id: int | None = None
    amount_currency: Decimal | None = Field(None, max_digits=20, decimal_places=3)
    currency: str | None = Field(None, min_length=3, max_length=3)
    tax_code: str | None = Field(None, max_length=16)
    description: str = Field("", max_length=255)
    analytic: dict[str, str] | None = None
    due_date: dt.date | None = None

    def spec(self) -> services.LineSpec:
        return services.LineSpec(**self.dict())


class EntryIn(Schema):
    journal: str = Field(min_length=1, max_length=10, description="journal code or kind")
    date: dt.date
    memo: str = Field("", max_length=255)
    lines: list[LineIn] = Field(default_factory=list, max_length=2000)
    post: bool = Field(False, description="post at once instead of saving a draft")


class EntryPatch(Schema):
    journal: str | None = Field(None, min_length=1, max_length=10)
    date: dt.date | None = None
    memo: str | None = Field(None, max_length=255)
    lines: list[LineIn] | None = Field(None, max_length=2000)


class ReverseIn(Schema):
    date: dt.date | None = None
    memo: str = Field("", max_length=255)


class LineOut(Schema):
    line_no: int
    account_id: int
    account_code: str
    party_id: int | None
    debit: Decimal
    credit: Decimal
    amount_currency: Decimal | None
    currency: str
    tax_code: str | None
    vat_box: str = ""
    description: str
    analytic: dict[str, str] | None
    due_date: dt.date | None


class EntryOut(Schema):
    id: int
    number: str
    journal: str
    date: dt.date
    status: str
    kind: str
    memo: str
    total: Decimal
    source_type: str
    source_id: int | None
    source_number: str
    reversal_of_id: int | None
    hash: str
    posted_at: dt.datetime | None

    @staticmethod
    def resolve_journal(obj: JournalEntry) -> str:
        return obj.journal.code


class EntryDetailOut(EntryOut):
    lines: list[LineOut]
    difference: Decimal

    @staticmethod
    def resolve_lines(obj: JournalEntry) -> list[dict[str, Any]]:
        return _lines_of(obj)

    @staticmethod
    def resolve_difference(obj: JournalEntry) -> Decimal:
        lines = _lines_of(obj)
        return sum((ln["debit"] - ln["credit"] for ln in lines), Decimal("0"))


def _lines_of(entry: JournalEntry) -> list[dict[str, Any]]:
    cached = getattr(entry, "_api_lines", None)
    if cached is not None:
        return cached
    source = entry.draft_lines if entry.status == EntryStatus.DRAFT else entry.lines
    rows = []
    for line in source.select_related("account", "tax_code").order_by("line_no"):
        rows.append(
            {
                "line_no": line.line_no,
                "account_id": line.account_id,
                "account_code": line.account.code,
                "party_id": line.party_id,
                "debit": line.debit,
                "credit": line.credit,
                "amount_currency": line.amount_currency,
                "currency": line.currency,
                "tax_code": line.tax_code.code if line.tax_code_id else None,
                "vat_box": getattr(line, "vat_box", ""),
                "description": line.description,
                "analytic": line.analytic,
                "due_date": line.due_date,
            }
        )
    entry._api_lines = rows
    return rows


class TrialBalanceRowOut(Schema):
    account_id: int
    code: str
    name: str
    type: str
    opening: Decimal
    debit: Decimal
    credit: Decimal
    closing: Decimal


class TrialBalanceOut(Schema):
    date_from: dt.date
    date_to: dt.date
    rows: list[TrialBalanceRowOut]
    total_debit: Decimal
    total_credit: Decimal
    is_balanced: bool


class ReportLineOut(Schema):
    account_id: int | None
    code: str
    name: str
    amount: Decimal
    compare: Decimal | None


class ReportSectionOut(Schema):
    key: str
    title: str
    lines: list[ReportLineOut]
    total: Decimal
    compare_total: Decimal | None


class ProfitAndLossOut(Schema):
    date_from: dt.date
    date_to: dt.date
    compare_from: dt.date | None
    compare_to: dt.date | None
    sections: list[ReportSectionOut]
    result: Decimal
    compare_result: Decimal | None


class BalanceSheetOut(Schema):
    on: dt.date
    compare_on: dt.date | None
    assets: ReportSectionOut
    liabilities: ReportSectionOut
    equity: ReportSectionOut
    total_assets: Decimal
    total_liabilities_and_equity: Decimal
    is_balanced: bool


class LedgerLineOut(Schema):
    id: int
    date: dt.date
    entry_id: int
    number: str
    journal: str
    description: str
    party: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    source_type: str
    source_id: int | None
    amount_currency: Decimal | None
    currency: str


class AccountLedgerOut(Schema):
    account_id: int
    code: str
    name: str
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    closing: Decimal
    lines: list[LedgerLineOut]
    next_cursor: str | None


class VatBoxOut(Schema):
    box: str
    label: str
    turnover: Decimal | None
    vat: Decimal | None
    turnover_filed: int | None
    vat_filed: int | None


class VatReturnOut(Schema):
    date_from: dt.date
    date_to: dt.date
    boxes: list[VatBoxOut]
    to_pay: Decimal


class VatLineOut(Schema):
    id: int
    date: dt.date
    entry_id: int
    number: str
    account_code: str
    tax_code: str | None
    tax_kind: str
    amount: Decimal
    description: str


class StatementLineOut(Schema):
    date: dt.date
    number: str
    description: str
    due_date: dt.date | None
    debit: Decimal
    credit: Decimal
    balance: Decimal
    entry_id: int
    source_type: str
    source_id: int | None
    account: str


class StatementOut(Schema):
    party_id: int
    party: str
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    closing: Decimal
    lines: list[StatementLineOut]


class JournalReportEntryOut(Schema):
    entry: EntryOut
    lines: list[LineOut]


class JournalReportOut(Schema):
    count: int
    total_debit: Decimal
    total_credit: Decimal
    entries: list[JournalReportEntryOut]


class VerifyOut(Schema):
    ok: bool
    entries: int
    first_broken_entry: str | None
    problems: list[str]


class RevaluationIn(Schema):
    date: dt.date


class OpeningBalanceOut(Schema):
    rows: int
    dry_run: bool
    ok: bool
    debit: str
    credit: str
    entry: str | None
    errors: list[dict[str, Any]]


def _company(request: HttpRequest) -> Any:
    return principal(request).company


def _year_range(
    request: HttpRequest, date_from: dt.date | None, date_to: dt.date | None
) -> tuple[dt.date, dt.date]:
    if date_from and date_to:
        return date_from, date_to
    company = _company(request)
    today = dt.date.today()
    year = FiscalYear.objects.filter(company=company, start_date__lte=today, end_date__gte=today).first()
    start = date_from or (year.start_date if year else today.replace(month=1, day=1))
    end = date_to or (year.end_date if year else today.replace(month=12, day=31))
    return start, end


# --- chart ---------------------------------------------------------------------------------------


@router.get("/ledger/accounts", response=list[AccountOut])
@paginate(KernCursorPagination, ordering=("code",))
def list_accounts(
    request: HttpRequest,
    q: str | None = None,
    type: AccountTypeName | None = None,
    active: bool | None = None,
):
    require_perm(request, "ledger.view_account")
    qs = scoped(Account, request).prefetch_related("roles")
    if q:
        qs = qs.filter(Q(code__istartswith=q) | Q(name__icontains=q))
    if type:
        qs = qs.filter(type=type)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/ledger/accounts", response={201: AccountOut})
def create_account(request: HttpRequest, payload: AccountIn):
    who = require_perm(request, "ledger.add_account")
    account = services.create_account(who.company, by=who.user, **payload.dict())
    return Status(201, account)


@router.get("/ledger/accounts/{ledger_account_id}", response=AccountOut)
def get_account(request: HttpRequest, ledger_account_id: int):
    require_perm(request, "ledger.view_account")
    return scoped(Account.objects.prefetch_related("roles"), request, ledger_account_id)


@router.patch("/ledger/accounts/{ledger_account_id}", response=AccountOut)
def update_account(request: HttpRequest, ledger_account_id: int, payload: AccountPatch):
    who = require_perm(request, "ledger.change_account")
    account = scoped(Account, request, ledger_account_id)
    services.update_account(account, by=who.user, **payload.dict(exclude_unset=True))
    return scoped(Account.objects.prefetch_related("roles"), request, ledger_account_id)


@router.get("/ledger/accounts/{ledger_account_id}/ledger", response=AccountLedgerOut)
def account_ledger(
    request: HttpRequest,
    ledger_account_id: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    cursor: str | None = None,
    page_size: int = 50,
):
    require_perm(request, "ledger.view_journalline")
    account = scoped(Account, request, ledger_account_id)
    start, end = _year_range(request, date_from, date_to)
    try:
        ledger = selectors.general_ledger(
            account, date_from=start, date_to=end, page_size=max(1, min(page_size, 500)), cursor=cursor
        )
    except ValueError:
        raise NotFound(_("unknown cursor")) from None
    return {
        "account_id": account.pk,
        "code": account.code,
        "name": account.name,
        "date_from": start,
        "date_to": end,
        "opening": ledger.opening,
        "closing": ledger.closing,
        "lines": ledger.lines,
        "next_cursor": ledger.next_cursor,
    }


@router.get("/ledger/account-roles", response=list[RoleOut])
def list_roles(request: HttpRequest):
    require_perm(request, "ledger.view_accountrole")
    return scoped(AccountRole.objects.select_related("account"), request).order_by("role")


@router.put("/ledger/account-roles/{role}", response=RoleOut)
def set_role(request: HttpRequest, role: str, payload: RoleIn):
    who = require_perm(request, "ledger.change_accountrole")
    return services.set_account_role(who.company, role, payload.account, by=who.user)


# --- journals and taxes ------------------------------------------------------------------------


@router.get("/ledger/journals", response=list[JournalOut])
def list_journals(request: HttpRequest):
    require_perm(request, "ledger.view_journal")
    return scoped(Journal, request).order_by("code")


@router.post("/ledger/journals", response={201: JournalOut})
def create_journal(request: HttpRequest, payload: JournalIn):
    who = require_perm(request, "ledger.add_journal")
    return Status(201, services.create_journal(who.company, by=who.user, **payload.dict()))


@router.patch("/ledger/journals/{journal_id}", response=JournalOut)
def update_journal(request: HttpRequest, journal_id: int, payload: JournalPatch):
    who = require_perm(request, "ledger.change_journal")
    return services.update_journal(
        scoped(Journal, request, journal_id), by=who.user, **payload.dict(exclude_unset=True)
    )


@router.get("/ledger/tax-codes", response=list[TaxCodeOut])
def list_tax_codes(request: HttpRequest, direction: Literal["sale", "purchase"] | None = None):
    require_perm(request, "ledger.view_taxcode")
    qs = scoped(TaxCode, request).order_by("direction", "code")
    return qs.filter(direction=direction) if direction else qs


# --- fiscal years, periods, lock date ----------------------------------------------------------


@router.get("/ledger/fiscal-years", response=list[FiscalYearOut])
def list_fiscal_years(request: HttpRequest):
    require_perm(request, "ledger.view_fiscalyear")
    return scoped(FiscalYear, request).order_by("-year")


@router.post("/ledger/fiscal-years", response={201: FiscalYearOut})
def open_fiscal_year(request: HttpRequest, payload: FiscalYearIn):
    who = require_perm(request, "ledger.add_fiscalyear")
    return Status(201, services.open_fiscal_year(who.company, payload.year, by=who.user))


@router.post("/ledger/fiscal-years/{fiscal_year_id}/close", response=FiscalYearOut)
def close_fiscal_year(request: HttpRequest, fiscal_year_id: int):
    who = require_perm(request, "ledger.change_fiscalyear")
    year = scoped(FiscalYear, request, fiscal_year_id)
    services.close_fiscal_year(year, by=who.user)
    return scoped(FiscalYear, request, fiscal_year_id)


@router.post("/ledger/fiscal-years/{fiscal_year_id}/reopen", response=FiscalYearOut)
def reopen_fiscal_year(request: HttpRequest, fiscal_year_id: int):
    who = require_perm(request, "ledger.change_fiscalyear")
    return services.reopen_fiscal_year(scoped(FiscalYear, request, fiscal_year_id), by=who.user)


@router.get("/ledger/periods", response=list[PeriodOut])
def list_periods(request: HttpRequest, year: int | None = None):
    require_perm(request, "ledger.view_period")
    qs = scoped(Period.objects.select_related("fiscal_year"), request).order_by("start_date", "number")
    return qs.filter(fiscal_year__year=year) if year else qs


@router.post("/ledger/periods/{period_id}/close", response=PeriodOut)
def close_period(request: HttpRequest, period_id: int):
    who = require_perm(request, "ledger.change_period")
    return services.close_period(
        scoped(Period.objects.select_related("fiscal_year"), request, period_id), by=who.user
    )


@router.post("/ledger/periods/{period_id}/reopen", response=PeriodOut)
def reopen_period(request: HttpRequest, period_id: int):
    who = require_perm(request, "ledger.change_period")
    return services.reopen_period(
        scoped(Period.objects.select_related("fiscal_year"), request, period_id), by=who.user
    )


@router.get("/ledger/lock-date", response=LockDateOut)
def get_lock_date(request: HttpRequest):
    require_perm(request, "ledger.view_period")
    return {"lock_date": selectors.books_of(_company(request)).lock_date}


@router.put("/ledger/lock-date", response=LockDateOut)
def set_lock_date(request: HttpRequest, payload: LockDateIn):
    who = require_perm(request, "ledger.change_period")
    books = services.set_lock_date(who.company, payload.lock_date, by=who.user)
    return {"lock_date": books.lock_date}


@router.post("/ledger/revaluations", response={201: EntryOut, 204: None})
def revalue(request: HttpRequest, payload: RevaluationIn):
    who = require_perm(request, "ledger.add_journalentry")
    entry = services.revalue_currencies(who.company, on=payload.date, by=who.user)
    return Status(201, entry) if entry else Status(204, None)


# --- entries ------------------------------------------------------------------------------------


@router.get("/ledger/entries", response=list[EntryOut])
@paginate(KernCursorPagination)
def list_entries(
    request: HttpRequest,
    journal: str | None = None,
    status: Literal["draft", "posted", "reversed"] | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
    q: str | None = None,
):
    require_perm(request, "ledger.view_journalentry")
    qs = scoped(JournalEntry.objects.select_related("journal"), request)
    if journal:
        qs = qs.filter(journal__code=journal)
    if status:
        qs = qs.filter(status=status)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if source_type:
        qs = qs.filter(source_type=source_type)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(memo__icontains=q) | Q(source_number__icontains=q))
    return qs


@router.post("/ledger/entries", response={201: EntryDetailOut})
def create_entry(request: HttpRequest, payload: EntryIn):
    """Save a draft entry (it may be unbalanced), or post it at once with `post: true`."""
    who = require_perm(request, "ledger.add_journalentry")
    lines = [line.spec() for line in payload.lines]
    if payload.post:
        entry = services.post_entry(
            company=who.company,
            journal=payload.journal,
            on=payload.date,
            lines=lines,
            memo=payload.memo,
            by=who.user,
        )
    else:
        entry = services.create_draft(
            who.company, journal=payload.journal, on=payload.date, lines=lines, memo=payload.memo, by=who.user
        )
    return Status(201, scoped(JournalEntry.objects.select_related("journal"), request, entry.pk))


@router.get("/ledger/entries/{entry_id}", response=EntryDetailOut)
def get_entry(request: HttpRequest, entry_id: int):
    require_perm(request, "ledger.view_journalentry")
    return scoped(JournalEntry.objects.select_related("journal"), request, entry_id)


@router.patch("/ledger/entries/{entry_id}", response=EntryDetailOut)
def update_entry(request: HttpRequest, entry_id: int, payload: EntryPatch):
    """Change a draft. A posted entry is refused with 409: reverse it instead."""
    who = require_perm(request, "ledger.change_journalentry")
    entry = scoped(JournalEntry.objects.select_related("journal"), request, entry_id)
    data = payload.dict(exclude_unset=True)
    services.update_draft(
        entry,
        lines=[LineIn(**ln).spec() for ln in data["lines"]] if "lines" in data else None,
        on=data.get("date"),
        memo=data.get("memo"),
        journal=data.get("journal"),
        by=who.user,
    )
    return scoped(JournalEntry.objects.select_related("journal"), request, entry_id)


@router.delete("/ledger/entries/{entry_id}", response={204: None})
def delete_entry(request: HttpRequest, entry_id: int):
    """Delete a draft. A posted entry is refused with 409: reverse it instead."""
    who = require_perm(request, "ledger.delete_journalentry")
    services.delete_draft(scoped(JournalEntry, request, entry_id), by=who.user)
    return Status(204, None)


@router.post("/ledger/entries/{entry_id}/post", response=EntryDetailOut)
def post_draft(request: HttpRequest, entry_id: int):
    who = require_perm(request, "ledger.add_journalentry")
    entry = services.post_draft(
        scoped(JournalEntry.objects.select_related("journal"), request, entry_id), by=who.user
    )
    return scoped(JournalEntry.objects.select_related("journal"), request, entry.pk)


@router.post("/ledger/entries/{entry_id}/reverse", response={201: EntryDetailOut})
def reverse_entry(request: HttpRequest, entry_id: int, payload: ReverseIn):
    who = require_perm(request, "ledger.add_journalentry")
    entry = scoped(JournalEntry.objects.select_related("journal", "company"), request, entry_id)
    reversal = services.reverse_entry(entry, on=payload.date, memo=payload.memo, by=who.user)
    return Status(201, scoped(JournalEntry.objects.select_related("journal"), request, reversal.pk))


@router.post("/ledger/opening-balance", response=OpeningBalanceOut)
def import_opening_balance(request: HttpRequest, file: File[UploadedFile], dry_run: bool = True):
    who = require_perm(request, "ledger.add_journalentry")
    report = services.import_opening_balance(
        who.company, file.read(), filename=file.name or "", dry_run=dry_run, by=who.user
    )
    return report.as_dict()


# --- reports --------------------------------------------------------------------------------------


@router.get("/ledger/reports/trial-balance", response=TrialBalanceOut)
def trial_balance(request: HttpRequest, date_from: dt.date | None = None, date_to: dt.date | None = None):
    require_perm(request, "ledger.view_journalline")
    start, end = _year_range(request, date_from, date_to)
    tb = selectors.trial_balance(_company(request), date_from=start, date_to=end)
    return {
        "date_from": start,
        "date_to": end,
        "rows": [{**r.__dict__, "closing": r.closing} for r in tb.rows],
        "total_debit": tb.total_debit,
        "total_credit": tb.total_credit,
        "is_balanced": tb.is_balanced,
    }


def _section(section: selectors.ReportSection) -> dict[str, Any]:
    return {
        "key": section.key,
        "title": section.title,
        "lines": [ln.__dict__ for ln in section.lines],
        "total": section.total,
        "compare_total": section.compare_total,
    }


@router.get("/ledger/reports/profit-and-loss", response=ProfitAndLossOut)
def profit_and_loss(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    compare_from: dt.date | None = None,
    compare_to: dt.date | None = None,
):
    require_perm(request, "ledger.view_journalline")
    start, end = _year_range(request, date_from, date_to)
    pnl = selectors.profit_and_loss(
        _company(request), date_from=start, date_to=end, compare_from=compare_from, compare_to=compare_to
    )
    return {
        "date_from": start,
        "date_to": end,
        "compare_from": compare_from,
        "compare_to": compare_to,
        "sections": [_section(s) for s in pnl.sections],
        "result": pnl.result,
        "compare_result": pnl.compare_result,
    }


@router.get("/ledger/reports/balance-sheet", response=BalanceSheetOut)
def balance_sheet(request: HttpRequest, on: dt.date | None = None, compare_on: dt.date | None = None):
    require_perm(request, "ledger.view_journalline")
    sheet = selectors.balance_sheet(_company(request), on=on or dt.date.today(), compare_on=compare_on)
    return {
        "on": sheet.on,
        "compare_on": sheet.compare_on,
        "assets": _section(sheet.assets),
        "liabilities": _section(sheet.liabilities),
        "equity": _section(sheet.equity),
        "total_assets": sheet.total_assets,
        "total_liabilities_and_equity": sheet.total_liabilities_and_equity,
        "is_balanced": sheet.is_balanced,
    }


@router.get("/ledger/reports/journal", response=JournalReportOut)
def journal_report(
    request: HttpRequest,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    journal: str | None = None,
    offset: int = 0,
    limit: int = 100,
):
    require_perm(request, "ledger.view_journalline")
    start, end = _year_range(request, date_from, date_to)
    entries, totals, count = selectors.journal_report(
        _company(request),
        date_from=start,
        date_to=end,
        journal=journal,
        limit=max(1, min(limit, 500)),
        offset=max(0, offset),
    )
    out = []
    for item in entries:
        item.entry._api_lines = [
            {
                "line_no": ln.line_no,
                "account_id": ln.account_id,
                "account_code": ln.account.code,
                "party_id": ln.party_id,
                "debit": ln.debit,
                "credit": ln.credit,
                "amount_currency": ln.amount_currency,
                "currency": ln.currency,
                "tax_code": ln.tax_code.code if ln.tax_code_id else None,
                "vat_box": ln.vat_box,
                "description": ln.description,
                "analytic": ln.analytic,
                "due_date": ln.due_date,
            }
            for ln in item.lines
        ]
        out.append({"entry": item.entry, "lines": item.entry._api_lines})
    return {"count": count, "total_debit": totals["debit"], "total_credit": totals["credit"], "entries": out}


@router.get("/ledger/reports/vat-return", response=VatReturnOut)
def vat_return(request: HttpRequest, date_from: dt.date, date_to: dt.date):
    require_perm(request, "ledger.view_journalline")
    result = selectors.vat_return(_company(request), date_from=date_from, date_to=date_to)
    boxes = [
        {**b.__dict__, "turnover_filed": b.turnover_filed, "vat_filed": b.vat_filed} for b in result.boxes
    ]
    return {"date_from": date_from, "date_to": date_to, "boxes": boxes, "to_pay": result.to_pay}


@router.get("/ledger/reports/vat-return/{box}/lines", response=list[VatLineOut])
def vat_return_lines(request: HttpRequest, box: str, date_from: dt.date, date_to: dt.date):
    require_perm(request, "ledger.view_journalline")
    if box not in selectors.VAT_BOXES:
        raise NotFound(_("no VAT return box %(box)r") % {"box": box})
    lines = selectors.vat_box_lines(_company(request), box, date_from=date_from, date_to=date_to)[:5000]
    return [
        {
            "id": ln.pk,
            "date": ln.date,
            "entry_id": ln.entry_id,
            "number": ln.entry.number,
            "account_code": ln.account.code,
            "tax_code": ln.tax_code.code if ln.tax_code_id else None,
            "tax_kind": ln.tax_kind,
            "amount": ln.amount,
            "description": ln.description or ln.entry.memo,
        }
        for ln in lines
    ]


@router.get("/ledger/reports/partner-statement/{party_id}", response=StatementOut)
def partner_statement(
    request: HttpRequest, party_id: int, date_from: dt.date | None = None, date_to: dt.date | None = None
):
    require_perm(request, "ledger.view_journalline")
    from kern.parties.models import Party

    party = scoped(Party, request, party_id)
    start, end = _year_range(request, date_from, date_to)
    statement = selectors.partner_statement(_company(request), party, date_from=start, date_to=end)
    return {
        "party_id": party.pk,
        "party": party.name,
        "date_from": start,
        "date_to": end,
        "opening": statement.opening,
        "closing": statement.closing,
        "lines": [ln.__dict__ for ln in statement.lines],
    }


@router.get("/ledger/verify", response=VerifyOut)
def verify(request: HttpRequest):
    require_perm(request, "ledger.view_journalentry")
    [check] = selectors.verify_books(_company(request)) or [None]
    if check is None:
        raise NotFound(_("this company has no books"))
    return check.as_dict()
