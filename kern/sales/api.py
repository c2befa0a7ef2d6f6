"""Sales API: teams, quotes (with the live price preview and the public acceptance), sales orders,
customer invoices and credit notes (PDF and UBL), return authorisations."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kern.core import context
from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.core.workflow import allowed_transitions
from kern.parties.models import Party
from kern.sales import printing, selectors, services
from kern.sales.models import (
    Invoice,
    InvoiceLine,
    Quote,
    QuoteLine,
    ReturnAuthorisation,
    SalesOrder,
    SalesOrderLine,
    SalesTeam,
)

router = Router(tags=["sales"])

Qty = Field(gt=0, max_digits=20, decimal_places=4)
Percent = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
Reference = Field("", max_length=80)


class Reason(Schema):
    reason: str = Field("", max_length=300)


# --- teams -----------------------------------------------------------------------------------------


class TeamIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    manager_id: int | None = None
    member_ids: list[int] = Field(default_factory=list, max_length=500)


class TeamPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    manager_id: int | None = None
    member_ids: list[int] | None = Field(None, max_length=500)
    is_active: bool | None = None


class TeamOut(Schema):
    id: int
    name: str
    manager_id: int | None
    member_ids: list[int]
    is_active: bool

    @staticmethod
    def resolve_member_ids(obj: SalesTeam) -> list[int]:
        return sorted(u.pk for u in obj.members.all())


@router.get("/sales-teams", response=list[TeamOut])
@paginate(KernCursorPagination)
def list_teams(request: HttpRequest):
    require_perm(request, "sales.view_salesteam")
    return scoped(SalesTeam, request).prefetch_related("members")


@router.post("/sales-teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn):
    who = require_perm(request, "sales.add_salesteam")
    team = services.create_team(
        who.company, name=payload.name, manager=payload.manager_id, members=payload.member_ids, by=who.user
    )
    return Status(201, team)


@router.get("/sales-teams/{sales_team_id}", response=TeamOut)
def get_team(request: HttpRequest, sales_team_id: int):
    require_perm(request, "sales.view_salesteam")
    return scoped(SalesTeam, request, sales_team_id)


@router.patch("/sales-teams/{sales_team_id}", response=TeamOut)
def update_team(request: HttpRequest, sales_team_id: int, payload: TeamPatch):
    who = require_perm(request, "sales.change_salesteam")
    team = scoped(SalesTeam, request, sales_team_id)
    data = payload.dict(exclude_unset=True)
    if "manager_id" in data:
        data["manager"] = data.pop("manager_id")
    if "member_ids" in data:
        data["members"] = data.pop("member_ids") or []
    if data.get("name") is None:
        data.pop("name", None)
    if data.get("is_active") is None:
        data.pop("is_active", None)
    return services.update_team(team, by=who.user, **data)


# --- lines -----------------------------------------------------------------------------------------


class LineIn(Schema):
    product_id: int
    quantity: Decimal = Qty
    uom: str | None = Field(None, max_length=12)
    discount_percent: Decimal = Percent
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    description: str = Field("", max_length=500)
    options: list[int | str] | None = Field(None, max_length=100)

    def service(self) -> dict[str, Any]:
        data = self.dict()
        data["product"] = data.pop("product_id")
        return data


class LineOut(Schema):
    id: int
    line_no: int
    product_id: int
    sku: str
    description: str
    quantity: Decimal
    uom: str
    list_price: Decimal
    discount_percent: Decimal
    unit_price: Decimal
    amount: Decimal
    unit_cost: Decimal
    options: list[dict]
    option_summary: str
    tax_code: str
    tax_rate: Decimal

    @staticmethod
    def resolve_sku(obj: QuoteLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_uom(obj: QuoteLine) -> str:
        return obj.uom.code


class OrderLineOut(LineOut):
    qty_delivered: Decimal
    qty_invoiced: Decimal
    qty_returned: Decimal


# --- the live preview ------------------------------------------------------------------------------


class PreviewIn(Schema):
    customer_id: int
    lines: list[LineIn] = Field(max_length=500)
    currency: str | None = Field(None, min_length=3, max_length=3)
    on: dt.date | None = None


class PreviewLineOut(Schema):
    line_no: int
    product_id: int
    description: str
    quantity: Decimal
    list_price: Decimal
    discount_percent: Decimal
    unit_price: Decimal
    amount: Decimal
    tax_code: str
    option_summary: str
    available: Decimal | None
    short: bool


class CreditOut(Schema):
    limit: Decimal
    receivables: Decimal
    open_orders: Decimal
    used: Decimal
    available: Decimal | None


class PreviewOut(Schema):
    lines: list[PreviewLineOut]
    errors: dict[str, list[str]]
    net_total: Decimal | None
    tax_total: Decimal | None
    total: Decimal | None
    cost_total: Decimal | None
    margin_percent: Decimal | None
    max_discount_percent: Decimal | None
    approval_reasons: list[str]
    approval_role: str
    may_send: bool
    credit: CreditOut | None
    credit_exceeded: bool


def _credit(position: Any) -> dict[str, Any] | None:
    if position is None:
        return None
    return {
        "limit": position.limit,
        "receivables": position.receivables,
        "open_orders": position.open_orders,
        "used": position.used,
        "available": position.available,
    }


@router.post("/quotes/preview", response=PreviewOut)
def preview_quote(request: HttpRequest, payload: PreviewIn):
    """What the quote being typed comes to: prices, totals, approval, ATP per line, credit. Saves nothing."""
    who = require_perm(request, "sales.view_quote")
    customer = scoped(Party, request, payload.customer_id)
    preview = selectors.preview_document(
        who.company,
        customer=customer,
        lines=[ln.service() for ln in payload.lines],
        currency=payload.currency,
        on=payload.on,
        user=who.user,
    )
    priced = preview.priced
    checks = {c.line_no: c for c in preview.lines}
    return {
        "lines": [
            {
                "line_no": ln.line_no,
                "product_id": ln.product.pk,
                "description": ln.description,
                "quantity": ln.quantity,
                "list_price": ln.list_price,
                "discount_percent": ln.discount_percent,
                "unit_price": ln.unit_price,
                "amount": ln.amount,
                "tax_code": ln.tax_code,
                "option_summary": ln.option_summary,
                "available": checks[ln.line_no].available,
                "short": checks[ln.line_no].short,
            }
            for ln in (priced.lines if priced else [])
        ],
        "errors": preview.errors,
        "net_total": priced.net_total if priced else None,
        "tax_total": priced.tax_total if priced else None,
        "total": priced.total if priced else None,
        "cost_total": priced.cost_total if priced else None,
        "margin_percent": priced.margin_percent if priced else None,
        "max_discount_percent": priced.max_discount if priced else None,
        "approval_reasons": preview.approval_reasons,
        "approval_role": preview.approval_role,
        "may_send": preview.may_send,
        "credit": _credit(preview.credit),
        "credit_exceeded": preview.credit_exceeded,
    }


# --- quotes ----------------------------------------------------------------------------------------

InvoicingPolicy = Literal["order", "delivery"]
QuoteState = Literal[
    "draft", "to_approve", "approved", "sent", "accepted", "rejected", "expired", "cancelled"
]


class QuoteIn(Schema):
    customer_id: int
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    quote_date: dt.date | None = None
    valid_until: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    invoicing_policy: InvoicingPolicy | None = None
    sales_rep_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None
    customer_reference: str = Reference
    notes: str = Field("", max_length=5000)
    source_type: str = Field("", max_length=60)
    source_id: int | None = Field(None, ge=1, le=2**62)


class QuotePatch(Schema):
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=500)
    quote_date: dt.date | None = None
    valid_until: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    invoicing_policy: InvoicingPolicy | None = None
    sales_rep_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None
    customer_reference: str | None = Field(None, max_length=80)
    notes: str | None = Field(None, max_length=5000)


class QuoteOut(Schema):
    id: int
    number: str
    status: str
    customer_id: int
    customer: str
    quote_date: dt.date
    valid_until: dt.date
    currency: str = Field(alias="currency_id")
    payment_term_id: int | None
    invoicing_policy: str
    sales_rep_id: int | None
    team_id: int | None
    contact_id: int | None
    customer_reference: str
    notes: str
    source_type: str
    source_id: int | None
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    cost_total: Decimal
    margin_percent: Decimal | None
    max_discount_percent: Decimal
    approval_reasons: list[str]
    approval_role: str
    approved_by_id: int | None
    sent_at: dt.datetime | None
    accepted_at: dt.datetime | None
    accepted_by_name: str
    order_id: int | None
    allowed_transitions: list[str]
    lines: list[LineOut]

    @staticmethod
    def resolve_customer(obj: Quote) -> str:
        return obj.customer.name

    @staticmethod
    def resolve_order_id(obj: Quote) -> int | None:
        return obj.orders.values_list("pk", flat=True).first()

    @staticmethod
    def resolve_allowed_transitions(obj: Quote) -> list[str]:
        return allowed_transitions(obj)

    @staticmethod
    def resolve_lines(obj: Quote) -> list[QuoteLine]:
        return list(obj.lines.select_related("product", "uom").order_by("line_no"))


class QuoteSummary(Schema):
    id: int
    number: str
    status: str
    customer_id: int
    customer: str
    quote_date: dt.date
    valid_until: dt.date
    currency: str = Field(alias="currency_id")
    total: Decimal
    sales_rep_id: int | None
    team_id: int | None
    source_type: str
    source_id: int | None

    @staticmethod
    def resolve_customer(obj: Quote) -> str:
        return obj.customer.name


def _header(data: dict[str, Any]) -> dict[str, Any]:
    """API field names → service field names (ids to the relation names)."""
    out = {}
    for key, value in data.items():
        if key.endswith("_id") and key not in ("source_id",):
            out[key[:-3]] = value
        else:
            out[key] = value
    return out


@router.get("/quotes", response=list[QuoteSummary])
@paginate(KernCursorPagination)
def list_quotes(
    request: HttpRequest,
    status: QuoteState | None = None,
    customer_id: int | None = None,
    sales_rep_id: int | None = None,
    source_type: str | None = Query(None, max_length=60),
    source_id: int | None = None,
):
    require_perm(request, "sales.view_quote")
    qs = scoped(Quote, request).select_related("customer")
    for name, value in (
        ("status", status),
        ("customer_id", customer_id),
        ("sales_rep_id", sales_rep_id),
        ("source_type", source_type),
        ("source_id", source_id),
    ):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


@router.post("/quotes", response={201: QuoteOut})
def create_quote(request: HttpRequest, payload: QuoteIn):
    who = require_perm(request, "sales.add_quote")
    data = payload.dict(exclude_unset=True)
    lines = [ln.service() for ln in payload.lines]
    data.pop("lines")
    customer = data.pop("customer_id")
    quote = services.create_quote(who.company, customer=customer, lines=lines, by=who.user, **_header(data))
    return Status(201, quote)


@router.get("/quotes/{quote_id}", response=QuoteOut)
def get_quote(request: HttpRequest, quote_id: int):
    require_perm(request, "sales.view_quote")
    return scoped(Quote, request, quote_id)


@router.patch("/quotes/{quote_id}", response=QuoteOut)
def update_quote(request: HttpRequest, quote_id: int, payload: QuotePatch):
    who = require_perm(request, "sales.change_quote")
    quote = scoped(Quote, request, quote_id)
    data = payload.dict(exclude_unset=True)
    lines = [ln.service() for ln in payload.lines] if payload.lines is not None else None
    data.pop("lines", None)
    return services.update_quote(quote, lines=lines, by=who.user, **_header(data))


def _quote_action(request: HttpRequest, quote_id: int, perm: str, action, **kwargs: Any) -> Quote:
    who = require_perm(request, perm)
    quote = scoped(Quote, request, quote_id)
    return action(quote, by=who.user, **kwargs)


@router.post("/quotes/{quote_id}/submit", response=QuoteOut)
def submit_quote(request: HttpRequest, quote_id: int):
    """Ask for approval of a discount or margin beyond what the rep may give."""
    return _quote_action(request, quote_id, "sales.change_quote", services.submit_quote)


@router.post("/quotes/{quote_id}/approve", response=QuoteOut)
def approve_quote(request: HttpRequest, quote_id: int):
    """Approve: only a user whose role's discount limit (and margin right) covers the quote."""
    return _quote_action(request, quote_id, "sales.view_quote", services.approve_quote)


@router.post("/quotes/{quote_id}/refuse-approval", response=QuoteOut)
def refuse_quote_approval(request: HttpRequest, quote_id: int, payload: Reason):
    return _quote_action(
        request, quote_id, "sales.view_quote", services.refuse_quote_approval, reason=payload.reason
    )


class SentOut(Schema):
    quote: QuoteOut
    acceptance_url: str


def _acceptance_url(request: HttpRequest, quote: Quote) -> str:
    return request.build_absolute_uri(reverse("sales:quote_accept", args=[services.acceptance_token(quote)]))


@router.post("/quotes/{quote_id}/send", response=SentOut)
def send_quote(request: HttpRequest, quote_id: int):
    """Send the quote; the answer has the customer's acceptance link."""
    quote = _quote_action(request, quote_id, "sales.change_quote", services.send_quote)
    return {"quote": quote, "acceptance_url": _acceptance_url(request, quote)}


@router.get("/quotes/{quote_id}/acceptance-link", response=SentOut)
def acceptance_link(request: HttpRequest, quote_id: int):
    require_perm(request, "sales.view_quote")
    quote = scoped(Quote, request, quote_id)
    if quote.status != "sent":
        from kern.sales.exceptions import SalesCode, SalesConflict

        raise SalesConflict(
            gettext("quote %(number)s is not sent; send it first") % {"number": quote.number},
            code=SalesCode.NOT_ALLOWED,
        )
    return {"quote": quote, "acceptance_url": _acceptance_url(request, quote)}


@router.post("/quotes/{quote_id}/revise", response=QuoteOut)
def revise_quote(request: HttpRequest, quote_id: int):
    """Back to draft to change it; links sent before stop working."""
    return _quote_action(request, quote_id, "sales.change_quote", services.revise_quote)


@router.post("/quotes/{quote_id}/reject", response=QuoteOut)
def reject_quote(request: HttpRequest, quote_id: int, payload: Reason):
    """The customer declined (recorded by the rep)."""
    return _quote_action(
        request, quote_id, "sales.change_quote", services.reject_quote, reason=payload.reason
    )


@router.post("/quotes/{quote_id}/cancel", response=QuoteOut)
def cancel_quote(request: HttpRequest, quote_id: int):
    return _quote_action(request, quote_id, "sales.change_quote", services.cancel_quote)


class AcceptIn(Schema):
    name: str = Field(min_length=1, max_length=120)


def _pdf(doc: Any) -> HttpResponse:
    response = HttpResponse(printing.render_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printing.pdf_name(doc)}"'
    return response


@router.get(
    "/quotes/{quote_id}/pdf",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def quote_pdf(request: HttpRequest, quote_id: int):
    require_perm(request, "sales.view_quote")
    return _pdf(scoped(Quote, request, quote_id))


# --- the public acceptance (the customer's link) -----------------------------------------------------


class PublicQuoteOut(Schema):
    number: str
    company: str
    customer: str
    quote_date: dt.date
    valid_until: dt.date
    currency: str
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    lines: list[dict]


@router.get("/public/quotes/{token}", response=PublicQuoteOut, auth=None)
def public_quote(request: HttpRequest, token: str):
    """The quote a customer's link shows (no login; an altered or expired link is 403)."""
    quote = services.quote_for_token(token)
    return {
        "number": quote.number,
        "company": quote.company.name,
        "customer": quote.customer.name,
        "quote_date": quote.quote_date,
        "valid_until": quote.valid_until,
        "currency": quote.currency_id,
        "net_total": quote.net_total,
        "tax_total": quote.tax_total,
        "total": quote.total,
        "lines": [
            {
                "description": ln.description,
                "quantity": str(ln.quantity),
                "unit_price": str(ln.unit_price),
                "amount": str(ln.amount),
            }
            for ln in quote.lines.order_by("line_no")
        ],
    }


class AcceptedOut(Schema):
    quote: str
    order: str


@router.post("/public/quotes/{token}/accept", response=AcceptedOut, auth=None)
def public_accept(request: HttpRequest, token: str, payload: AcceptIn):
    """The customer accepts through the link: the quote becomes a sales order."""
    quote = services.quote_for_token(token)
    with context.acting(interface="portal", company=quote.company_id):
        order = services.accept_quote(quote, name=payload.name, from_address=_client_address(request))
    return {"quote": quote.number, "order": order.number}


@router.post("/public/quotes/{token}/reject", response=AcceptedOut, auth=None)
def public_reject(request: HttpRequest, token: str, payload: Reason):
    quote = services.quote_for_token(token)
    with context.acting(interface="portal", company=quote.company_id):
        services.reject_quote(quote, reason=payload.reason)
    return {"quote": quote.number, "order": ""}


def _client_address(request: HttpRequest) -> str:
    return (request.META.get("REMOTE_ADDR") or "")[:45]


# --- orders ----------------------------------------------------------------------------------------

OrderState = Literal["draft", "blocked", "confirmed", "done", "cancelled"]


class OrderIn(Schema):
    customer_id: int
    lines: list[LineIn] = Field(min_length=1, max_length=500)
    order_date: dt.date | None = None
    expected_date: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    invoicing_policy: InvoicingPolicy | None = None
    sales_rep_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None
    warehouse_id: int | None = None
    invoice_address_id: int | None = None
    delivery_address_id: int | None = None
    customer_reference: str = Reference
    notes: str = Field("", max_length=5000)
    source_type: str = Field("", max_length=60)
    source_id: int | None = Field(None, ge=1, le=2**62)
    confirm: bool = False


class OrderPatch(Schema):
    lines: list[LineIn] | None = Field(None, min_length=1, max_length=500)
    order_date: dt.date | None = None
    expected_date: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    invoicing_policy: InvoicingPolicy | None = None
    sales_rep_id: int | None = None
    team_id: int | None = None
    contact_id: int | None = None
    warehouse_id: int | None = None
    invoice_address_id: int | None = None
    delivery_address_id: int | None = None
    customer_reference: str | None = Field(None, max_length=80)
    notes: str | None = Field(None, max_length=5000)


class OrderSummary(Schema):
    id: int
    number: str
    status: str
    delivery_status: str
    invoice_status: str
    customer_id: int
    customer: str
    order_date: dt.date
    currency: str = Field(alias="currency_id")
    total: Decimal
    invoiced_total: Decimal
    sales_rep_id: int | None
    team_id: int | None
    quote_id: int | None
    source_type: str
    source_id: int | None

    @staticmethod
    def resolve_customer(obj: SalesOrder) -> str:
        return obj.customer.name


class OrderOut(OrderSummary):
    expected_date: dt.date | None
    payment_term_id: int | None
    invoicing_policy: str
    contact_id: int | None
    warehouse_id: int | None
    invoice_address_id: int | None
    delivery_address_id: int | None
    customer_reference: str
    notes: str
    net_total: Decimal
    tax_total: Decimal
    cost_total: Decimal
    credit_block_reason: str
    released_by_id: int | None
    cancel_reason: str
    allowed_transitions: list[str]
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_allowed_transitions(obj: SalesOrder) -> list[str]:
        return allowed_transitions(obj)

    @staticmethod
    def resolve_lines(obj: SalesOrder) -> list[SalesOrderLine]:
        return list(obj.lines.select_related("product", "uom").order_by("line_no"))


@router.post("/quotes/{quote_id}/accept", response={201: OrderOut})
def accept_quote(request: HttpRequest, quote_id: int, payload: AcceptIn):
    """The customer accepted (by phone or mail, recorded by the rep): the order is created."""
    who = require_perm(request, "sales.add_salesorder")
    quote = scoped(Quote, request, quote_id)
    order = services.accept_quote(quote, name=payload.name, by=who.user)
    return Status(201, order)


@router.get("/sales-orders", response=list[OrderSummary])
@paginate(KernCursorPagination)
def list_orders(
    request: HttpRequest,
    status: OrderState | None = None,
    delivery_status: Literal["nothing", "partly", "fully"] | None = None,
    invoice_status: Literal["nothing", "partly", "fully"] | None = None,
    customer_id: int | None = None,
    sales_rep_id: int | None = None,
    source_type: str | None = Query(None, max_length=60),
    source_id: int | None = None,
):
    require_perm(request, "sales.view_salesorder")
    qs = scoped(SalesOrder, request).select_related("customer")
    for name, value in (
        ("status", status),
        ("delivery_status", delivery_status),
        ("invoice_status", invoice_status),
        ("customer_id", customer_id),
        ("sales_rep_id", sales_rep_id),
        ("source_type", source_type),
        ("source_id", source_id),
    ):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


@router.post("/sales-orders", response={201: OrderOut})
def create_order(request: HttpRequest, payload: OrderIn):
    who = require_perm(request, "sales.add_salesorder")
    data = payload.dict(exclude_unset=True)
    data.pop("lines")
    confirm = data.pop("confirm", False)
    customer = data.pop("customer_id")
    from kern.core.db import atomic

    with atomic():
        order = services.create_order(
            who.company,
            customer=customer,
            lines=[ln.service() for ln in payload.lines],
            by=who.user,
            **_header(data),
        )
        if confirm:
            services.confirm_order(order, by=who.user)
    return Status(201, order)


@router.get("/sales-orders/{order_id}", response=OrderOut)
def get_order(request: HttpRequest, order_id: int):
    require_perm(request, "sales.view_salesorder")
    return scoped(SalesOrder, request, order_id)


@router.patch("/sales-orders/{order_id}", response=OrderOut)
def update_order(request: HttpRequest, order_id: int, payload: OrderPatch):
    who = require_perm(request, "sales.change_salesorder")
    order = scoped(SalesOrder, request, order_id)
    data = payload.dict(exclude_unset=True)
    lines = [ln.service() for ln in payload.lines] if payload.lines is not None else None
    data.pop("lines", None)
    return services.update_order(order, lines=lines, by=who.user, **_header(data))


@router.post("/sales-orders/{order_id}/confirm", response=OrderOut)
def confirm_order(request: HttpRequest, order_id: int):
    """Confirm: the credit check either confirms it (stock reserved) or holds it as blocked."""
    who = require_perm(request, "sales.change_salesorder")
    return services.confirm_order(scoped(SalesOrder, request, order_id), by=who.user)


@router.post("/sales-orders/{order_id}/release", response=OrderOut)
def release_order(request: HttpRequest, order_id: int):
    """Release an order the credit check blocked (needs sales.release_credit_block)."""
    who = require_perm(request, "sales.release_credit_block")
    return services.release_order(scoped(SalesOrder, request, order_id), by=who.user)


@router.post("/sales-orders/{order_id}/cancel", response=OrderOut)
def cancel_order(request: HttpRequest, order_id: int, payload: Reason):
    who = require_perm(request, "sales.change_salesorder")
    return services.cancel_order(scoped(SalesOrder, request, order_id), reason=payload.reason, by=who.user)


class ShipIn(Schema):
    quantities: dict[int, Decimal] | None = Field(None, description="order line id → quantity (line unit)")
    on: dt.date | None = None
    tracking_reference: str = Field("", max_length=80)


class DeliveryOut(Schema):
    id: int
    number: str
    status: str
    date_done: dt.date | None
    backorder_id: int | None


class ShippedOut(Schema):
    order: OrderOut
    deliveries: list[DeliveryOut]


@router.post("/sales-orders/{order_id}/ship", response=ShippedOut)
def ship_order(request: HttpRequest, order_id: int, payload: ShipIn):
    """Ship what is reserved (or the given quantities); the rest stays on a backorder. A blocked or
    cancelled order is refused (409, with the reason)."""
    who = require_perm(request, "sales.change_salesorder")
    order = scoped(SalesOrder, request, order_id)
    shipped = services.ship_order(
        order,
        quantities=payload.quantities,
        on=payload.on,
        tracking_reference=payload.tracking_reference,
        by=who.user,
    )
    order.refresh_from_db()
    return {
        "order": order,
        "deliveries": [
            {
                "id": d.pk,
                "number": d.number,
                "status": d.status,
                "date_done": d.date_done,
                "backorder_id": getattr(getattr(d, "backorder", None), "pk", None),
            }
            for d in shipped
        ],
    }


@router.get(
    "/sales-orders/{order_id}/pdf",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def order_pdf(request: HttpRequest, order_id: int):
    require_perm(request, "sales.view_salesorder")
    return _pdf(scoped(SalesOrder, request, order_id))


# --- invoices --------------------------------------------------------------------------------------


class InvoiceLineIn(Schema):
    product_id: int | None = None
    quantity: Decimal = Qty
    uom: str | None = Field(None, max_length=12)
    discount_percent: Decimal = Percent
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    description: str = Field("", max_length=500)
    options: list[int | str] | None = Field(None, max_length=100)
    tax_category: Literal["standard", "reduced", "zero", "exempt"] | None = None
    tax_code: str | None = Field(None, max_length=16)

    def service(self) -> dict[str, Any]:
        data = self.dict(exclude_none=True)
        if "product_id" in data:
            data["product"] = data.pop("product_id")
            data.pop("tax_category", None)
            data.pop("tax_code", None)
        else:
            data.pop("options", None)
            data.pop("uom", None)
        return data


class InvoiceIn(Schema):
    customer_id: int
    lines: list[InvoiceLineIn] = Field(min_length=1, max_length=500)
    invoice_date: dt.date | None = None
    payment_term_id: int | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    sales_rep_id: int | None = None
    team_id: int | None = None
    invoice_address_id: int | None = None
    customer_reference: str = Reference
    notes: str = Field("", max_length=5000)
    post: bool = False


class InvoicePatch(Schema):
    lines: list[InvoiceLineIn] | None = Field(None, min_length=1, max_length=500)
    invoice_date: dt.date | None = None
    payment_term_id: int | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    sales_rep_id: int | None = None
    team_id: int | None = None
    invoice_address_id: int | None = None
    customer_reference: str | None = Field(None, max_length=80)
    notes: str | None = Field(None, max_length=5000)


class InvoiceLineOut(Schema):
    id: int
    line_no: int
    product_id: int | None
    description: str
    quantity: Decimal
    uom: str | None
    unit_price: Decimal
    amount: Decimal
    tax_code: str
    tax_rate: Decimal
    order_line_id: int | None

    @staticmethod
    def resolve_uom(obj: InvoiceLine) -> str | None:
        return obj.uom.code if obj.uom_id else None


class InvoiceSummary(Schema):
    id: int
    kind: str
    number: str
    status: str
    payment_status: str
    customer_id: int
    customer: str
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str = Field(alias="currency_id")
    total: Decimal
    residual: Decimal
    order_id: int | None
    sales_rep_id: int | None
    team_id: int | None

    @staticmethod
    def resolve_customer(obj: Invoice) -> str:
        return obj.customer.name


class InvoiceOut(InvoiceSummary):
    discount_date: dt.date | None
    discount_amount: Decimal
    payment_term_id: int | None
    original_id: int | None
    return_authorisation_id: int | None
    invoice_address_id: int | None
    customer_reference: str
    payment_reference: str
    net_total: Decimal
    tax_total: Decimal
    total_company: Decimal
    tax_summary: list[dict]
    notes: str
    posted_at: dt.datetime | None
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_lines(obj: Invoice) -> list[InvoiceLine]:
        return list(obj.lines.select_related("uom").order_by("line_no"))


class InvoiceOrderIn(Schema):
    post: bool = True
    on: dt.date | None = None


@router.post("/sales-orders/{order_id}/invoice", response={201: InvoiceOut})
def invoice_order(request: HttpRequest, order_id: int, payload: InvoiceOrderIn):
    """Invoice what the order can invoice now; a cancelled or blocked order is refused (409)."""
    who = require_perm(request, "sales.add_invoice")
    order = scoped(SalesOrder, request, order_id)
    invoice = services.invoice_order(order, post=payload.post, on=payload.on, by=who.user)
    return Status(201, invoice)


@router.get("/customer-invoices", response=list[InvoiceSummary])
@paginate(KernCursorPagination)
def list_invoices(
    request: HttpRequest,
    kind: Literal["invoice", "credit_note"] | None = None,
    status: Literal["draft", "posted", "cancelled"] | None = None,
    payment_status: Literal["not_paid", "partly_paid", "paid"] | None = None,
    customer_id: int | None = None,
    order_id: int | None = None,
):
    require_perm(request, "sales.view_invoice")
    qs = scoped(Invoice, request).select_related("customer")
    for name, value in (
        ("kind", kind),
        ("status", status),
        ("payment_status", payment_status),
        ("customer_id", customer_id),
        ("order_id", order_id),
    ):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


@router.post("/customer-invoices", response={201: InvoiceOut})
def create_invoice(request: HttpRequest, payload: InvoiceIn):
    """A standalone invoice: product lines priced as on an order, or free lines (description,
    price and a VAT category or code)."""
    who = require_perm(request, "sales.add_invoice")
    data = payload.dict(exclude_unset=True)
    data.pop("lines")
    post = data.pop("post", False)
    customer = data.pop("customer_id")
    invoice = services.create_invoice(
        who.company,
        customer=customer,
        lines=[ln.service() for ln in payload.lines],
        post=post,
        by=who.user,
        **_header(data),
    )
    return Status(201, invoice)


@router.get("/customer-invoices/{invoice_id}", response=InvoiceOut)
def get_invoice(request: HttpRequest, invoice_id: int):
    require_perm(request, "sales.view_invoice")
    return scoped(Invoice, request, invoice_id)


@router.patch("/customer-invoices/{invoice_id}", response=InvoiceOut)
def update_invoice(request: HttpRequest, invoice_id: int, payload: InvoicePatch):
    who = require_perm(request, "sales.change_invoice")
    invoice = scoped(Invoice, request, invoice_id)
    data = payload.dict(exclude_unset=True)
    lines = [ln.service() for ln in payload.lines] if payload.lines is not None else None
    data.pop("lines", None)
    return services.update_invoice(invoice, lines=lines, by=who.user, **_header(data))


@router.post("/customer-invoices/{invoice_id}/post", response=InvoiceOut)
def post_invoice(request: HttpRequest, invoice_id: int):
    """Post: the legal number, the ledger entry (receivable, revenue, VAT) and the open item."""
    who = require_perm(request, "sales.change_invoice")
    return services.post_invoice(scoped(Invoice, request, invoice_id), by=who.user)


@router.post("/customer-invoices/{invoice_id}/cancel", response=InvoiceOut)
def cancel_invoice(request: HttpRequest, invoice_id: int):
    who = require_perm(request, "sales.change_invoice")
    return services.cancel_invoice(scoped(Invoice, request, invoice_id), by=who.user)


class CreditLineIn(Schema):
    line: int
    quantity: Decimal = Qty


class CreditIn(Schema):
    lines: list[CreditLineIn] | None = Field(None, max_length=500)
    reason: str = Field("", max_length=300)
    post: bool = True


@router.post("/customer-invoices/{invoice_id}/credit", response={201: InvoiceOut})
def credit_invoice(request: HttpRequest, invoice_id: int, payload: CreditIn):
    """A credit note for the invoice: in full, or the given lines and quantities."""
    who = require_perm(request, "sales.add_invoice")
    invoice = scoped(Invoice, request, invoice_id)
    lines = [ln.dict() for ln in payload.lines] if payload.lines is not None else None
    note = services.credit_invoice(
        invoice, lines=lines, reason=payload.reason, post=payload.post, by=who.user
    )
    return Status(201, note)


@router.get(
    "/customer-invoices/{invoice_id}/ubl",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/xml": {}}}}},
)
def invoice_ubl(request: HttpRequest, invoice_id: int):
    """The posted invoice or credit note as Peppol BIS Billing 3.0 UBL (409 naming missing data)."""
    require_perm(request, "sales.view_invoice")
    invoice = scoped(Invoice, request, invoice_id)
    response = HttpResponse(selectors.ubl_for(invoice), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
    return response


@router.get(
    "/customer-invoices/{invoice_id}/pdf",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def invoice_pdf(request: HttpRequest, invoice_id: int):
    require_perm(request, "sales.view_invoice")
    return _pdf(scoped(Invoice, request, invoice_id))


# --- returns ---------------------------------------------------------------------------------------


class ReturnLineIn(Schema):
    line: int
    quantity: Decimal = Qty


class ReturnIn(Schema):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)
    reason: str = Field("", max_length=300)
    authorise: bool = False


class ReturnLineOut(Schema):
    id: int
    order_line_id: int
    product_id: int
    quantity: Decimal
    qty_received: Decimal
    qty_credited: Decimal


class ReturnOut(Schema):
    id: int
    number: str
    status: str
    order_id: int
    customer_id: int
    return_date: dt.date
    reason: str
    receipt_ids: list[int]
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_lines(obj: ReturnAuthorisation) -> list:
        return list(obj.lines.order_by("id"))


@router.get("/return-authorisations", response=list[ReturnOut])
@paginate(KernCursorPagination)
def list_returns(
    request: HttpRequest,
    status: Literal["draft", "authorised", "received", "credited", "cancelled"] | None = None,
    order_id: int | None = None,
):
    require_perm(request, "sales.view_returnauthorisation")
    qs = scoped(ReturnAuthorisation, request)
    if status is not None:
        qs = qs.filter(status=status)
    if order_id is not None:
        qs = qs.filter(order_id=order_id)
    return qs


@router.post("/sales-orders/{order_id}/returns", response={201: ReturnOut})
def create_return(request: HttpRequest, order_id: int, payload: ReturnIn):
    """A return authorisation for goods of the order ({line: order line id, quantity})."""
    who = require_perm(request, "sales.add_returnauthorisation")
    order = scoped(SalesOrder, request, order_id)
    from kern.core.db import atomic

    with atomic():
        rma = services.create_return(
            order, lines=[ln.dict() for ln in payload.lines], reason=payload.reason, by=who.user
        )
        if payload.authorise:
            services.authorise_return(rma, by=who.user)
    return Status(201, rma)


@router.get("/return-authorisations/{return_id}", response=ReturnOut)
def get_return(request: HttpRequest, return_id: int):
    require_perm(request, "sales.view_returnauthorisation")
    return scoped(ReturnAuthorisation, request, return_id)


def _return_action(request: HttpRequest, return_id: int, action) -> Any:
    who = require_perm(request, "sales.change_returnauthorisation")
    return action(scoped(ReturnAuthorisation, request, return_id), by=who.user)


@router.post("/return-authorisations/{return_id}/authorise", response=ReturnOut)
def authorise_return(request: HttpRequest, return_id: int):
    """Authorise: a customer return is opened in inventory for the goods."""
    return _return_action(request, return_id, services.authorise_return)


@router.post("/return-authorisations/{return_id}/receive", response=ReturnOut)
def receive_return(request: HttpRequest, return_id: int):
    """The goods are back in stock."""
    return _return_action(request, return_id, services.receive_return)


@router.post("/return-authorisations/{return_id}/credit", response=ReturnOut)
def credit_return(request: HttpRequest, return_id: int):
    """Credit what came back on the order's invoices."""
    who = require_perm(request, "sales.add_invoice")
    rma = scoped(ReturnAuthorisation, request, return_id)
    services.credit_return(rma, by=who.user)
    rma.refresh_from_db()
    return rma


@router.post("/return-authorisations/{return_id}/cancel", response=ReturnOut)
def cancel_return(request: HttpRequest, return_id: int):
    return _return_action(request, return_id, services.cancel_return)


# --- the customer's credit -----------------------------------------------------------------------------


@router.get("/customers/{party_id}/credit", response=CreditOut)
def customer_credit(request: HttpRequest, party_id: int):
    """Credit limit against open receivables and open (confirmed, not invoiced) orders."""
    require_perm(request, "sales.view_salesorder")
    return _credit(selectors.credit_position(scoped(Party, request, party_id)))
