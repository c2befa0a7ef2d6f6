"""Pages of payments on the generic machinery of kern.core.ui: open items, payments, bank
journals and statements, payment runs and dunning letters, with their workflow buttons."""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.core.exceptions import KernError
from kern.parties.models import Party
from kern.payments import documents, forms, selectors, services
from kern.payments.models import (
    BankJournal,
    BankStatement,
    DunningLetter,
    LineStatus,
    OpenItem,
    OpenItemKind,
    Payment,
    PaymentDirection,
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
    detail_template = "payments/bankstatement_detail.html"
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
    detail_template = "payments/statementline_detail.html"
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
    detail_template = "payments/paymentrun_detail.html"
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
            success=_("The payments are booked; download the SEPA file."),
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
        area,
        _("Import a bank statement"),
        "payments:statement_import",
        permission="payments.add_bankstatement",
        order=66,
    )
    ui.register_nav(
        area,
        _("Register a payment"),
        "payments:register_payment",
        permission="payments.add_payment",
        order=67,
    )
    ui.register_nav(
        area,
        _("Aged receivables"),
        "payments:aged_receivables",
        permission="payments.view_openitem",
        order=68,
    )
    ui.register_nav(
        area, _("Aged payables"), "payments:aged_payables", permission="payments.view_openitem", order=69
    )
    ui.register_nav(
        "purchasing",
        _("Propose a payment run"),
        "payments:propose_run",
        permission="payments.add_paymentrun",
        order=81,
    )
    register_party_tab()
    ui.register_nav(
        "settings",
        _("Bank journals"),
        "payments:bankjournal_list",
        permission="payments.view_bankjournal",
        order=60,
    )


# --- screens beyond the generic pages ------------------------------------------------------------

BUCKET_LABELS = [
    ("current", _("Not yet due")),
    ("days_1_30", _("1–30 days")),
    ("days_31_60", _("31–60 days")),
    ("days_61_90", _("61–90 days")),
    ("over_90", _("Over 90 days")),
]


def _company(request: HttpRequest) -> Any:
    company = getattr(request, "company", None)
    if company is None:
        raise Http404
    return company


def _get(model: type, request: HttpRequest, pk: Any) -> Any:
    found = model._default_manager.filter(company=_company(request), pk=pk).first()
    if found is None:
        raise Http404
    return found


def _items_with_links(items: Any) -> list[dict[str, Any]]:
    """Open items with the page of the item and of the document behind it."""
    return [
        {
            "item": item,
            "url": reverse("payments:openitem_detail", kwargs={"pk": item.pk}),
            "document_url": ui.document_url(item.source_type, item.source_id) if item.source_id else "",
        }
        for item in items
    ]


@login_required
@permission_required("payments.add_bankstatement", raise_exception=True)
def import_statement(request: HttpRequest) -> HttpResponse:
    """Upload a camt.053 or bank CSV file; show what was booked, matched and left to reconcile."""
    company = _company(request)
    form = forms.StatementUploadForm(request.POST or None, request.FILES or None, company=company)
    result = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = services.import_bank_statement(
                    company,
                    upload.read(),
                    filename=upload.name,
                    format=form.cleaned_data["format"] or None,
                    mapping=form.cleaned_data["mapping"],
                    bank_journal=form.cleaned_data["bank_journal"],
                    by=request.user,
                )
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("%(reconciled)s lines were reconciled, %(unmatched)s are left to reconcile.")
                    % {"reconciled": result.reconciled, "unmatched": result.unmatched},
                )
        if form.errors:
            status = 422
    return render(
        request,
        "payments/statement_import.html",
        {
            "title": _("Import a bank statement"),
            "form": form,
            "result": result,
            "statement_urls": [
                (s, reverse("payments:bankstatement_detail", kwargs={"pk": s.pk}))
                for s in (result.statements if result else [])
            ],
        },
        status=status,
    )


AMOUNT = djforms.DecimalField(max_digits=20, decimal_places=2)


def _allocations_from_post(request: HttpRequest, items: dict[int, OpenItem]) -> tuple[list, list[str]]:
    """Ticked items (`item`) with their amounts (`amount_<id>`, default the residual)."""
    specs, errors = [], []
    for raw in request.POST.getlist("item"):
        try:
            item = items[int(raw)]
        except (ValueError, KeyError):
            errors.append(_("An open item that was ticked is not open any more."))
            continue
        text = (request.POST.get(f"amount_{item.pk}") or "").strip().replace(",", ".")
        try:
            amount = AMOUNT.clean(text) if text else abs(item.residual)
        except ValidationError:
            errors.append(_("%(number)s: %(text)s is not an amount.") % {"number": item.number, "text": text})
            continue
        if amount <= 0:
            errors.append(_("%(number)s: the amount must be more than zero.") % {"number": item.number})
            continue
        specs.append(services.AllocationSpec(item.pk, amount))
    return specs, errors


def _party_items(company: Any, party_id: Any) -> list[OpenItem]:
    if not party_id:
        return []
    return list(selectors.open_items_of(company, party_id).select_related("currency"))


@login_required
@permission_required("payments.add_payment", raise_exception=True)
def register_payment(request: HttpRequest) -> HttpResponse:
    """A customer's receipt or a payment to a vendor, allocated to the ticked open items (none
    ticked: oldest first; what is left stays as the party's credit)."""
    company = _company(request)
    initial = {
        "date": timezone.localdate(),
        "direction": request.GET.get("direction") or PaymentDirection.INCOMING,
        "party": request.GET.get("party") or None,
    }
    form = forms.PaymentForm(request.POST or None, company=company, initial=initial)
    party_id = (request.POST.get("party") if request.method == "POST" else request.GET.get("party")) or None
    if party_id and not str(party_id).isdigit():
        party_id = None
    items = _party_items(company, party_id)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        specs, errors = _allocations_from_post(request, {i.pk: i for i in items})
        for error in errors:
            form.add_error(None, error)
        if not errors:
            bank = data["bank_journal"]
            try:
                payment = services.post_payment(
                    company,
                    direction=data["direction"],
                    party=data["party"],
                    amount=data["amount"],
                    currency=bank.currency_id if bank else None,
                    on=data["date"],
                    reference=data["reference"],
                    memo=data["memo"],
                    allocations=specs or None,
                    bank_journal=bank,
                    by=request.user,
                )
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                messages.success(request, _("Payment %(number)s is booked.") % {"number": payment.number})
                return HttpResponseRedirect(reverse("payments:payment_detail", kwargs={"pk": payment.pk}))
    if form.errors:
        status = 422
    return render(
        request,
        "payments/register_payment.html",
        {"title": _("Register a payment"), "form": form, "items": _items_with_links(items)},
        status=status,
    )


def _line_candidates(company: Any, line: StatementLine, party_id: Any) -> list[OpenItem]:
    if party_id:
        return _party_items(company, party_id)
    return list(
        OpenItem.objects.filter(
            company=company,
            kind=OpenItemKind.RECEIVABLE if line.amount > 0 else OpenItemKind.PAYABLE,
            residual=abs(line.amount),
            currency_id=line.currency_id,
        )
        .exclude(status="paid")
        .select_related("party")
        .order_by("due_date", "pk")[:20]
    )


@login_required
@permission_required("payments.change_statementline", raise_exception=True)
def reconcile_line(request: HttpRequest, pk: int) -> HttpResponse:
    """One statement line: the suggested match, the candidate items, and what to do with it."""
    company = _company(request)
    line = get_object_or_404(
        StatementLine.objects.select_related("statement__bank_journal", "party", "payment"),
        company=company,
        pk=pk,
    )
    back = reverse("payments:reconcile_line", kwargs={"pk": line.pk})
    party_id = request.POST.get("party") or request.GET.get("party") or line.party_id
    if party_id and not str(party_id).isdigit():
        party_id = None
    open_line = line.status == LineStatus.UNMATCHED
    suggestion = selectors.match_for_line(line) if open_line else None
    items = _line_candidates(company, line, party_id) if open_line else []
    form = forms.ReconcileForm(
        request.POST if request.POST.get("do") == "allocate" else None,
        company=company,
        initial={"party": party_id},
    )
    book_form = forms.BookToAccountForm(request.POST if request.POST.get("do") == "book" else None)
    payments = []
    if open_line:
        payments = list(
            Payment.objects.filter(
                company=company,
                is_reconciled=False,
                status=PaymentStatus.POSTED,
                amount=abs(line.amount),
                direction=PaymentDirection.INCOMING if line.amount > 0 else PaymentDirection.OUTGOING,
            )
            .select_related("party")
            .order_by("-date", "-pk")[:10]
        )
    status = 200
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "suggested":
                if not services.auto_match_line(line, by=request.user):
                    messages.warning(
                        request, _("The suggestion does not settle this line; reconcile it by hand.")
                    )
                return HttpResponseRedirect(back)
            if action == "payment":
                payment = get_object_or_404(Payment, company=company, pk=request.POST.get("payment") or 0)
                services.match_line_to_payment(line, payment, by=request.user)
                messages.success(
                    request, _("The line is matched with %(number)s.") % {"number": payment.number}
                )
                return HttpResponseRedirect(back)
            if action == "ignore":
                services.ignore_line(line, by=request.user)
                messages.success(request, _("The line is ignored."))
                return HttpResponseRedirect(back)
            if action == "unmatch":
                services.unmatch_line(line, by=request.user)
                messages.success(request, _("The line is open again."))
                return HttpResponseRedirect(back)
            if action == "book" and book_form.is_valid():
                services.book_line_to_account(
                    line,
                    account=book_form.cleaned_data["account"],
                    description=book_form.cleaned_data["description"],
                    by=request.user,
                )
                messages.success(request, _("The line is booked to the account."))
                return HttpResponseRedirect(back)
            if action == "allocate" and form.is_valid():
                specs, errors = _allocations_from_post(request, {i.pk: i for i in items})
                for error in errors:
                    form.add_error(None, error)
                if not errors:
                    payment = services.reconcile_line(
                        line, party=form.cleaned_data["party"], allocations=specs, by=request.user
                    )
                    messages.success(
                        request, _("Payment %(number)s is booked from the line.") % {"number": payment.number}
                    )
                    return HttpResponseRedirect(back)
        except KernError as exc:
            target = book_form if action == "book" else form
            if target.is_bound:
                ui.apply_errors(target, exc)
            else:
                messages.error(request, exc.message)
        if form.errors or book_form.errors:
            status = 422
        elif action not in ("allocate", "book"):
            status = 409
    return render(
        request,
        "payments/reconcile_line.html",
        {
            "title": _("Reconcile a statement line"),
            "line": line,
            "open_line": open_line,
            "suggestion": suggestion,
            "suggested_items": _items_with_links(suggestion.items) if suggestion else [],
            "items": _items_with_links(items),
            "payments": payments,
            "form": form,
            "book_form": book_form,
            "statement_url": reverse("payments:bankstatement_detail", kwargs={"pk": line.statement_id}),
            "next_url": _next_unmatched(company, line),
        },
        status=status,
    )


def _next_unmatched(company: Any, line: StatementLine) -> str:
    following = (
        StatementLine.objects.filter(company=company, status=LineStatus.UNMATCHED)
        .exclude(pk=line.pk)
        .order_by("booking_date", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return reverse("payments:reconcile_line", kwargs={"pk": following}) if following else ""


@login_required
@permission_required("payments.add_paymentrun", raise_exception=True)
def propose_run(request: HttpRequest) -> HttpResponse:
    """Pick the due vendor bills (per vendor) and make a draft payment run of them."""
    company = _company(request)
    today = timezone.localdate()
    source = request.POST if request.method == "POST" else (request.GET or None)
    form = forms.ProposeRunForm(source, company=company, initial={"execution_date": today})
    due_until = today
    if form.is_bound and form.is_valid():
        due_until = form.cleaned_data["due_until"] or form.cleaned_data["execution_date"]
    due = selectors.due_payables(company, due_until)
    status = 200
    if request.method == "POST" and form.is_valid():
        chosen = [int(v) for v in request.POST.getlist("vendor") if v.isdigit()]
        if not chosen:
            form.add_error(None, _("Tick at least one vendor."))
        else:
            try:
                run = services.propose_payment_run(
                    company,
                    execution_date=form.cleaned_data["execution_date"],
                    due_until=form.cleaned_data["due_until"],
                    bank_journal=form.cleaned_data["bank_journal"],
                    parties=chosen,
                    by=request.user,
                )
            except KernError as exc:
                ui.apply_errors(form, exc)
            else:
                messages.success(request, _("Payment run %(number)s is proposed.") % {"number": run.number})
                return HttpResponseRedirect(reverse("payments:paymentrun_detail", kwargs={"pk": run.pk}))
    if form.errors:
        status = 422
    return render(
        request,
        "payments/propose_run.html",
        {"title": _("Propose a payment run"), "form": form, "due": due, "due_until": due_until},
        status=status,
    )


@login_required
@permission_required("payments.view_paymentrun", raise_exception=True)
def download_pain001(request: HttpRequest, pk: int) -> HttpResponse:
    """The run's SEPA credit-transfer file (pain.001.001.03), once the run is exported."""
    run = _get(PaymentRun, request, pk)
    if run.status not in (PaymentRunStatus.EXPORTED, PaymentRunStatus.DONE) or not run.pain001:
        messages.error(request, _("The run must be booked and exported before its file can be downloaded."))
        return HttpResponseRedirect(reverse("payments:paymentrun_detail", kwargs={"pk": run.pk}))
    response = HttpResponse(run.pain001.encode(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{run.number}.xml"'
    return response


def _ageing_page(request: HttpRequest, kind: str) -> HttpResponse:
    company = _company(request)
    form = forms.AgeingForm(request.GET or None)
    on = timezone.localdate()
    if form.is_bound and form.is_valid() and form.cleaned_data["on"]:
        on = form.cleaned_data["on"]
    report = selectors.ageing(company, kind, on)
    receivable = kind == OpenItemKind.RECEIVABLE
    return render(
        request,
        "payments/ageing.html",
        {
            "title": _("Aged receivables") if receivable else _("Aged payables"),
            "form": form,
            "report": report,
            "totals": report.totals,
            "buckets": BUCKET_LABELS,
            "kind": kind,
            "party_label": _("Customer") if receivable else _("Vendor"),
            "items_url": reverse("payments:openitem_list"),
        },
        status=400 if form.errors else 200,
    )


@login_required
@permission_required("payments.view_openitem", raise_exception=True)
def aged_receivables(request: HttpRequest) -> HttpResponse:
    return _ageing_page(request, OpenItemKind.RECEIVABLE)


@login_required
@permission_required("payments.view_openitem", raise_exception=True)
def aged_payables(request: HttpRequest) -> HttpResponse:
    return _ageing_page(request, OpenItemKind.PAYABLE)


@login_required
@permission_required("payments.view_openitem", raise_exception=True)
def party_statement(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer's or vendor's account from one day to another, with what is open at the end;
    `?format=pdf` prints it."""
    company = _company(request)
    party = _get(Party, request, pk)
    today = timezone.localdate()
    form = forms.PartyStatementForm(request.GET or None)
    start, end = today.replace(month=1, day=1), today
    kind = OpenItemKind.PAYABLE if party.is_vendor and not party.is_customer else OpenItemKind.RECEIVABLE
    if form.is_bound and form.is_valid():
        kind = form.cleaned_data["kind"] or kind
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or max(end, start)
    if end < start:
        form.add_error(None, _("The period ends before it starts."))
        end = start
    statement = selectors.party_statement(company, party, start, end, kind=kind)
    if request.GET.get("format") == "pdf" and not form.errors:
        response = HttpResponse(
            documents.party_statement_pdf(statement, company), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'inline; filename="statement-{party.number or party.pk}-{end}.pdf"'
        return response
    return render(
        request,
        "payments/party_statement.html",
        {
            "title": _("Statement of %(party)s") % {"party": party.name},
            "form": form,
            "statement": statement,
            "party": party,
            "kind": kind,
            "kinds": OpenItemKind.choices,
            "items": _items_with_links(statement.open_items),
            "aged": statement.ageing.totals,
            "buckets": BUCKET_LABELS,
            "party_url": ui.document_url(party),
        },
        status=400 if form.errors else 200,
    )


def _party_open_items(party: Party, request: HttpRequest) -> Any:
    return selectors.open_items_of(request.company, party).select_related("currency")


def register_party_tab() -> None:
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "open_items",
            _("Open items"),
            rows=_party_open_items,
            columns=[
                "number",
                "kind",
                "document_date",
                "due_date",
                "currency",
                "amount",
                "residual",
                "status",
            ],
            permission="payments.view_openitem",
            add_url=lambda party: reverse("payments:party_statement", kwargs={"pk": party.pk}),
            add_label=_("Statement"),
        ),
        order=70,
    )
