"""Sales pages: quotes (with the live builder), orders, invoices and credit notes, returns, teams,
and the customer's public acceptance page.

The builder (`document_builder`) serves quotes, orders and standalone invoices: the same form
re-priced on every change through htmx (`builder_preview` swaps the lines, totals, approval,
available-to-promise and credit panel), and without JavaScript a "Recalculate" button posts the
whole form. Saving calls the services; their errors land next to the line and field they name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kern.catalog.models import Product
from kern.catalog.selectors import configurations_of
from kern.core import context, ui
from kern.core.exceptions import KernError
from kern.parties.models import Party, PaymentTerm
from kern.sales import printing, selectors, services
from kern.sales.models import (
    Invoice,
    InvoiceKind,
    InvoiceStatus,
    OrderStatus,
    Quote,
    QuoteStatus,
    ReturnAuthorisation,
    ReturnStatus,
    SalesOrder,
    SalesTeam,
)

MAX_LINES = 200


# --- list and detail pages -----------------------------------------------------------------------------


def _money(field: str, label: Any = None) -> ui.Column:
    return ui.Column(field, label=label, numeric=True)


class BuilderPages(ui.Resource):
    """Create and edit go to the builder (sales/urls.py), not to the generic form pages."""

    def urls(self) -> list:
        stem = self.url_stem()
        return [p for p in super().urls() if p.name not in (f"{stem}_create", f"{stem}_edit")]


LINE_COLUMNS = [
    "line_no",
    "product__sku",
    "description",
    "quantity",
    "uom__code",
    "list_price",
    "discount_percent",
    "unit_price",
    "amount",
    "tax_code",
]


class QuotePages(BuilderPages):
    model = Quote
    prefix = "quotes/"
    list_columns = [
        "number",
        "customer",
        "quote_date",
        "valid_until",
        "status",
        "total",
        "currency",
        "sales_rep",
        "team",
    ]
    default_columns = ["number", "customer", "quote_date", "valid_until", "status", "total", "sales_rep"]
    search_fields = ["number", "customer__name", "customer_reference"]
    filters = ["status", "customer", "sales_rep", "team", "quote_date", "valid_until"]
    detail_fields = [
        (_("Quote"), ["number", "customer", "contact", "quote_date", "valid_until", "customer_reference"]),
        (_("Terms"), ["currency", "payment_term", "invoicing_policy"]),
        (
            _("Amounts"),
            [
                "net_total",
                "tax_total",
                "total",
                "cost_total",
                ui.Column("margin_percent", label=_("margin %"), value=lambda q: q.margin_percent),
                "max_discount_percent",
            ],
        ),
        (
            _("Approval"),
            [
                ui.Column(
                    "approval_reasons",
                    label=_("approval needed for"),
                    value=lambda q: "\n".join(q.approval_reasons),
                ),
                "approval_role",
                "approved_by",
                "approved_at",
            ],
        ),
        (_("Sales"), ["sales_rep", "team", "sent_at", "accepted_at", "accepted_by_name", "rejection_reason"]),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda q, r: q.lines.select_related("product", "uom"),
            columns=[*LINE_COLUMNS, "option_summary"],
        ),
        ui.Tab(
            "orders", _("Sales orders"), rows="orders", columns=["number", "order_date", "status", "total"]
        ),
    ]
    actions = [
        ui.Action(
            "submit",
            _("Ask for approval"),
            services.submit_quote,
            to=QuoteStatus.TO_APPROVE,
            condition=lambda q: q.needs_approval,
        ),
        ui.Action(
            "approve",
            _("Approve"),
            services.approve_quote,
            to=QuoteStatus.APPROVED,
            permission="sales.view_quote",
        ),
        ui.Action(
            "refuse",
            _("Refuse approval"),
            services.refuse_quote_approval,
            permission="sales.view_quote",
            style="outline-danger",
            condition=lambda q: q.status == QuoteStatus.TO_APPROVE,
        ),
        ui.Action("send", _("Send"), services.send_quote, to=QuoteStatus.SENT),
        ui.Action(
            "revise",
            _("Revise"),
            services.revise_quote,
            style="outline-primary",
            condition=lambda q: q.status in (QuoteStatus.SENT, QuoteStatus.EXPIRED, QuoteStatus.REJECTED),
        ),
        ui.Action(
            "reject",
            _("Customer declined"),
            services.reject_quote,
            to=QuoteStatus.REJECTED,
            style="outline-danger",
        ),
        ui.Action(
            "cancel",
            _("Cancel"),
            services.cancel_quote,
            to=QuoteStatus.CANCELLED,
            style="outline-danger",
            confirm=_("Cancel this quote?"),
        ),
    ]
    detail_template = "sales/document_detail.html"
    create_service = staticmethod(services.create_quote)
    update_service = staticmethod(services.update_quote)


def _ship(order: SalesOrder, *, by: Any) -> Any:
    return services.ship_order(order, by=by)


def _invoice(order: SalesOrder, *, by: Any) -> Any:
    return services.invoice_order(order, post=True, by=by)


def _can_invoice(order: SalesOrder) -> bool:
    if order.status != OrderStatus.CONFIRMED:
        return False
    return order.invoice_status != "fully"


class OrderPages(BuilderPages):
    model = SalesOrder
    name = "order"
    prefix = "orders/"
    list_columns = [
        "number",
        "customer",
        "order_date",
        "status",
        "delivery_status",
        "invoice_status",
        "total",
        "invoiced_total",
        "currency",
        "sales_rep",
        "team",
        "quote",
    ]
    default_columns = [
        "number",
        "customer",
        "order_date",
        "status",
        "delivery_status",
        "invoice_status",
        "total",
    ]
    search_fields = ["number", "customer__name", "customer_reference"]
    filters = ["status", "delivery_status", "invoice_status", "customer", "sales_rep", "team", "order_date"]
    detail_fields = [
        (
            _("Order"),
            ["number", "customer", "contact", "order_date", "expected_date", "customer_reference", "quote"],
        ),
        (
            _("Progress"),
            [
                "status",
                "delivery_status",
                "invoice_status",
                "credit_block_reason",
                "released_by",
                "cancel_reason",
            ],
        ),
        (_("Terms"), ["currency", "payment_term", "invoicing_policy", "invoice_address", "delivery_address"]),
        (_("Amounts"), ["net_total", "tax_total", "total", "invoiced_total", "cost_total"]),
        (_("Sales"), ["sales_rep", "team"]),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda o, r: o.lines.select_related("product", "uom"),
            columns=[*LINE_COLUMNS, "qty_delivered", "qty_invoiced", "qty_returned"],
        ),
        ui.Tab(
            "invoices",
            _("Invoices"),
            rows="invoices",
            columns=["number", "kind", "invoice_date", "status", "payment_status", "total", "residual"],
        ),
        ui.Tab(
            "deliveries",
            _("Deliveries"),
            rows=lambda o, r: _operations(o),
            columns=["number", "kind", "status", "scheduled_date", "date_done"],
            permission="inventory.view_operation",
        ),
        ui.Tab(
            "returns", _("Returns"), rows="returns", columns=["number", "status", "return_date", "reason"]
        ),
    ]
    actions = [
        ui.Action(
            "confirm",
            _("Confirm"),
            services.confirm_order,
            to=OrderStatus.CONFIRMED,
            condition=lambda o: o.status == OrderStatus.DRAFT,
        ),
        ui.Action(
            "release",
            _("Release credit block"),
            services.release_order,
            to=OrderStatus.CONFIRMED,
            permission="sales.release_credit_block",
            condition=lambda o: o.status == OrderStatus.BLOCKED,
        ),
        ui.Action(
            "ship",
            _("Ship"),
            _ship,
            condition=lambda o: o.status == OrderStatus.CONFIRMED and o.delivery_status != "fully",
        ),
        ui.Action("invoice", _("Invoice"), _invoice, permission="sales.add_invoice", condition=_can_invoice),
        ui.Action(
            "cancel",
            _("Cancel"),
            services.cancel_order,
            to=OrderStatus.CANCELLED,
            style="outline-danger",
            confirm=_("Cancel this order? Reserved stock is given back."),
        ),
    ]
    detail_template = "sales/document_detail.html"
    create_service = staticmethod(services.create_order)
    update_service = staticmethod(services.update_order)


def _operations(order: SalesOrder) -> Any:
    from kern.inventory.selectors import operations_for

    return operations_for(order.company_id, "sales.order", order.pk)


def _credit_in_full(invoice: Invoice, *, by: Any) -> Any:
    return services.credit_invoice(invoice, reason=gettext("Credited in full"), by=by)


class InvoicePages(BuilderPages):
    model = Invoice
    prefix = "invoices/"
    list_columns = [
        "number",
        "kind",
        "customer",
        "invoice_date",
        "due_date",
        "status",
        "payment_status",
        "total",
        "residual",
        "currency",
        "order",
        "sales_rep",
    ]
    default_columns = [
        "number",
        "kind",
        "customer",
        "invoice_date",
        "due_date",
        "status",
        "payment_status",
        "total",
        "residual",
    ]
    search_fields = ["number", "customer__name", "customer_reference", "payment_reference"]
    filters = ["kind", "status", "payment_status", "customer", "sales_rep", "invoice_date", "due_date"]
    detail_fields = [
        (
            _("Invoice"),
            [
                "kind",
                "number",
                "customer",
                "invoice_date",
                "customer_reference",
                "order",
                "original",
                "return_authorisation",
            ],
        ),
        (
            _("Payment"),
            [
                "status",
                "payment_status",
                "due_date",
                "payment_term",
                "discount_date",
                "discount_amount",
                "payment_reference",
                "residual",
            ],
        ),
        (_("Amounts"), ["currency", "net_total", "tax_total", "total", "total_company"]),
        (_("Sales"), ["sales_rep", "team", "posted_at", "posted_by"]),
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda i, r: i.lines.select_related("product", "uom"),
            columns=[
                "line_no",
                "description",
                "quantity",
                "uom__code",
                "unit_price",
                "amount",
                "tax_code",
                "tax_rate",
            ],
        ),
        ui.Tab(
            "credit_notes",
            _("Credit notes"),
            rows="credit_notes",
            columns=["number", "invoice_date", "status", "total"],
        ),
    ]
    actions = [
        ui.Action(
            "post",
            _("Post"),
            services.post_invoice,
            to=InvoiceStatus.POSTED,
            confirm=_("Post this invoice? It gets its number and cannot change afterwards."),
        ),
        ui.Action(
            "cancel", _("Cancel"), services.cancel_invoice, to=InvoiceStatus.CANCELLED, style="outline-danger"
        ),
        ui.Action(
            "credit",
            _("Credit in full"),
            _credit_in_full,
            permission="sales.add_invoice",
            style="outline-danger",
            confirm=_("Make a credit note for everything not yet credited?"),
            condition=lambda i: i.status == InvoiceStatus.POSTED and i.kind == InvoiceKind.INVOICE,
        ),
    ]
    detail_template = "sales/document_detail.html"
    create_service = staticmethod(services.create_invoice)
    update_service = staticmethod(services.update_invoice)


class ReturnPages(ui.Resource):
    model = ReturnAuthorisation
    name = "return"
    prefix = "returns/"
    list_columns = ["number", "order", "customer", "return_date", "status", "reason"]
    search_fields = ["number", "order__number", "customer__name", "reason"]
    filters = ["status", "customer", "return_date"]
    detail_fields = [
        "number",
        "order",
        "customer",
        "return_date",
        "status",
        "reason",
        "authorised_by",
        "authorised_at",
    ]
    tabs = [
        ui.Tab(
            "lines",
            _("Lines"),
            rows=lambda r, req: r.lines.select_related("product"),
            columns=["product", "quantity", "qty_received", "qty_credited"],
        ),
        ui.Tab(
            "credit_notes",
            _("Credit notes"),
            rows="credit_notes",
            columns=["number", "invoice_date", "status", "total"],
        ),
    ]
    actions = [
        ui.Action("authorise", _("Authorise"), services.authorise_return, to=ReturnStatus.AUTHORISED),
        ui.Action(
            "receive",
            _("Goods received"),
            services.receive_return,
            condition=lambda r: r.status == ReturnStatus.AUTHORISED,
        ),
        ui.Action(
            "credit",
            _("Credit"),
            services.credit_return,
            to=ReturnStatus.CREDITED,
            permission="sales.add_invoice",
        ),
        ui.Action(
            "cancel", _("Cancel"), services.cancel_return, to=ReturnStatus.CANCELLED, style="outline-danger"
        ),
    ]


class TeamForm(ui.KernModelForm):
    class Meta:
        model = SalesTeam
        fields = ["name", "manager", "members", "is_active"]


class TeamPages(ui.Resource):
    model = SalesTeam
    name = "team"
    prefix = "teams/"
    list_columns = ["name", "manager", "is_active"]
    search_fields = ["name"]
    filters = ["is_active"]
    detail_fields = ["name", "manager", "members", "is_active"]
    form_class = TeamForm
    create_service = staticmethod(services.create_team)
    update_service = staticmethod(services.update_team)
    attachments = False

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        company = getattr(request, "company", None)
        for name in ("manager", "members"):
            form.fields[name].queryset = form.fields[name].queryset.filter(memberships__company=company)
        return form

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        data["members"] = list(data.get("members") or [])
        if obj is None:
            data.pop("is_active", None)
        return data


QUOTES = QuotePages()
ORDERS = OrderPages()
INVOICES = InvoicePages()
RETURNS = ReturnPages()
TEAMS = TeamPages()


# --- printing ------------------------------------------------------------------------------------------

DOCUMENTS = {
    "quote": (QUOTES, "sales.view_quote"),
    "order": (ORDERS, "sales.view_salesorder"),
    "invoice": (INVOICES, "sales.view_invoice"),
}


def _document(request: HttpRequest, kind: str, pk: int) -> Any:
    if kind not in DOCUMENTS:
        raise Http404
    resource, perm = DOCUMENTS[kind]
    if not request.user.has_perm(perm):
        raise DjangoPermissionDenied
    return resource.get_object(request, pk)


@login_required
def document_pdf(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    doc = _document(request, kind, pk)
    response = HttpResponse(printing.render_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printing.pdf_name(doc)}"'
    return response


@login_required
def invoice_ubl(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _document(request, "invoice", pk)
    try:
        body = selectors.ubl_for(invoice)
    except KernError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(INVOICES.object_url(invoice))
    response = HttpResponse(body, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


# --- the builder ---------------------------------------------------------------------------------------


class HeaderForm(ui.KernForm):
    customer = forms.ModelChoiceField(queryset=Party.objects.none(), label=_("Customer"))
    date = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    payment_term = forms.ModelChoiceField(
        queryset=PaymentTerm.objects.none(), label=_("Payment term"), required=False
    )
    invoicing_policy = forms.ChoiceField(
        label=_("Invoicing policy"),
        choices=[("", "—"), ("delivery", _("On delivery")), ("order", _("On order"))],
        required=False,
    )
    customer_reference = forms.CharField(label=_("Customer reference"), max_length=80, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, company: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Party.objects.filter(company=company, is_active=True).filter(
            is_customer=True
        ) | Party.objects.filter(company=company, is_active=True, is_prospect=True)
        self.fields["payment_term"].queryset = PaymentTerm.objects.filter(company=company, is_active=True)
        if kind != "quote":
            del self.fields["valid_until"]
        if kind == "invoice":
            del self.fields["invoicing_policy"]


def _lines_from(data: Any) -> list[dict[str, Any]]:
    """The builder's line rows (line-N-product, -quantity, -discount, -price, -description,
    -options) as service line dicts; empty rows are skipped."""
    rows = []
    for n in range(MAX_LINES):
        prefix = f"line-{n}-"
        product = (data.get(prefix + "product") or "").strip()
        description = (data.get(prefix + "description") or "").strip()
        price = (data.get(prefix + "price") or "").strip()
        if not product and not (description and price):
            if prefix + "product" not in data:
                break
            continue
        row: dict[str, Any] = {
            "quantity": (data.get(prefix + "quantity") or "1").strip().replace(",", "."),
            "discount_percent": (data.get(prefix + "discount") or "0").strip().replace(",", ".") or "0",
        }
        if product:
            row["product"] = int(product) if product.isdigit() else product
            options = [o for o in data.getlist(prefix + "options") if o]
            row["options"] = options if (prefix + "options-shown") in data else None
        if description:
            row["description"] = description
        if price:
            row["unit_price"] = price.replace(",", ".")
        rows.append(row)
    return rows


def _clean_numbers(lines: list[dict[str, Any]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for n, row in enumerate(lines):
        for name in ("quantity", "discount_percent", "unit_price"):
            if name in row:
                try:
                    Decimal(str(row[name]))
                except (InvalidOperation, ValueError):
                    errors[f"lines[{n}].{name}"] = [gettext("not a number")]
    return errors


def _builder_context(
    request: HttpRequest, kind: str, form: Any, lines: list[dict[str, Any]], obj: Any = None
) -> dict:
    company = request.company
    customer = form.cleaned_data.get("customer") if form.is_bound and form.is_valid() else None
    if customer is None and obj is not None:
        customer = obj.customer
    errors = _clean_numbers(lines)
    preview = None
    if customer is not None and lines and not errors:
        preview = selectors.preview_document(
            company,
            customer=customer,
            lines=lines,
            on=form.cleaned_data.get("date") if form.is_bound and form.is_valid() else None,
            user=request.user,
            exclude_order=obj if isinstance(obj, SalesOrder) else None,
        )
        errors = preview.errors
    products = Product.objects.filter(company=company, is_active=True, can_be_sold=True).order_by("sku")
    chosen = [int(r["product"]) for r in lines if str(r.get("product", "")).isdigit()]
    configs = (
        configurations_of(list(Product.objects.filter(company=company, pk__in=chosen))) if chosen else {}
    )
    priced = {ln.line_no: ln for ln in preview.priced.lines} if preview and preview.priced else {}
    checks = {c.line_no: c for c in preview.lines} if preview else {}
    rows = []
    n_priced = 0
    for n, row in enumerate([*lines, {}]):
        pid = int(row["product"]) if str(row.get("product", "")).isdigit() else None
        config = configs.get(pid) if pid else None
        groups = []
        if config is not None and config.is_configurable:
            picked = (
                {str(o) for o in (row.get("options") or [])}
                if row.get("options") is not None
                else {str(i) for i in config.default_option_ids()}
            )
            for g in config.groups:
                groups.append(
                    {
                        "group": g,
                        "options": [(o, str(o.pk) in picked) for o in config.options_by_group.get(g.pk, ())],
                    }
                )
        line = None
        if row and not any(k.startswith(f"lines[{n}]") for k in errors):
            n_priced += 1
            line = priced.get(n_priced)
        rows.append(
            {
                "n": n,
                "row": row,
                "product_id": pid,
                "groups": groups,
                "priced": line,
                "check": checks.get(n_priced) if line else None,
                "errors": [m for k, v in errors.items() if k.startswith(f"lines[{n}]") for m in v],
            }
        )
    return {
        "kind": kind,
        "form": form,
        "rows": rows,
        "products": products,
        "preview": preview,
        "general_errors": [m for k, v in errors.items() if not k.startswith("lines[") for m in v],
        "object": obj,
        "title": _builder_title(kind, obj),
    }


def _builder_title(kind: str, obj: Any) -> str:
    if obj is not None:
        return gettext("Edit %(name)s") % {"name": obj.number or str(obj)}
    return {
        "quote": gettext("New quote"),
        "order": gettext("New sales order"),
        "invoice": gettext("New invoice"),
    }[kind]


BUILDER = {
    "quote": (Quote, "sales.add_quote", "sales.change_quote"),
    "order": (SalesOrder, "sales.add_salesorder", "sales.change_salesorder"),
    "invoice": (Invoice, "sales.add_invoice", "sales.change_invoice"),
}


def _initial(kind: str, obj: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header initial values and line data of an existing document, in the builder's form names."""
    header = {
        "customer": obj.customer_id,
        "payment_term": obj.payment_term_id,
        "customer_reference": obj.customer_reference,
        "notes": obj.notes,
    }
    if kind == "quote":
        header |= {
            "date": obj.quote_date,
            "valid_until": obj.valid_until,
            "invoicing_policy": obj.invoicing_policy,
        }
    elif kind == "order":
        header |= {"date": obj.order_date, "invoicing_policy": obj.invoicing_policy}
    else:
        header |= {"date": obj.invoice_date}
    data: dict[str, Any] = {}
    for n, ln in enumerate(obj.lines.order_by("line_no")):
        p = f"line-{n}-"
        data[p + "product"] = str(ln.product_id or "")
        data[p + "quantity"] = str(ln.quantity.normalize())
        data[p + "discount"] = str(getattr(ln, "discount_percent", 0) or 0)
        if kind != "invoice" or not ln.product_id:
            data[p + "price"] = str(getattr(ln, "list_price", ln.unit_price))
        if not ln.product_id:
            data[p + "description"] = ln.description
        options = getattr(ln, "options", None)
        if options:
            data[p + "options"] = [str(c["option_id"]) for c in options]
            data[p + "options-shown"] = "1"
    return header, data


class _Data(dict):
    """A plain dict that answers getlist() like a QueryDict (for initial line data)."""

    def getlist(self, key: str) -> list[str]:
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


@login_required
def document_builder(request: HttpRequest, kind: str, pk: int | None = None) -> HttpResponse:
    if kind not in BUILDER:
        raise Http404
    model, add_perm, change_perm = BUILDER[kind]
    if not request.user.has_perm(change_perm if pk else add_perm):
        raise DjangoPermissionDenied
    company = getattr(request, "company", None)
    if company is None:
        raise Http404
    obj = None
    if pk is not None:
        obj = model.objects.filter(company=company, pk=pk).first()
        if obj is None:
            raise Http404
    if request.method == "POST":
        form = HeaderForm(request.POST, company=company, kind=kind)
        lines = _lines_from(request.POST)
        if request.POST.get("action") == "save" and form.is_valid():
            try:
                saved = _save(request, kind, obj, form.cleaned_data, lines)
            except KernError as exc:
                ui.apply_errors(form, _header_errors(exc))
                context = _builder_context(request, kind, form, lines, obj)
                _line_errors(context, exc)
                return render(request, "sales/builder.html", context, status=422)
            messages.success(request, gettext("%(name)s was saved.") % {"name": saved.number or str(saved)})
            return HttpResponseRedirect(ui.document_url(saved))
    else:
        if obj is not None:
            header, data = _initial(kind, obj)
            form = HeaderForm(
                _Data({k: v for k, v in header.items() if v is not None}), company=company, kind=kind
            )
            lines = _lines_from(_Data(data))
        else:
            customer = request.GET.get("customer")
            form = HeaderForm(
                _Data({"customer": customer}) if customer else None,
                company=company,
                kind=kind,
                initial={"date": timezone.localdate()},
            )
            lines = []
    ui.style_form(form)
    context = _builder_context(request, kind, form, lines, obj)
    return render(request, "sales/builder.html", context)


def _header_errors(exc: KernError) -> KernError:
    """Only the header fields' errors go on the form; line errors are shown on their rows."""
    errors = {k: v for k, v in (exc.errors or {}).items() if not k.startswith("lines")}
    clone = KernError(exc.message, errors=errors)
    return clone


def _line_errors(context: dict[str, Any], exc: KernError) -> None:
    for key, messages_ in (exc.errors or {}).items():
        if key.startswith("lines["):
            n = int(key[6 : key.index("]")])
            for row in context["rows"]:
                if row["n"] == n:
                    row["errors"].extend(messages_)
        elif key == "lines":
            context["general_errors"].extend(messages_)
    if not exc.errors:
        context["general_errors"].append(exc.message)


def _save(
    request: HttpRequest, kind: str, obj: Any, cleaned: dict[str, Any], lines: list[dict[str, Any]]
) -> Any:
    by = request.user
    header: dict[str, Any] = {
        "payment_term": cleaned.get("payment_term"),
        "customer_reference": cleaned.get("customer_reference") or "",
        "notes": cleaned.get("notes") or "",
    }
    date = cleaned.get("date")
    if kind == "quote":
        header["quote_date"] = date or timezone.localdate()
        header["valid_until"] = cleaned.get("valid_until")
    elif kind == "order":
        header["order_date"] = date or timezone.localdate()
    else:
        header["invoice_date"] = date or timezone.localdate()
    if cleaned.get("invoicing_policy"):
        header["invoicing_policy"] = cleaned["invoicing_policy"]
    if obj is None:
        create = {
            "quote": services.create_quote,
            "order": services.create_order,
            "invoice": services.create_invoice,
        }[kind]
        return create(request.company, customer=cleaned["customer"], lines=lines, by=by, **header)
    if obj.customer_id != cleaned["customer"].pk:
        raise KernError(
            gettext("The customer of a saved document cannot change."),
            errors={"customer": [gettext("cannot change")]},
        )
    update = {
        "quote": services.update_quote,
        "order": services.update_order,
        "invoice": services.update_invoice,
    }[kind]
    return update(obj, lines=lines, by=by, **header)


@login_required
@require_POST
def builder_preview(request: HttpRequest, kind: str) -> HttpResponse:
    """The lines, totals, approval, ATP and credit panel of the builder, re-priced (htmx)."""
    if kind not in BUILDER or (
        not request.user.has_perm(BUILDER[kind][1]) and not request.user.has_perm(BUILDER[kind][2])
    ):
        raise DjangoPermissionDenied
    company = getattr(request, "company", None)
    if company is None:
        raise Http404
    form = HeaderForm(request.POST, company=company, kind=kind)
    ui.style_form(form)
    pk = request.POST.get("object")
    model = BUILDER[kind][0]
    obj = model.objects.filter(company=company, pk=pk).first() if pk and pk.isdigit() else None
    context = _builder_context(request, kind, form, _lines_from(request.POST), obj)
    return render(request, "sales/_builder_lines.html", context)


# --- returns ------------------------------------------------------------------------------------------


@login_required
def return_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the customer's goods back: a quantity per delivered line of the order."""
    if not request.user.has_perm("sales.add_returnauthorisation"):
        raise DjangoPermissionDenied
    order = ORDERS.get_object(request, pk)
    lines = list(order.lines.select_related("product", "uom").order_by("line_no"))
    errors: list[str] = []
    if request.method == "POST":
        chosen = []
        for ln in lines:
            raw = (request.POST.get(f"qty-{ln.pk}") or "").strip().replace(",", ".")
            if raw and raw != "0":
                chosen.append({"line": ln.pk, "quantity": raw})
        try:
            rma = services.create_return(
                order, lines=chosen, reason=request.POST.get("reason", ""), by=request.user
            )
            if request.POST.get("authorise"):
                services.authorise_return(rma, by=request.user)
        except KernError as exc:
            errors = [m for v in (exc.errors or {}).values() for m in v] or [exc.message]
        else:
            messages.success(request, gettext("Return %(number)s was created.") % {"number": rma.number})
            return HttpResponseRedirect(RETURNS.object_url(rma))
    return render(
        request,
        "sales/return_form.html",
        {
            "order": order,
            "lines": lines,
            "errors": errors,
            "title": gettext("Return goods of %(number)s") % {"number": order.number},
        },
        status=422 if errors else 200,
    )


# --- the customer's acceptance page (no login) -------------------------------------------------------------


def quote_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the customer's mail: the quote, and a form to accept or decline it.

    An altered or expired link, or one of an earlier revision, gets 403 and changes nothing."""
    try:
        quote = services.quote_for_token(token)
    except KernError as exc:
        return render(request, "sales/accept_invalid.html", {"message": exc.message}, status=exc.status)
    error = ""
    if request.method == "POST":
        name = (request.POST.get("name") or "").strip()
        with context.acting(interface="portal", company=quote.company_id):
            try:
                if request.POST.get("decision") == "reject":
                    services.reject_quote(quote, reason=request.POST.get("reason", ""))
                    return render(request, "sales/accept_done.html", {"quote": quote, "accepted": False})
                if not request.POST.get("agree"):
                    raise KernError(gettext("Tick the box to accept the quote and its terms."))
                order = services.accept_quote(
                    quote, name=name, from_address=(request.META.get("REMOTE_ADDR") or "")[:45]
                )
            except KernError as exc:
                error = exc.message
            else:
                return render(
                    request, "sales/accept_done.html", {"quote": quote, "order": order, "accepted": True}
                )
    doc = printing.document_context(quote)
    return render(
        request,
        "sales/accept.html",
        {**doc, "quote": quote, "error": error, "token": token},
        status=422 if error else 200,
    )


# --- registrations ---------------------------------------------------------------------------------------


def _search(kind: str):
    finder = {
        "quote": selectors.search_quotes,
        "order": selectors.search_orders,
        "invoice": selectors.search_invoices,
    }[kind]

    def search(request: HttpRequest, text: str, limit: int) -> list[ui.SearchHit]:
        return [
            ui.SearchHit(
                title=f"{d.number} {d.customer.name}", url=ui.document_url(d), subtitle=d.get_status_display()
            )
            for d in finder(request.company, text, limit=limit)
        ]

    return search


def _open_quotes(request: HttpRequest) -> dict[str, Any]:
    qs = selectors.quotes_of(request.company).filter(status__in=["draft", "to_approve", "approved", "sent"])
    return {"quotes": list(qs.select_related("customer").order_by("valid_until")[:8])}


def _to_approve(request: HttpRequest) -> dict[str, Any]:
    qs = selectors.quotes_of(request.company).filter(status="to_approve")
    return {"quotes": list(qs.select_related("customer").order_by("id")[:8])}


def _blocked_orders(request: HttpRequest) -> dict[str, Any]:
    qs = selectors.orders_of(request.company).filter(status="blocked")
    return {"orders": list(qs.select_related("customer").order_by("id")[:8])}


def register_ui() -> None:
    for area, label, url, perm, order in (
        ("sales", _("Quotes"), "sales:quote_list", "sales.view_quote", 5),
        ("sales", _("Sales orders"), "sales:order_list", "sales.view_salesorder", 6),
        ("sales", _("Customer invoices"), "sales:invoice_list", "sales.view_invoice", 7),
        ("sales", _("Returns"), "sales:return_list", "sales.view_returnauthorisation", 8),
        ("sales", _("Sales teams"), "sales:team_list", "sales.view_salesteam", 60),
        ("accounting", _("Customer invoices"), "sales:invoice_list", "sales.view_invoice", 15),
    ):
        ui.register_nav(area, label, url, permission=perm, order=order)
    for kind, label, perm, order in (
        ("quote", _("Quotes"), "sales.view_quote", 30),
        ("order", _("Sales orders"), "sales.view_salesorder", 31),
        ("invoice", _("Customer invoices"), "sales.view_invoice", 32),
    ):
        ui.register_search(
            ui.SearchProvider(f"sales.{kind}s", label, _search(kind), permission=perm, order=order)
        )
    ui.register_widget(
        ui.Widget(
            "sales.open_quotes",
            _("Open quotes"),
            "sales/widget_quotes.html",
            _open_quotes,
            permission="sales.view_quote",
            roles=("sales_rep", "sales_manager"),
            order=10,
        )
    )
    ui.register_widget(
        ui.Widget(
            "sales.to_approve",
            _("Quotes waiting for approval"),
            "sales/widget_quotes.html",
            _to_approve,
            permission="sales.view_quote",
            roles=("sales_manager", "administrator"),
            order=11,
        )
    )
    ui.register_widget(
        ui.Widget(
            "sales.blocked_orders",
            _("Orders blocked by the credit check"),
            "sales/widget_orders.html",
            _blocked_orders,
            permission="sales.release_credit_block",
            roles=("sales_manager", "controller", "administrator"),
            order=12,
        )
    )
    for label, (rows, columns) in {
        _("Quotes"): ("quotes", ["number", "quote_date", "status", "total"]),
        _("Sales orders"): (
            "orders",
            ["number", "order_date", "status", "delivery_status", "invoice_status", "total"],
        ),
        _("Customer invoices"): (
            "invoices",
            ["number", "kind", "invoice_date", "payment_status", "total", "residual"],
        ),
    }.items():
        model = {"quotes": Quote, "orders": SalesOrder, "invoices": Invoice}[rows]
        ui.register_tab(
            "parties.party",
            ui.Tab(
                f"sales_{rows}",
                label,
                rows=lambda party, request, m=model: m.objects.filter(
                    company_id=party.company_id, customer=party
                ).order_by("-id"),
                columns=columns,
                permission=f"sales.view_{model._meta.model_name}",
            ),
            order=40,
        )
