"""Pages of payments on the generic machinery of kern.core.ui: open items, payments, bank
journals and statements, payment runs and dunning letters, with their workflow buttons."""

from __future__ import annotations

from typing import Any

from django import forms as djforms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from kern.core import ui
from kern.core.exceptions import KernError
from kern.parties.models import Party
from kern.payments import documents, forms, selectors, services
from kern.payments.models import (
    BankJournal,
    BankStatement,
    DunningLetter,
    DunningLevel,
    LineStatus,
    OpenItem,
    OpenItemKind,
    Payment,
    PaymentDirection,
    PaymentRun,
    PaymentRunLine,
    PaymentRunStatus,
    PaymentStatus,
    StatementLine,
)


class OpenItemPages(ui.Resource):
    model = OpenItem
    prefix = "open-items/"
    detail_template = "payments/openitem_detail.html"
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
            rows=lambda item, request: item.allocations.select_related("payment", "counterpart"),
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
            rows=lambda payment, request: payment.allocations.select_related("open_item"),
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
            rows=lambda statement, request: statement.lines.select_related("party", "payment"),
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
            rows=lambda run, request: run.lines.select_related("party", "open_item", "payment"),
            columns=["party", "open_item", "amount", "discount", "iban", "status", "error", "payment"],
            limit=1000,
            delete_url=lambda run, line: (
                reverse("payments:run_line_remove", kwargs={"pk": run.pk, "line": line.pk})
                if run.status == PaymentRunStatus.DRAFT
                else ""
            ),
            template="payments/_run_lines_tab.html",
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
    detail_template = "payments/dunningletter_detail.html"
    list_columns = ["number", "date", "party", "level", "overdue_total", "fee", "currency"]
    search_fields = ["number", "party__name"]
    filters = ["level", "date"]
    tabs = [
        ui.Tab(
            "lines",
            _("Invoices"),
            rows=lambda letter, request: letter.lines.select_related("open_item"),
            columns=["open_item", "days_overdue", "level", "residual"],
        )
    ]


class DunningLevelPages(ui.Resource):
    model = DunningLevel
    prefix = "dunning-levels/"
    list_columns = ["level", "name", "days_overdue", "fee", "is_active"]
    search_fields = ["name"]
    filters = ["is_active"]
    ordering = ["level"]
    detail_fields = ["level", "name", "days_overdue", "fee", "is_active", "text"]
    form_class = forms.DunningLevelForm
    create_service = staticmethod(services.create_dunning_level)
    update_service = staticmethod(services.update_dunning_level)
    attachments = False


OPEN_ITEMS = OpenItemPages()
PAYMENTS = PaymentPages()
BANK_JOURNALS = BankJournalPages()
STATEMENTS = StatementPages()
LINES = StatementLinePages()
RUNS = PaymentRunPages()
LETTERS = DunningLetterPages()
LEVELS = DunningLevelPages()


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
        area, _("Dunning"), "payments:dunning", permission="payments.view_dunningletter", order=65
    )
    ui.register_nav(area, _("Open credit"), "payments:credits", permission="payments.view_openitem", order=70)
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
    # what is owed to vendors, seen from purchasing (where the bills are entered and approved)
    ui.register_nav(
        "purchasing",
        _("Aged payables"),
        "payments:aged_payables",
        permission="payments.view_openitem",
        order=82,
    )
    register_party_tab()
    register_dunning_tab()
    ui.register_nav(
        "settings",
        _("Bank journals"),
        "payments:bankjournal_list",
        permission="payments.view_bankjournal",
        order=60,
    )
    ui.register_nav(
        "settings",
        _("Dunning levels"),
        "payments:dunninglevel_list",
        permission="payments.view_dunninglevel",
        order=61,
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
        {
            "title": _("Propose a payment run"),
            "form": form,
            "due": due,
            "due_until": due_until,
            "blocked_url": _page_of(
                request, "purchasing:bill_list", "purchasing.view_vendorbill", "payment_blocked=true"
            ),
            "aged_url": _page_of(request, "payments:aged_payables", "payments.view_openitem"),
        },
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


def _page_of(request: HttpRequest, name: str, permission: str, query: str = "") -> str:
    """The URL of another page when the user may see it and it is mounted (purchasing is an app
    above payments: it is linked by URL name, never imported)."""
    if not request.user.has_perm(permission):
        return ""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def _related_links(request: HttpRequest, kind: str) -> list[tuple[Any, str]]:
    """Where the same money is seen from another side. Payables: purchasing's vendor bills are the
    documents (match, approval, blocks); the ageing, open items and payment runs are here."""
    if kind == OpenItemKind.RECEIVABLE:
        candidates = [
            (_("Dunning"), _page_of(request, "payments:dunning", "payments.view_dunningletter")),
            (_("Open credit"), _page_of(request, "payments:credits", "payments.view_openitem")),
        ]
    else:
        candidates = [
            (_("Vendor bills"), _page_of(request, "purchasing:bill_list", "purchasing.view_vendorbill")),
            (
                _("Bills blocked for payment"),
                _page_of(
                    request, "purchasing:bill_list", "purchasing.view_vendorbill", "payment_blocked=true"
                ),
            ),
            (
                _("Propose a payment run"),
                _page_of(request, "payments:propose_run", "payments.add_paymentrun"),
            ),
            (_("Open credit"), _page_of(request, "payments:credits", "payments.view_openitem")),
        ]
    return [(label, url) for label, url in candidates if url]


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
            "related": _related_links(request, kind),
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


def register_dunning_tab() -> None:
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "dunning_letters",
            _("Reminders"),
            rows=lambda party, request: selectors.letters_of(request.company, party),
            columns=["number", "date", "level", "overdue_total", "fee", "currency"],
            permission="payments.view_dunningletter",
            add_url=lambda party: reverse("payments:dunning_customer", kwargs={"pk": party.pk}),
            add_label=_("Dunning"),
        ),
        order=71,
    )


# --- dunning ---------------------------------------------------------------------------------


def _send_reminders(request: HttpRequest, form: forms.DunningForm, parties: list[int]) -> list[DunningLetter]:
    """Write the letters due for `parties` on the form's day; errors land on the form."""
    if not request.user.has_perm("payments.add_dunningletter"):
        raise PermissionDenied
    if not form.check_sendable():
        return []
    if not parties:
        form.add_error(None, _("Tick at least one customer."))
        return []
    try:
        letters = services.send_dunning_letters(
            _company(request), on=form.day(), parties=parties, by=request.user
        )
    except KernError as exc:
        ui.apply_errors(form, exc)
        return []
    messages.success(
        request,
        ngettext(
            "Reminder %(numbers)s is recorded; open it to print or send it as PDF.",
            "Reminders %(numbers)s are recorded; open them to print or send them as PDF.",
            len(letters),
        )
        % {"numbers": ", ".join(letter.number for letter in letters)},
    )
    return letters


def _form_status(request: HttpRequest, form: Any) -> int:
    """422 for a refused POST, 400 for a GET whose parameters are not valid (as the reports)."""
    if not form.errors:
        return 200
    return 422 if request.method == "POST" else 400


def _dunning_url(name: str, form: forms.DunningForm, **kwargs: Any) -> str:
    url = reverse(name, kwargs=kwargs or None)
    return f"{url}?on={form.day().isoformat()}"


@login_required
@permission_required("payments.view_dunningletter", raise_exception=True)
def dunning(request: HttpRequest) -> HttpResponse:
    """Customers with overdue invoices: how late, how far they were reminded, and the letter that
    is due now (level and fee); tick customers to send theirs."""
    company = _company(request)
    form = forms.DunningForm(request.POST if request.method == "POST" else (request.GET or None))
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("party") if v.isdigit()]
        if _send_reminders(request, form, chosen):
            return HttpResponseRedirect(_dunning_url("payments:dunning", form))
    on = form.day()
    rows = selectors.dunning_overview(company, on)
    return render(
        request,
        "payments/dunning.html",
        {
            "title": _("Dunning"),
            "form": form,
            "on": on,
            "rows": rows,
            "due": sum(1 for row in rows if row.proposal),
            "currency": company.base_currency_id,
            "can_send": request.user.has_perm("payments.add_dunningletter"),
            "can_edit_levels": request.user.has_perm("payments.view_dunninglevel"),
        },
        status=_form_status(request, form),
    )


@login_required
@permission_required("payments.view_dunningletter", raise_exception=True)
def dunning_customer(request: HttpRequest, pk: int) -> HttpResponse:
    """One customer's overdue invoices with the level each has reached, the letter that is due,
    and the reminders sent so far (HTML and PDF)."""
    company = _company(request)
    party = _get(Party, request, pk)
    form = forms.DunningForm(request.POST if request.method == "POST" else (request.GET or None))
    if request.method == "POST" and _send_reminders(request, form, [party.pk]):
        return HttpResponseRedirect(_dunning_url("payments:dunning_customer", form, pk=party.pk))
    on = form.day()
    rows = selectors.dunning_overview(company, on, party=party)
    return render(
        request,
        "payments/dunning_customer.html",
        {
            "title": _("Dunning of %(party)s") % {"party": party.name},
            "form": form,
            "on": on,
            "party": party,
            "row": rows[0] if rows else None,
            "letters": list(selectors.letters_of(company, party)[:200]),
            "can_send": request.user.has_perm("payments.add_dunningletter"),
            "party_url": ui.document_url(party),
            "preview_url": _dunning_url("payments:dunning_preview", form, pk=party.pk),
        },
        status=_form_status(request, form),
    )


@login_required
@permission_required("payments.view_dunningletter", raise_exception=True)
def dunning_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter that is due for the customer, as it would be written (not recorded)."""
    company = _company(request)
    party = _get(Party, request, pk)
    form = forms.DunningForm(request.GET or None)
    preview = selectors.dunning_letter_preview(company, party, form.day())
    if preview is None:
        messages.info(request, _("No reminder is due for this customer on that day."))
        return HttpResponseRedirect(_dunning_url("payments:dunning_customer", form, pk=party.pk))
    with translation.override(party.language or "nl"):
        html = render_to_string(
            "payments/pdf/dunning_letter.html",
            {
                "letter": preview.letter,
                "company": company,
                "party": party,
                "address": preview.address,
                "lines": preview.lines,
                "total": preview.total,
            },
        )
    return HttpResponse(html)


@login_required
@permission_required("payments.view_dunningletter", raise_exception=True)
def dunning_letter(request: HttpRequest, pk: int) -> HttpResponse:
    """A sent reminder as the customer reads it: HTML, or PDF with `?format=pdf`."""
    letter = get_object_or_404(
        DunningLetter.objects.select_related("party", "company"), company=_company(request), pk=pk
    )
    if request.GET.get("format") == "pdf":
        response = HttpResponse(documents.dunning_letter_pdf(letter), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{letter.number}.pdf"'
        return response
    return HttpResponse(documents.dunning_letter_html(letter))


# --- customer credit and refunds -------------------------------------------------------------


@login_required
@permission_required("payments.view_openitem", raise_exception=True)
def credits(request: HttpRequest) -> HttpResponse:
    """Parties with open credit (money kept as credit, credit notes) and what they still owe."""
    return render(
        request,
        "payments/credits.html",
        {"title": _("Open credit"), "rows": selectors.parties_with_credit(_company(request))},
    )


def _credit_kind(request: HttpRequest, party: Party) -> str:
    kind = request.POST.get("kind") or request.GET.get("kind")
    if kind in OpenItemKind.values:
        return kind
    return OpenItemKind.PAYABLE if party.is_vendor and not party.is_customer else OpenItemKind.RECEIVABLE


@login_required
@permission_required("payments.view_openitem", raise_exception=True)
def party_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """A party's open credit beside its open items: use a credit on an item (residuals before and
    after are shown before it is booked), or pay the credit back."""
    company = _company(request)
    party = _get(Party, request, pk)
    kind = _credit_kind(request, party)
    # A customer's credit goes back out of the bank; a vendor's credit comes in.
    refund_direction = (
        PaymentDirection.OUTGOING if kind == OpenItemKind.RECEIVABLE else PaymentDirection.INCOMING
    )
    action = request.POST.get("do") if request.method == "POST" else ""
    scope = {"company": company, "party": party, "kind": kind}
    today = timezone.localdate()
    previewing = bool(request.GET.get("credit") and request.GET.get("debit"))
    allocate_data = request.POST if action == "allocate" else (request.GET if previewing else None)
    initial = {"date": today, "credit": request.GET.get("credit"), "debit": request.GET.get("debit")}
    form = forms.CreditAllocationForm(allocate_data, initial=initial, **scope)
    refund_form = forms.RefundForm(
        request.POST if action == "refund" else None, initial={"date": today}, **scope
    )
    back = f"{reverse('payments:party_credit', kwargs={'pk': party.pk})}?kind={kind}"
    if action and not request.user.has_perm(
        "payments.add_allocation" if action == "allocate" else "payments.add_payment"
    ):
        raise PermissionDenied
    if action == "allocate" and form.is_valid():
        data = form.cleaned_data
        preview = selectors.credit_allocation(data["credit"], data["debit"], data["amount"])
        try:
            services.allocate_credit(
                data["credit"],
                data["debit"],
                amount=data["amount"],
                on=data["date"] or today,
                by=request.user,
            )
        except KernError as exc:
            ui.apply_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "%(amount)s of %(credit)s is used on %(debit)s: %(credit)s %(credit_before)s → "
                    "%(credit_after)s, %(debit)s %(debit_before)s → %(debit_after)s."
                )
                % {
                    "amount": _money(preview.amount),
                    "credit": preview.credit.number,
                    "debit": preview.debit.number,
                    "credit_before": _money(preview.credit_before),
                    "credit_after": _money(preview.credit_after),
                    "debit_before": _money(preview.debit_before),
                    "debit_after": _money(preview.debit_after),
                },
            )
            return HttpResponseRedirect(back)
    if action == "refund" and refund_form.is_valid():
        data = refund_form.cleaned_data
        credit, bank = data["credit"], data["bank_journal"]
        amount = data["amount"] or abs(credit.residual)
        try:
            payment = services.post_payment(
                company,
                direction=refund_direction,
                party=party,
                amount=amount,
                currency=bank.currency_id if bank else credit.currency_id,
                on=data["date"],
                reference=data["reference"] or credit.number,
                memo=str(_("refund of %(credit)s") % {"credit": credit.number})[:255],
                allocations=[services.AllocationSpec(credit, amount)],
                bank_journal=bank,
                by=request.user,
            )
        except KernError as exc:
            ui.apply_errors(refund_form, exc)
        else:
            messages.success(
                request,
                _("Refund %(number)s is booked: %(amount)s of %(credit)s.")
                % {"number": payment.number, "amount": _money(amount), "credit": credit.number},
            )
            return HttpResponseRedirect(reverse("payments:payment_detail", kwargs={"pk": payment.pk}))
    preview = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        preview = selectors.credit_allocation(data["credit"], data["debit"], data["amount"])
    position = selectors.credit_position(company, party, kind)
    status = 200
    if action and (form.errors or refund_form.errors):
        status = 422
    elif form.is_bound and form.errors and not request.htmx:
        status = 400
    return render(
        request,
        "payments/party_credit.html",
        {
            "title": _("Credit of %(party)s") % {"party": party.name},
            "party": party,
            "party_url": ui.document_url(party),
            "kind": kind,
            "kinds": OpenItemKind.choices,
            "position": position,
            "currency": company.base_currency_id,
            "form": form,
            "refund_form": refund_form,
            "preview": preview,
            "chosen_credit": str(form["credit"].value() or ""),
            "chosen_debit": str(form["debit"].value() or ""),
            "can_allocate": request.user.has_perm("payments.add_allocation"),
            "can_refund": request.user.has_perm("payments.add_payment"),
            "refund_direction": refund_direction,
        },
        status=status,
    )


def _money(value: Any) -> str:
    return formats.number_format(value, 2, use_l10n=True)


# --- payment runs: leave a bill out ------------------------------------------------------------


@login_required
@permission_required("payments.change_paymentrun", raise_exception=True)
def remove_run_line(request: HttpRequest, pk: int, line: int) -> HttpResponse:
    """Leave one bill out of a proposed (not yet approved) run; GET asks first."""
    run = _get(PaymentRun, request, pk)
    found = PaymentRunLine.objects.filter(run=run, pk=line).select_related("open_item", "party").first()
    if found is None:
        raise Http404
    found.run = run
    back = f"{reverse('payments:paymentrun_detail', kwargs={'pk': run.pk})}?tab=lines"
    if request.method != "POST":
        return render(
            request,
            "payments/remove_run_line.html",
            {
                "title": _("Leave %(bill)s out of %(run)s")
                % {"bill": found.open_item.number, "run": run.number},
                "run": run,
                "line": found,
                "cancel_url": back,
                "is_draft": run.status == PaymentRunStatus.DRAFT,
            },
        )
    approved_by_some = run.approvals.exists()
    try:
        services.remove_run_line(found, by=request.user)
    except KernError as exc:
        messages.error(request, exc.message)
    else:
        if approved_by_some:
            messages.warning(
                request, _("The approvals given so far no longer hold: the run must be approved again.")
            )
        messages.success(
            request,
            _("%(bill)s of %(vendor)s is left out of %(run)s; the run now pays %(currency)s %(total)s.")
            % {
                "bill": found.open_item.number,
                "vendor": found.party.name,
                "run": run.number,
                "currency": run.currency_id,
                "total": _money(run.total),
            },
        )
    return HttpResponseRedirect(back)
