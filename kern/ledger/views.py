"""Ledger pages: chart, journals, taxes, periods and entries (generic pages of kern.core.ui), the
entry form with its running difference, and the reports with drill-down from every figure to the
lines and from every line to its entry and the source document behind it. Each report exports to
CSV and XLSX (`?format=csv|xlsx`) and prints to PDF (`?format=pdf`, WeasyPrint).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.core.db import atomic
from kern.core.exceptions import KernError
from kern.ledger import selectors, services
from kern.ledger.forms import (
    AccountEditForm,
    AccountForm,
    BalanceSheetForm,
    EntryForm,
    JournalEditForm,
    JournalForm,
    LineFormSet,
    PeriodRangeForm,
    ProfitAndLossForm,
    current_year,
    line_totals,
)
from kern.ledger.models import (
    Account,
    EntryStatus,
    FiscalYear,
    FiscalYearStatus,
    Journal,
    JournalEntry,
    Period,
    PeriodStatus,
    TaxCode,
)

D = Decimal
VIEW = "ledger.view_journalline"

SECTION_TITLES = {
    "revenue": _("Revenue"),
    "cost_of_sales": _("Cost of sales"),
    "expenses": _("Operating expenses"),
    "other_income": _("Other income"),
    "financial": _("Financial income and expense"),
    "other": _("Other"),
    "assets": _("Assets"),
    "liabilities": _("Liabilities"),
    "equity": _("Equity"),
}
VAT_LABELS = {
    "1a": _("Supplies/services taxed at the standard rate"),
    "1b": _("Supplies/services taxed at the reduced rate"),
    "1c": _("Supplies/services taxed at other rates, except 0%"),
    "1d": _("Private use"),
    "1e": _("Supplies/services taxed at 0% or not taxed with you"),
    "2a": _("Supplies/services where the VAT is reverse-charged to you"),
    "3a": _("Supplies of goods to countries outside the EU (export)"),
    "3b": _("Supplies of goods and services to countries within the EU"),
    "3c": _("Installation/distance sales within the EU"),
    "4a": _("Supplies/services from countries outside the EU"),
    "4b": _("Supplies/services from countries within the EU"),
    "5a": _("VAT owed (subtotal of 1a to 4b)"),
    "5b": _("Input tax"),
    "5c": _("Subtotal (5a minus 5b)"),
    "5d": _("Reduction under the small businesses scheme (KOR)"),
    "5e": _("Estimate of previous return(s)"),
    "5f": _("Estimate of this return"),
    "5g": _("Total to pay or to reclaim"),
}


# --------------------------------------------------------------------------------------------
# generic pages


class AccountPages(ui.Resource):
    model = Account
    prefix = "accounts/"
    list_columns = ["code", "name", "type", "subtype", "parent", "rgs_code", "is_group", "is_active"]
    default_columns = ["code", "name", "type", "subtype", "rgs_code", "is_active"]
    search_fields = ["code", "name", "rgs_code"]
    filters = ["type", "subtype", "is_group", "is_active"]
    ordering = ["code"]
    detail_fields = [
        (_("Account"), ["code", "name", "type", "subtype", "parent", "is_group", "is_active"]),
        (_("Reporting"), ["rgs_code", "currency", "description"]),
    ]
    form_class = AccountForm
    edit_form_class = AccountEditForm
    create_service = staticmethod(services.create_account)
    update_service = staticmethod(services.update_account)
    attachments = False

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        if obj is not None:
            return AccountEditForm(data=data, instance=obj)
        return super().get_form(request, obj, data, files)

    @property
    def tabs(self) -> list[ui.Tab]:  # type: ignore[override]
        return [
            ui.Tab(
                "roles",
                _("Account roles"),
                rows="roles",
                columns=["role"],
                row_url=lambda row: "",
            ),
            ui.Tab(
                "children",
                _("Accounts in this group"),
                rows="children",
                columns=["code", "name", "type", "is_active"],
            ),
        ]

    def object_title(self, obj: Any) -> str:
        return f"{obj.code} {obj.name}"


class JournalPages(ui.Resource):
    model = Journal
    prefix = "journals/"
    list_columns = ["code", "name", "kind", "default_account", "is_active"]
    search_fields = ["code", "name"]
    filters = ["kind", "is_active"]
    ordering = ["code"]
    detail_fields = ["code", "name", "kind", "default_account", "is_active"]
    form_class = JournalForm
    create_service = staticmethod(services.create_journal)
    update_service = staticmethod(services.update_journal)
    attachments = False
    comments = False

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        if obj is not None:
            return JournalEditForm(data=data, instance=obj)
        return super().get_form(request, obj, data, files)


class TaxCodePages(ui.Resource):
    model = TaxCode
    name = "taxcode"
    prefix = "tax-codes/"
    list_columns = [
        "code",
        "name",
        "direction",
        "kind",
        "rate",
        "account",
        "base_box",
        "tax_box",
        "deductible_box",
        "is_active",
    ]
    search_fields = ["code", "name"]
    filters = ["direction", "kind", "is_active"]
    ordering = ["direction", "code"]
    detail_fields = [
        (_("VAT code"), ["code", "name", "direction", "kind", "rate", "is_active"]),
        (
            _("Accounts and VAT return"),
            ["account", "deductible_account", "base_box", "tax_box", "deductible_box"],
        ),
    ]
    attachments = False
    comments = False


def _close_period(period: Period, *, by: Any) -> Any:
    return services.close_period(period, by=by)


def _reopen_period(period: Period, *, by: Any) -> Any:
    return services.reopen_period(period, by=by)


class PeriodPages(ui.Resource):
    model = Period
    prefix = "periods/"
    list_columns = [
        ui.Column("label", _("Period"), value=lambda p: p.label, sortable=False, link=True),
        "fiscal_year",
        "number",
        "kind",
        "start_date",
        "end_date",
        "status",
    ]
    filters = ["status", "kind", "fiscal_year"]
    ordering = ["-start_date", "number"]
    detail_fields = ["fiscal_year", "number", "kind", "start_date", "end_date", "status"]
    attachments = False
    comments = False
    actions = [
        ui.Action(
            "close",
            _("Close period"),
            _close_period,
            to=PeriodStatus.CLOSED,
            permission="ledger.change_period",
        ),
        ui.Action(
            "reopen",
            _("Reopen period"),
            _reopen_period,
            to=PeriodStatus.OPEN,
            style="outline-danger",
            permission="ledger.change_period",
            confirm=_("Reopen this period? Only a controller may; it is recorded in the audit log."),
        ),
    ]

    def object_title(self, obj: Any) -> str:
        return obj.label


def _close_year(year: FiscalYear, *, by: Any) -> Any:
    return services.close_fiscal_year(year, by=by)


def _reopen_year(year: FiscalYear, *, by: Any) -> Any:
    return services.reopen_fiscal_year(year, by=by)


class FiscalYearPages(ui.Resource):
    model = FiscalYear
    name = "fiscalyear"
    prefix = "fiscal-years/"
    list_columns = ["year", "start_date", "end_date", "status"]
    ordering = ["-year"]
    detail_fields = ["year", "start_date", "end_date", "status"]
    attachments = False
    comments = False
    tabs = [
        ui.Tab(
            "periods",
            _("Periods"),
            rows="periods",
            columns=["number", "kind", "start_date", "end_date", "status"],
        )
    ]
    actions = [
        ui.Action(
            "close",
            _("Close the year"),
            _close_year,
            to=FiscalYearStatus.CLOSED,
            permission="ledger.change_fiscalyear",
            confirm=_("Post the closing entry, close every period and open the next year?"),
        ),
        ui.Action(
            "reopen",
            _("Reopen the year"),
            _reopen_year,
            to=FiscalYearStatus.OPEN,
            style="outline-danger",
            permission="ledger.change_fiscalyear",
            confirm=_("Reopen this year? The closing entry is reversed. Only a controller may."),
        ),
    ]


def _post_draft(entry: JournalEntry, *, by: Any) -> Any:
    return services.post_draft(entry, by=by)


def _reverse(entry: JournalEntry, *, by: Any) -> Any:
    return services.reverse_entry(entry, by=by)


def _source_link(entry: JournalEntry) -> Any:
    if not entry.source_type:
        return ""
    return entry.source_number or f"{entry.source_type} #{entry.source_id}"


class EntryPages(ui.Resource):
    model = JournalEntry
    name = "journalentry"
    prefix = "entries/"
    list_columns = [
        ui.Column(
            "number", _("Number"), value=lambda e: e.number or gettext("draft"), sort_by="number", link=True
        ),
        "date",
        "journal",
        "memo",
        "status",
        "kind",
        "total",
        ui.Column("source", _("Source"), value=_source_link, sortable=False),
        "posted_by",
    ]
    default_columns = ["number", "date", "journal", "memo", "status", "total", "source"]
    search_fields = ["number", "memo", "source_number"]
    filters = ["journal", "status", "kind", "date"]
    ordering = ["-date", "-id"]
    detail_fields = [
        (_("Entry"), ["number", "journal", "date", "status", "kind", "memo", "total"]),
        (
            _("Origin"),
            [
                ui.Column("source", _("Source document"), value=_source_link),
                "reversal_of",
                "posted_by",
                "posted_at",
                ui.Column("hash", _("Hash"), value=lambda e: e.hash[:16] + "…" if e.hash else ""),
            ],
        ),
    ]
    history = True
    attachments = True
    actions = [
        ui.Action(
            "post", _("Post"), _post_draft, to=EntryStatus.POSTED, permission="ledger.add_journalentry"
        ),
        ui.Action(
            "reverse",
            _("Reverse"),
            _reverse,
            to=EntryStatus.REVERSED,
            style="outline-danger",
            permission="ledger.add_journalentry",
            confirm=_("Post a reversal of this entry, dated the same day?"),
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("journal", "posted_by")

    @property
    def tabs(self) -> list[ui.Tab]:  # type: ignore[override]
        columns = [
            "line_no",
            "account",
            "party",
            ui.Column("debit", _("Debit"), value=lambda ln: ln.debit or ""),
            ui.Column("credit", _("Credit"), value=lambda ln: ln.credit or ""),
            "tax_code",
            "description",
        ]
        return [
            ui.Tab(
                "lines",
                _("Lines"),
                rows=lambda e, request: (
                    (e.draft_lines if e.status == EntryStatus.DRAFT else e.lines)
                    .select_related("account", "party", "tax_code")
                    .order_by("line_no")
                ),
                columns=columns,
                row_url=lambda line: (
                    reverse("ledger:account_ledger", kwargs={"pk": line.account_id})
                    + f"?date_from={line.entry.date.isoformat()}&date_to={line.entry.date.isoformat()}"
                ),
            ),
            ui.Tab("reversals", _("Reversals"), rows="reversals", columns=["number", "date", "memo"]),
        ]

    def object_title(self, obj: Any) -> str:
        return obj.number or gettext("Draft entry")


ACCOUNTS = AccountPages()
JOURNALS = JournalPages()
TAX_CODES = TaxCodePages()
PERIODS = PeriodPages()
FISCAL_YEARS = FiscalYearPages()
ENTRIES = EntryPages()


# --------------------------------------------------------------------------------------------
# entry form


def _journal_choices(company: Any) -> list[tuple[str, str]]:
    return [
        (j.code, f"{j.code} {j.name}")
        for j in Journal.objects.filter(company=company, is_active=True).order_by("code")
    ]


@login_required
@permission_required("ledger.add_journalentry", raise_exception=True)
def entry_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Type an entry by hand: save it as a draft (it may be unbalanced) or post it at once.

    The page shows the running difference between debit and credit as the lines are typed
    (static/ledger/entry_form.js) and again after every save.
    """
    company = request.company
    draft = None
    if pk is not None:
        draft = JournalEntry.objects.filter(company=company, pk=pk).select_related("journal").first()
        if draft is None:
            raise Http404
        if draft.status != EntryStatus.DRAFT:
            messages.error(request, gettext("A posted entry cannot be changed: reverse it instead."))
            return HttpResponseRedirect(ENTRIES.object_url(draft))
    journals = _journal_choices(company)
    if request.method == "POST":
        form = EntryForm(request.POST, journals=journals)
        lines = LineFormSet(request.POST, prefix="lines")
        if form.is_valid() and lines.is_valid():
            specs, problems = _line_specs(company, lines)
            for problem in problems:
                form.add_error(None, problem)
            if not problems:
                try:
                    entry = _save_entry(request, company, draft, form.cleaned_data, specs)
                    return HttpResponseRedirect(ENTRIES.object_url(entry))
                except KernError as exc:
                    ui.apply_errors(form, exc)
    else:
        initial: dict[str, Any] = {
            "date": dt.date.today(),
            "journal": "MEM" if any(c == "MEM" for c, _n in journals) else "",
        }
        line_initial: list[dict[str, Any]] = [{}, {}]
        if draft is not None:
            initial = {"journal": draft.journal.code, "date": draft.date, "memo": draft.memo}
            line_initial = [
                {
                    "account": ln.account.code,
                    "description": ln.description,
                    "debit": ln.debit or None,
                    "credit": ln.credit or None,
                    "party": ln.party.number if ln.party_id else "",
                    "tax_code": ln.tax_code.code if ln.tax_code_id else "",
                }
                for ln in draft.draft_lines.select_related("account", "party", "tax_code").order_by("line_no")
            ] or [{}, {}]
        form = EntryForm(initial=initial, journals=journals)
        lines = LineFormSet(prefix="lines", initial=line_initial)
    debit, credit = line_totals(lines) if lines.is_bound and lines.is_valid() else (D(0), D(0))
    accounts = (
        Account.objects.filter(company=company, is_group=False, is_active=True)
        .order_by("code")
        .values_list("code", "name")
    )
    return render(
        request,
        "ledger/entry_form.html",
        {
            "title": gettext("Edit draft entry") if draft else gettext("New journal entry"),
            "form": form,
            "lines": lines,
            "debit": debit,
            "credit": credit,
            "difference": debit - credit,
            "accounts": accounts,
            "draft": draft,
        },
    )


def _save_entry(
    request: HttpRequest, company: Any, draft: Any, data: dict[str, Any], specs: list[Any]
) -> Any:
    fields = {"lines": specs, "on": data["date"], "memo": data["memo"], "journal": data["journal"]}
    if "post" in request.POST:
        with atomic():  # a draft keeps its old lines when posting is refused
            if draft is not None:
                services.update_draft(draft, by=request.user, **fields)
                entry = services.post_draft(draft, by=request.user)
            else:
                entry = services.post_entry(
                    company=company,
                    journal=data["journal"],
                    on=data["date"],
                    lines=specs,
                    memo=data["memo"],
                    by=request.user,
                )
        messages.success(request, gettext("Entry %(number)s is posted.") % {"number": entry.number})
        return entry
    if draft is not None:
        entry = services.update_draft(draft, by=request.user, **fields)
    else:
        entry = services.create_draft(
            company, journal=data["journal"], on=data["date"], lines=specs, memo=data["memo"], by=request.user
        )
    messages.success(request, gettext("The draft is saved."))
    return entry


def _line_specs(company: Any, lines: Any) -> tuple[list[services.LineSpec], list[str]]:
    from kern.parties.models import Party

    specs: list[services.LineSpec] = []
    problems: list[str] = []
    for n, form in enumerate(lines.forms, start=1):
        data = form.cleaned_data
        if not data or not form.has_amount():
            continue
        party_id = None
        if data.get("party"):
            party_id = (
                Party.objects.for_company(company)
                .filter(number=data["party"])
                .values_list("pk", flat=True)
                .first()
            )
            if party_id is None:
                problems.append(
                    gettext("Line %(n)s: there is no party %(party)s.") % {"n": n, "party": data["party"]}
                )
        specs.append(
            services.LineSpec(
                account=data.get("account") or "",
                debit=data.get("debit") or D(0),
                credit=data.get("credit") or D(0),
                party_id=party_id,
                tax_code=data.get("tax_code") or None,
                description=data.get("description") or "",
            )
        )
    return specs, problems


# --------------------------------------------------------------------------------------------
# reports


def _range(request: HttpRequest, form_class: type = PeriodRangeForm) -> tuple[Any, dt.date, dt.date]:
    start, end = current_year(request.company)
    data = request.GET.copy()
    data.setdefault("date_from", start.isoformat())
    data.setdefault("date_to", end.isoformat())
    form = form_class(data)
    if form.is_valid():
        return form, form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    return form, start, end


def _export(
    request: HttpRequest,
    *,
    title: str,
    subtitle: str,
    columns: list[ui.Column],
    rows: list[dict[str, Any]],
    filename: str,
) -> HttpResponse | None:
    """CSV, XLSX or PDF of a report when ?format= asks for it (None: render the page)."""
    fmt = request.GET.get("format", "")
    if fmt == "csv":
        response = HttpResponse(ui.export_csv(columns, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(
            ui.export_xlsx(columns, rows, title=title),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "pdf":
        from weasyprint import HTML

        html = render_to_string(
            "ledger/print/report.html",
            {
                "title": title,
                "subtitle": subtitle,
                "company": request.company,
                "columns": columns,
                "rows": [[col.display(row) for col in columns] for row in rows],
                "numeric_indexes": [i for i, col in enumerate(columns) if col.numeric],
                "printed": dt.date.today(),
            },
            request=request,
        )
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    else:
        return None
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _table(
    columns: list[ui.Column], rows: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], list[tuple[str, Any]]]]:
    return [(row, [(col.display(row), col) for col in columns]) for row in rows]


def _col(name: str, label: Any, numeric: bool = False) -> ui.Column:
    # Report rows are dicts of amounts in the company's currency: shown with two decimals always.
    return ui.Column(
        name, label, value=lambda row, key=name: row.get(key), numeric=numeric, money=numeric, sortable=False
    )


def _ledger_url(account_id: int | None, date_from: dt.date, date_to: dt.date) -> str:
    if not account_id:
        return ""
    return (
        reverse("ledger:account_ledger", kwargs={"pk": account_id})
        + f"?date_from={date_from.isoformat()}&date_to={date_to.isoformat()}"
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def trial_balance(request: HttpRequest) -> HttpResponse:
    form, start, end = _range(request)
    tb = selectors.trial_balance(request.company, date_from=start, date_to=end)
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "opening": r.opening,
            "debit": r.debit,
            "credit": r.credit,
            "closing": r.closing,
            "url": _ledger_url(r.account_id, start, end),
        }
        for r in tb.rows
    ]
    columns = [
        _col("code", _("Account")),
        _col("name", _("Name")),
        _col("opening", _("Opening balance"), True),
        _col("debit", _("Debit"), True),
        _col("credit", _("Credit"), True),
        _col("closing", _("Closing balance"), True),
    ]
    title = gettext("Trial balance")
    subtitle = f"{start:%d-%m-%Y} – {end:%d-%m-%Y}"
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"trial-balance-{start}-{end}",
    )
    if exported:
        return exported
    totals = {
        "opening": tb.total_opening,
        "debit": tb.total_debit,
        "credit": tb.total_credit,
        "closing": tb.total_closing,
    }
    return render(
        request,
        "ledger/report_table.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "columns": columns,
            "rows": rows,
            "totals": totals,
            "balanced": tb.is_balanced,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def account_ledger(request: HttpRequest, pk: int) -> HttpResponse:
    account = Account.objects.filter(company=request.company, pk=pk).first()
    if account is None:
        raise Http404
    form, start, end = _range(request)
    export = request.GET.get("format") in ("csv", "xlsx", "pdf")
    try:
        ledger = selectors.general_ledger(
            account,
            date_from=start,
            date_to=end,
            page_size=100_000 if export else 50,
            cursor=request.GET.get("cursor") or None,
        )
    except ValueError:
        raise Http404 from None
    rows = [
        {
            "date": ln.date,
            "number": ln.number,
            "journal": ln.journal,
            "description": ln.description,
            "party": ln.party,
            "debit": ln.debit or None,
            "credit": ln.credit or None,
            "balance": ln.balance,
            "entry_url": reverse("ledger:journalentry_detail", kwargs={"pk": ln.entry_id}),
            "source_url": ui.document_url(ln.source_type, ln.source_id) if ln.source_type else "",
            "currency": f"{ln.currency} {ln.amount_currency}"
            if ln.currency and ln.amount_currency is not None
            else "",
        }
        for ln in ledger.lines
    ]
    columns = [
        _col("date", _("Date")),
        _col("number", _("Entry")),
        _col("journal", _("Journal")),
        _col("description", _("Description")),
        _col("party", _("Party")),
        _col("debit", _("Debit"), True),
        _col("credit", _("Credit"), True),
        _col("balance", _("Balance"), True),
    ]
    title = f"{account.code} {account.name}"
    subtitle = f"{start:%d-%m-%Y} – {end:%d-%m-%Y}"
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"ledger-{account.code}-{start}-{end}",
    )
    if exported:
        return exported
    more = ""
    if ledger.next_cursor:
        query = request.GET.copy()
        query["cursor"] = ledger.next_cursor
        more = f"?{query.urlencode()}"
    return render(
        request,
        "ledger/account_ledger.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "account": account,
            "ledger": ledger,
            "rows": rows,
            "more_url": more,
        },
    )


def _section_rows(sections: list[Any], start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    rows = []
    for section in sections:
        title = str(SECTION_TITLES.get(section.key, section.title))
        rows.append({"heading": True, "name": title})
        for ln in section.lines:
            rows.append(
                {
                    "code": ln.code,
                    "name": ln.name if ln.account_id else gettext("Result not yet closed"),
                    "amount": ln.amount,
                    "compare": ln.compare,
                    "url": _ledger_url(ln.account_id, start, end),
                }
            )
        rows.append(
            {
                "total": True,
                "name": gettext("Total %(section)s") % {"section": title.lower()},
                "amount": section.total,
                "compare": section.compare_total,
            }
        )
    return rows


@login_required
@permission_required(VIEW, raise_exception=True)
def profit_and_loss(request: HttpRequest) -> HttpResponse:
    form, start, end = _range(request, ProfitAndLossForm)
    compare_from = form.cleaned_data.get("compare_from") if form.is_valid() else None
    compare_to = form.cleaned_data.get("compare_to") if form.is_valid() else None
    pnl = selectors.profit_and_loss(
        request.company, date_from=start, date_to=end, compare_from=compare_from, compare_to=compare_to
    )
    rows = _section_rows(pnl.sections, start, end)
    rows.append(
        {"total": True, "name": gettext("Result"), "amount": pnl.result, "compare": pnl.compare_result}
    )
    columns = [_col("code", _("Account")), _col("name", _("Name")), _col("amount", _("Amount"), True)]
    if compare_from and compare_to:
        columns.append(_col("compare", _("Comparison"), True))
    title = gettext("Profit and loss")
    subtitle = f"{start:%d-%m-%Y} – {end:%d-%m-%Y}" + (
        f" / {compare_from:%d-%m-%Y} – {compare_to:%d-%m-%Y}" if compare_from and compare_to else ""
    )
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"profit-and-loss-{start}-{end}",
    )
    return exported or render(
        request,
        "ledger/report_statement.html",
        {"title": title, "subtitle": subtitle, "form": form, "columns": columns, "rows": rows},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def balance_sheet(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("on", dt.date.today().isoformat())
    form = BalanceSheetForm(data)
    on = form.cleaned_data["on"] if form.is_valid() else dt.date.today()
    compare_on = form.cleaned_data.get("compare_on") if form.is_valid() else None
    sheet = selectors.balance_sheet(request.company, on=on, compare_on=compare_on)
    start = on.replace(month=1, day=1)
    rows = _section_rows([sheet.assets, sheet.liabilities, sheet.equity], start, on)
    rows.append(
        {
            "total": True,
            "name": gettext("Liabilities and equity"),
            "amount": sheet.total_liabilities_and_equity,
        }
    )
    columns = [_col("code", _("Account")), _col("name", _("Name")), _col("amount", _("Amount"), True)]
    if compare_on:
        columns.append(_col("compare", _("Comparison"), True))
    title = gettext("Balance sheet")
    subtitle = f"{on:%d-%m-%Y}" + (f" / {compare_on:%d-%m-%Y}" if compare_on else "")
    exported = _export(
        request, title=title, subtitle=subtitle, columns=columns, rows=rows, filename=f"balance-sheet-{on}"
    )
    return exported or render(
        request,
        "ledger/report_statement.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "columns": columns,
            "rows": rows,
            "balanced": sheet.is_balanced,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def journal_report(request: HttpRequest) -> HttpResponse:
    form, start, end = _range(request)
    journal = request.GET.get("journal") or None
    export = request.GET.get("format") in ("csv", "xlsx", "pdf")
    page = (
        max(0, int(request.GET.get("page", "0") or 0))
        if (request.GET.get("page", "0") or "0").isdigit()
        else 0
    )
    limit = 100_000 if export else 50
    entries, totals, count = selectors.journal_report(
        request.company, date_from=start, date_to=end, journal=journal, limit=limit, offset=page * limit
    )
    rows = []
    for item in entries:
        for ln in item.lines:
            rows.append(
                {
                    "date": item.entry.date,
                    "number": item.entry.number,
                    "journal": item.entry.journal.code,
                    "account": ln.account.code,
                    "description": ln.description or item.entry.memo,
                    "party": ln.party.name if ln.party_id else "",
                    "debit": ln.debit or None,
                    "credit": ln.credit or None,
                    "vat": ln.tax_code.code if ln.tax_code_id else "",
                    "entry_url": reverse("ledger:journalentry_detail", kwargs={"pk": item.entry.pk}),
                    "first": ln.line_no == 1,
                }
            )
    columns = [
        _col("date", _("Date")),
        _col("number", _("Entry")),
        _col("journal", _("Journal")),
        _col("account", _("Account")),
        _col("description", _("Description")),
        _col("party", _("Party")),
        _col("debit", _("Debit"), True),
        _col("credit", _("Credit"), True),
        _col("vat", _("VAT code")),
    ]
    title = gettext("Journal report")
    subtitle = f"{journal or gettext('all journals')} · {start:%d-%m-%Y} – {end:%d-%m-%Y}"
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"journal-{journal or 'all'}-{start}-{end}",
    )
    if exported:
        return exported
    query = request.GET.copy()
    query["page"] = str(page + 1)
    return render(
        request,
        "ledger/journal_report.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "rows": rows,
            "totals": totals,
            "count": count,
            "journals": Journal.objects.filter(company=request.company).order_by("code"),
            "journal": journal,
            "more_url": f"?{query.urlencode()}" if (page + 1) * limit < count else "",
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def vat_return(request: HttpRequest) -> HttpResponse:
    today = dt.date.today()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    data = request.GET.copy()
    data.setdefault("date_from", quarter_start.isoformat())
    data.setdefault(
        "date_to",
        (
            (quarter_start.replace(day=28) + dt.timedelta(days=70)).replace(day=1) - dt.timedelta(days=1)
        ).isoformat(),
    )
    form = PeriodRangeForm(data)
    start, end = (
        (form.cleaned_data["date_from"], form.cleaned_data["date_to"])
        if form.is_valid()
        else (quarter_start, today)
    )
    result = selectors.vat_return(request.company, date_from=start, date_to=end)
    rows = [
        {
            "box": b.box,
            "label": str(VAT_LABELS.get(b.box, b.label)),
            "turnover": b.turnover,
            "vat": b.vat,
            "turnover_filed": b.turnover_filed,
            "vat_filed": b.vat_filed,
            "url": reverse("ledger:vat_box", kwargs={"box": b.box})
            + f"?date_from={start.isoformat()}&date_to={end.isoformat()}",
        }
        for b in result.boxes
    ]
    columns = [
        _col("box", _("Box")),
        _col("label", _("Description")),
        _col("turnover", _("Turnover"), True),
        _col("vat", _("VAT"), True),
        _col("turnover_filed", _("Turnover (filed)"), True),
        _col("vat_filed", _("VAT (filed)"), True),
    ]
    title = gettext("VAT return")
    subtitle = f"{start:%d-%m-%Y} – {end:%d-%m-%Y}"
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"vat-return-{start}-{end}",
    )
    return exported or render(
        request,
        "ledger/vat_return.html",
        {"title": title, "subtitle": subtitle, "form": form, "rows": rows, "to_pay": result.to_pay},
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def vat_box(request: HttpRequest, box: str) -> HttpResponse:
    if box not in selectors.VAT_BOXES:
        raise Http404
    form, start, end = _range(request)
    lines = selectors.vat_box_lines(request.company, box, date_from=start, date_to=end)
    rows = [
        {
            "date": ln.date,
            "number": ln.entry.number,
            "account": f"{ln.account.code} {ln.account.name}",
            "tax_code": ln.tax_code.code if ln.tax_code_id else "",
            "kind": gettext("VAT") if ln.tax_kind == "tax" else gettext("turnover"),
            "description": ln.description or ln.entry.memo,
            "amount": ln.amount,
            "entry_url": reverse("ledger:journalentry_detail", kwargs={"pk": ln.entry_id}),
            "source_url": ui.document_url(ln.entry.source_type, ln.entry.source_id)
            if ln.entry.source_type
            else "",
        }
        for ln in lines[:5000]
    ]
    columns = [
        _col("date", _("Date")),
        _col("number", _("Entry")),
        _col("account", _("Account")),
        _col("tax_code", _("VAT code")),
        _col("kind", _("Counts as")),
        _col("description", _("Description")),
        _col("amount", _("Debit − credit"), True),
    ]
    title = gettext("VAT return box %(box)s") % {"box": box}
    subtitle = f"{VAT_LABELS[box]} · {start:%d-%m-%Y} – {end:%d-%m-%Y}"
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"vat-box-{box}-{start}-{end}",
    )
    return exported or render(
        request,
        "ledger/report_lines.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "columns": columns,
            "table": _table(columns, rows),
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def partner_statement(request: HttpRequest, party_pk: int) -> HttpResponse:
    from kern.parties.models import Party

    party = Party.objects.for_company(request.company).filter(pk=party_pk).first()
    if party is None:
        raise Http404
    form, start, end = _range(request)
    statement = selectors.partner_statement(request.company, party, date_from=start, date_to=end)
    rows = [
        {
            "date": ln.date,
            "number": ln.number,
            "description": ln.description,
            "due_date": ln.due_date,
            "debit": ln.debit or None,
            "credit": ln.credit or None,
            "balance": ln.balance,
            "entry_url": reverse("ledger:journalentry_detail", kwargs={"pk": ln.entry_id}),
            "source_url": ui.document_url(ln.source_type, ln.source_id) if ln.source_type else "",
        }
        for ln in statement.lines
    ]
    columns = [
        _col("date", _("Date")),
        _col("number", _("Document")),
        _col("description", _("Description")),
        _col("due_date", _("Due")),
        _col("debit", _("Debit"), True),
        _col("credit", _("Credit"), True),
        _col("balance", _("Balance"), True),
    ]
    title = gettext("Statement of %(party)s") % {"party": party.name}
    subtitle = f"{start:%d-%m-%Y} – {end:%d-%m-%Y}"
    exported = _export(
        request,
        title=title,
        subtitle=subtitle,
        columns=columns,
        rows=rows,
        filename=f"statement-{party.number}-{start}-{end}",
    )
    return exported or render(
        request,
        "ledger/report_lines.html",
        {
            "title": title,
            "subtitle": subtitle,
            "form": form,
            "columns": columns,
            "table": _table(columns, rows),
            "opening": statement.opening,
            "closing": statement.closing,
        },
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def reports_home(request: HttpRequest) -> HttpResponse:
    return render(request, "ledger/reports.html", {"title": gettext("Financial reports")})


# --------------------------------------------------------------------------------------------
# registration


def _statement_rows(party: Any, request: HttpRequest) -> list[Any]:
    start, end = current_year(request.company)
    return selectors.partner_statement(request.company, party, date_from=start, date_to=end).lines[-100:]


def register_ui() -> None:
    """Menu entries and the statement tab on the party page (called from LedgerConfig.ready)."""
    area = "accounting"
    ui.register_nav(
        area,
        _("Journal entries"),
        "ledger:journalentry_list",
        permission="ledger.view_journalentry",
        order=10,
    )
    ui.register_nav(
        area, _("New journal entry"), "ledger:entry_new", permission="ledger.add_journalentry", order=11
    )
    ui.register_nav(
        area, _("Trial balance"), "ledger:trial_balance", permission=VIEW, order=20, group=_("Reports")
    )
    ui.register_nav(
        area, _("Balance sheet"), "ledger:balance_sheet", permission=VIEW, order=21, group=_("Reports")
    )
    ui.register_nav(
        area, _("Profit and loss"), "ledger:profit_and_loss", permission=VIEW, order=22, group=_("Reports")
    )
    ui.register_nav(
        area, _("Journal report"), "ledger:journal_report", permission=VIEW, order=23, group=_("Reports")
    )
    ui.register_nav(area, _("VAT return"), "ledger:vat_return", permission=VIEW, order=24, group=_("Reports"))
    ui.register_nav(
        area,
        _("Chart of accounts"),
        "ledger:account_list",
        permission="ledger.view_account",
        order=30,
        group=_("Set-up"),
    )
    ui.register_nav(
        area,
        _("Journals"),
        "ledger:journal_list",
        permission="ledger.view_journal",
        order=31,
        group=_("Set-up"),
    )
    ui.register_nav(
        area,
        _("VAT codes"),
        "ledger:taxcode_list",
        permission="ledger.view_taxcode",
        order=32,
        group=_("Set-up"),
    )
    ui.register_nav(
        area,
        _("Fiscal years"),
        "ledger:fiscalyear_list",
        permission="ledger.view_fiscalyear",
        order=33,
        group=_("Set-up"),
    )
    ui.register_nav(
        area, _("Periods"), "ledger:period_list", permission="ledger.view_period", order=34, group=_("Set-up")
    )
    ui.register_nav("reports", _("Financial reports"), "ledger:reports", permission=VIEW, order=10)
    ui.register_document_url("ledger.journalentry", "ledger:journalentry_detail")
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "ledger_statement",
            _("Statement"),
            rows=_statement_rows,
            columns=[
                ui.Column("date", _("Date"), value=lambda ln: ln.date),
                ui.Column("number", _("Document"), value=lambda ln: ln.number),
                ui.Column("description", _("Description"), value=lambda ln: ln.description),
                ui.Column("debit", _("Debit"), value=lambda ln: ln.debit or "", numeric=True),
                ui.Column("credit", _("Credit"), value=lambda ln: ln.credit or "", numeric=True),
                ui.Column("balance", _("Balance"), value=lambda ln: ln.balance, numeric=True),
            ],
            permission=VIEW,
            row_url=lambda ln: reverse("ledger:journalentry_detail", kwargs={"pk": ln.entry_id}),
        ),
        order=60,
    )
