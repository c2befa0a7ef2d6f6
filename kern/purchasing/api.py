"""Purchasing API: vendor prices, requisitions, RFQs, purchase orders, vendor bills (incl. UBL import)."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, principal, require_perm, scoped
from kern.core.exceptions import NotFound
from kern.core.roles import ROLES
from kern.purchasing import selectors, services
from kern.purchasing.models import (
    ApprovalLimit,
    BillLine,
    OrderLine,
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    Rfq,
    RfqLine,
    RfqVendor,
    VendorBill,
    VendorPrice,
)

router = Router(tags=["purchasing"])

Qty = Field(gt=0, max_digits=20, decimal_places=4)
Price = Field(ge=0, max_digits=20, decimal_places=6)
OrderStatusIn = Literal[
    "draft",
    "to_approve",
    "approved",
    "sent",
    "partly_received",
    "received",
    "partly_billed",
    "billed",
    "done",
    "cancelled",
]
BillStatusIn = Literal["draft", "approved", "partly_paid", "paid", "cancelled"]


class Reason(Schema):
    reason: str = Field("", max_length=255)


# --- vendor prices ---------------------------------------------------------------------------------


class VendorPriceIn(Schema):
    vendor_id: int
    product_id: int
    unit_price: Decimal = Price
    currency: str | None = Field(None, min_length=3, max_length=3)
    min_quantity: Decimal = Field(Decimal("1"), ge=0, max_digits=20, decimal_places=4)
    lead_time_days: int = Field(0, ge=0, le=3650)
    vendor_sku: str = Field("", max_length=60)
    vendor_product_name: str = Field("", max_length=200)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    is_active: bool = True


class VendorPricePatch(Schema):
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=6)
    min_quantity: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    lead_time_days: int | None = Field(None, ge=0, le=3650)
    vendor_sku: str | None = Field(None, max_length=60)
    vendor_product_name: str | None = Field(None, max_length=200)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    is_active: bool | None = None


class VendorPriceOut(Schema):
    id: int
    vendor_id: int
    vendor: str
    product_id: int
    sku: str
    vendor_sku: str
    vendor_product_name: str
    currency: str = Field(alias="currency_id")
    min_quantity: Decimal
    unit_price: Decimal
    lead_time_days: int
    valid_from: dt.date | None
    valid_to: dt.date | None
    is_active: bool

    @staticmethod
    def resolve_vendor(obj: VendorPrice) -> str:
        return obj.vendor.name

    @staticmethod
    def resolve_sku(obj: VendorPrice) -> str:
        return obj.product.sku


def _vendor_price_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None or k in ("valid_from", "valid_to")}
    if "vendor_id" in data:
        data["vendor"] = data.pop("vendor_id")
    if "product_id" in data:
        data["product"] = data.pop("product_id")
    return data


@router.get("/vendor-prices", response=list[VendorPriceOut])
@paginate(KernCursorPagination)
def list_vendor_prices(
    request: HttpRequest,
    product_id: int | None = None,
    vendor_id: int | None = None,
    active: bool | None = None,
):
    require_perm(request, "purchasing.view_vendorprice")
    qs = scoped(VendorPrice, request).select_related("vendor", "product")
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if vendor_id is not None:
        qs = qs.filter(vendor_id=vendor_id)
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/vendor-prices", response={201: VendorPriceOut})
def create_vendor_price(request: HttpRequest, payload: VendorPriceIn):
    who = require_perm(request, "purchasing.add_vendorprice")
    row = services.set_vendor_price(who.company, by=who.user, **_vendor_price_fields(payload, partial=False))
    return Status(201, row)


class BestPriceOut(Schema):
    found: bool
    vendor_price: VendorPriceOut | None = None


@router.get("/vendor-prices/best", response=BestPriceOut)
def best_vendor_price(
    request: HttpRequest,
    product_id: int,
    quantity: Decimal = Query(Decimal("1"), gt=0, max_digits=20, decimal_places=4),
    vendor_id: int | None = None,
    on: dt.date | None = None,
):
    """The best price for a quantity: the highest quantity break reached, then the lowest price."""
    who = require_perm(request, "purchasing.view_vendorprice")
    row = selectors.vendor_price_for(who.company, product_id, quantity, on=on, vendor=vendor_id)
    return {"found": row is not None, "vendor_price": row}


@router.get("/vendor-prices/{vendor_price_id}", response=VendorPriceOut)
def get_vendor_price(request: HttpRequest, vendor_price_id: int):
    require_perm(request, "purchasing.view_vendorprice")
    return scoped(VendorPrice, request, vendor_price_id)


@router.patch("/vendor-prices/{vendor_price_id}", response=VendorPriceOut)
def update_vendor_price(request: HttpRequest, vendor_price_id: int, payload: VendorPricePatch):
    who = require_perm(request, "purchasing.change_vendorprice")
    row = scoped(VendorPrice, request, vendor_price_id)
    return services.update_vendor_price(row, by=who.user, **_vendor_price_fields(payload, partial=True))


@router.delete("/vendor-prices/{vendor_price_id}", response={204: None})
def delete_vendor_price(request: HttpRequest, vendor_price_id: int):
    who = require_perm(request, "purchasing.delete_vendorprice")
    services.remove_vendor_price(scoped(VendorPrice, request, vendor_price_id), by=who.user)
    return Status(204, None)


# --- policy and approval limits --------------------------------------------------------------------


class PolicyOut(Schema):
    price_tolerance_percent: Decimal
    quantity_tolerance_percent: Decimal
    amount_tolerance: Decimal
    rfq_validity_days: int
    quality_hold: bool


class PolicyPatch(Schema):
    price_tolerance_percent: Decimal | None = Field(None, ge=0, le=1000, max_digits=6, decimal_places=2)
    quantity_tolerance_percent: Decimal | None = Field(None, ge=0, le=1000, max_digits=6, decimal_places=2)
    amount_tolerance: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    rfq_validity_days: int | None = Field(None, ge=0, le=3650)
    quality_hold: bool | None = None


@router.get("/purchasing/policy", response=PolicyOut)
def get_policy(request: HttpRequest):
    who = require_perm(request, "purchasing.view_purchasingpolicy")
    return services.policy_of(who.company)


@router.patch("/purchasing/policy", response=PolicyOut)
def update_policy(request: HttpRequest, payload: PolicyPatch):
    who = require_perm(request, "purchasing.change_purchasingpolicy")
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_policy(who.company, by=who.user, **changes)


class ApprovalLimitOut(Schema):
    role: str
    max_amount: Decimal | None


class ApprovalLimitIn(Schema):
    max_amount: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)


@router.get("/purchasing/approval-limits", response=list[ApprovalLimitOut])
def list_approval_limits(request: HttpRequest):
    require_perm(request, "purchasing.view_approvallimit")
    return list(scoped(ApprovalLimit, request).order_by("role"))


@router.put("/purchasing/approval-limits/{role}", response=ApprovalLimitOut)
def set_approval_limit(request: HttpRequest, role: str, payload: ApprovalLimitIn):
    """Let a role approve orders up to an untaxed amount in the company currency (null: any)."""
    who = require_perm(request, "purchasing.change_approvallimit")
    if role not in ROLES:
        raise NotFound(gettext("unknown role %(role)s") % {"role": repr(role)})
    return services.set_approval_limit(who.company, role=role, max_amount=payload.max_amount, by=who.user)


# --- requisitions ------------------------------------------------------------------------------------


class RequisitionLineIn(Schema):
    product_id: int
    quantity: Decimal = Qty
    uom: str | None = Field(None, max_length=12)
    required_date: dt.date | None = None
    vendor_id: int | None = None
    description: str = Field("", max_length=255)


class RequisitionLinePatch(Schema):
    quantity: Decimal | None = Field(None, gt=0, max_digits=20, decimal_places=4)
    required_date: dt.date | None = None
    vendor_id: int | None = None
    description: str | None = Field(None, max_length=255)


class RequisitionIn(Schema):
    required_date: dt.date | None = None
    warehouse_id: int | None = None
    reason: str = Field("", max_length=5000)
    lines: list[RequisitionLineIn] = Field(default_factory=list, max_length=500)


class RequisitionPatch(Schema):
    required_date: dt.date | None = None
    warehouse_id: int | None = None
    reason: str | None = Field(None, max_length=5000)


class RequisitionLineOut(Schema):
    id: int
    product_id: int
    sku: str
    description: str
    quantity: Decimal
    uom: str
    required_date: dt.date | None
    vendor_id: int | None
    estimated_price: Decimal | None
    currency: str | None = Field(None, alias="currency_id")
    status: str
    order_line_id: int | None
    rfq_line_id: int | None

    @staticmethod
    def resolve_sku(obj: RequisitionLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_uom(obj: RequisitionLine) -> str:
        return obj.uom.code


class RequisitionOut(Schema):
    id: int
    number: str
    status: str
    origin: str
    required_date: dt.date | None
    warehouse_id: int | None
    reason: str
    requested_by_id: int | None
    approved_by_id: int | None
    rejection_reason: str
    lines: list[RequisitionLineOut]

    @staticmethod
    def resolve_lines(obj: Requisition) -> list[RequisitionLine]:
        return list(obj.lines.select_related("product", "uom"))


class RequisitionSummary(Schema):
    id: int
    number: str
    status: str
    origin: str
    required_date: dt.date | None
    created_at: dt.datetime


def _line_data(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {
            k: v
            for k, v in data.items()
            if v is not None or k in ("required_date", "vendor_id", "expected_date")
        }
    for key in ("product", "vendor", "order_line"):
        if f"{key}_id" in data:
            data[key] = data.pop(f"{key}_id")
    return data


def _requisition(request: HttpRequest, requisition_id: int) -> Requisition:
    return scoped(Requisition, request, requisition_id)


@router.get("/requisitions", response=list[RequisitionSummary])
@paginate(KernCursorPagination)
def list_requisitions(request: HttpRequest, status: str | None = None):
    require_perm(request, "purchasing.view_requisition")
    qs = scoped(Requisition, request)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/requisitions", response={201: RequisitionOut})
def create_requisition(request: HttpRequest, payload: RequisitionIn):
    who = require_perm(request, "purchasing.add_requisition")
    requisition = services.create_requisition(
        who.company,
        by=who.user,
        required_date=payload.required_date,
        warehouse=payload.warehouse_id,
        reason=payload.reason,
        lines=[_line_data(ln, partial=False) for ln in payload.lines],
    )
    return Status(201, requisition)


class ReplenishIn(Schema):
    warehouse_id: int | None = None
    approve: bool = False


@router.post("/requisitions/from-replenishment", response={201: RequisitionOut})
def requisition_from_replenishment(request: HttpRequest, payload: ReplenishIn):
    """A requisition for every product the inventory's to-replenish list says to buy."""
    who = require_perm(request, "purchasing.add_requisition")
    requisition = services.requisition_from_replenishment(
        who.company, by=who.user, warehouse=payload.warehouse_id, approve=payload.approve
    )
    return Status(201, requisition)


@router.get("/requisitions/{requisition_id}", response=RequisitionOut)
def get_requisition(request: HttpRequest, requisition_id: int):
    require_perm(request, "purchasing.view_requisition")
    return _requisition(request, requisition_id)


@router.patch("/requisitions/{requisition_id}", response=RequisitionOut)
def update_requisition(request: HttpRequest, requisition_id: int, payload: RequisitionPatch):
    who = require_perm(request, "purchasing.change_requisition")
    data = payload.dict(exclude_unset=True)
    if "warehouse_id" in data:
        data["warehouse"] = data.pop("warehouse_id")
    return services.update_requisition(_requisition(request, requisition_id), by=who.user, **data)


@router.post("/requisitions/{requisition_id}/lines", response={201: RequisitionLineOut})
def add_requisition_line(request: HttpRequest, requisition_id: int, payload: RequisitionLineIn):
    who = require_perm(request, "purchasing.change_requisition")
    line = services.add_requisition_line(
        _requisition(request, requisition_id), by=who.user, **_line_data(payload, partial=False)
    )
    return Status(201, line)


@router.patch("/requisitions/{requisition_id}/lines/{requisition_line_id}", response=RequisitionLineOut)
def update_requisition_line(
    request: HttpRequest, requisition_id: int, requisition_line_id: int, payload: RequisitionLinePatch
):
    who = require_perm(request, "purchasing.change_requisition")
    line = scoped(RequisitionLine.objects.filter(requisition_id=requisition_id), request, requisition_line_id)
    return services.update_requisition_line(line, by=who.user, **_line_data(payload, partial=True))


@router.delete("/requisitions/{requisition_id}/lines/{requisition_line_id}", response={204: None})
def remove_requisition_line(request: HttpRequest, requisition_id: int, requisition_line_id: int):
    who = require_perm(request, "purchasing.change_requisition")
    line = scoped(RequisitionLine.objects.filter(requisition_id=requisition_id), request, requisition_line_id)
    services.remove_requisition_line(line, by=who.user)
    return Status(204, None)


@router.post("/requisitions/{requisition_id}/submit", response=RequisitionOut)
def submit_requisition(request: HttpRequest, requisition_id: int):
    who = require_perm(request, "purchasing.change_requisition")
    return services.submit_requisition(_requisition(request, requisition_id), by=who.user)


@router.post("/requisitions/{requisition_id}/approve", response=RequisitionOut)
def approve_requisition(request: HttpRequest, requisition_id: int):
    who = principal(request)
    return services.approve_requisition(_requisition(request, requisition_id), by=who.user)


@router.post("/requisitions/{requisition_id}/reject", response=RequisitionOut)
def reject_requisition(request: HttpRequest, requisition_id: int, payload: Reason):
    who = principal(request)
    return services.reject_requisition(
        _requisition(request, requisition_id), by=who.user, reason=payload.reason
    )


@router.post("/requisitions/{requisition_id}/reopen", response=RequisitionOut)
def reopen_requisition(request: HttpRequest, requisition_id: int):
    who = require_perm(request, "purchasing.change_requisition")
    return services.reopen_requisition(_requisition(request, requisition_id), by=who.user)


@router.post("/requisitions/{requisition_id}/cancel", response=RequisitionOut)
def cancel_requisition(request: HttpRequest, requisition_id: int):
    who = require_perm(request, "purchasing.change_requisition")
    return services.cancel_requisition(_requisition(request, requisition_id), by=who.user)


class OrderRef(Schema):
    id: int
    number: str
    vendor_id: int
    status: str
    total_amount: Decimal
    currency: str = Field(alias="currency_id")


@router.post("/requisitions/{requisition_id}/order", response={201: list[OrderRef]})
def order_requisition(request: HttpRequest, requisition_id: int):
    """Draft purchase orders for the open lines, one per vendor."""
    who = require_perm(request, "purchasing.add_purchaseorder")
    return Status(201, services.order_requisition(_requisition(request, requisition_id), by=who.user))


class RfqFromRequisitionIn(Schema):
    vendor_ids: list[int] = Field(min_length=1, max_length=50)
    deadline: dt.date | None = None


# --- RFQs ----------------------------------------------------------------------------------------------


class RfqLineIn(Schema):
    product_id: int
    quantity: Decimal = Qty
    uom: str | None = Field(None, max_length=12)
    description: str = Field("", max_length=255)
    required_date: dt.date | None = None


class RfqIn(Schema):
    deadline: dt.date | None = None
    required_date: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    warehouse_id: int | None = None
    notes: str = Field("", max_length=5000)
    vendor_ids: list[int] = Field(default_factory=list, max_length=50)
    lines: list[RfqLineIn] = Field(default_factory=list, max_length=500)


class RfqLineOut(Schema):
    id: int
    position: int
    product_id: int
    sku: str
    description: str
    quantity: Decimal
    uom: str
    required_date: dt.date | None

    @staticmethod
    def resolve_sku(obj: RfqLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_uom(obj: RfqLine) -> str:
        return obj.uom.code


class QuoteOut(Schema):
    line_id: int
    unit_price: Decimal
    quantity: Decimal
    lead_time_days: int
    note: str
    awarded: bool


class RfqVendorOut(Schema):
    id: int
    vendor_id: int
    vendor: str
    status: str
    email: str
    currency: str | None = Field(None, alias="currency_id")
    vendor_reference: str
    valid_until: dt.date | None
    order_id: int | None
    quotes: list[QuoteOut]

    @staticmethod
    def resolve_vendor(obj: RfqVendor) -> str:
        return obj.vendor.name

    @staticmethod
    def resolve_quotes(obj: RfqVendor) -> list:
        return list(obj.quotes.all())


class RfqOut(Schema):
    id: int
    number: str
    status: str
    deadline: dt.date | None
    required_date: dt.date | None
    currency: str = Field(alias="currency_id")
    warehouse_id: int | None
    requisition_id: int | None
    notes: str
    lines: list[RfqLineOut]
    vendors: list[RfqVendorOut]

    @staticmethod
    def resolve_lines(obj: Rfq) -> list:
        return list(obj.lines.select_related("product", "uom"))

    @staticmethod
    def resolve_vendors(obj: Rfq) -> list:
        return list(obj.vendors.select_related("vendor").prefetch_related("quotes"))


class RfqSummary(Schema):
    id: int
    number: str
    status: str
    deadline: dt.date | None
    created_at: dt.datetime


def _rfq(request: HttpRequest, rfq_id: int) -> Rfq:
    return scoped(Rfq, request, rfq_id)


@router.get("/rfqs", response=list[RfqSummary])
@paginate(KernCursorPagination)
def list_rfqs(request: HttpRequest, status: str | None = None):
    require_perm(request, "purchasing.view_rfq")
    qs = scoped(Rfq, request)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/rfqs", response={201: RfqOut})
def create_rfq(request: HttpRequest, payload: RfqIn):
    who = require_perm(request, "purchasing.add_rfq")
    rfq = services.create_rfq(
        who.company,
        by=who.user,
        deadline=payload.deadline,
        required_date=payload.required_date,
        currency=payload.currency,
        warehouse=payload.warehouse_id,
        notes=payload.notes,
        vendors=payload.vendor_ids,
        lines=[_line_data(ln, partial=False) for ln in payload.lines],
    )
    return Status(201, rfq)


@router.post("/requisitions/{requisition_id}/rfq", response={201: RfqOut})
def rfq_from_requisition(request: HttpRequest, requisition_id: int, payload: RfqFromRequisitionIn):
    """An RFQ with the requisition's open lines, sent to several vendors."""
    who = require_perm(request, "purchasing.add_rfq")
    rfq = services.create_rfq_from_requisition(
        _requisition(request, requisition_id),
        vendors=payload.vendor_ids,
        by=who.user,
        deadline=payload.deadline,
    )
    return Status(201, rfq)


@router.get("/rfqs/{rfq_id}", response=RfqOut)
def get_rfq(request: HttpRequest, rfq_id: int):
    require_perm(request, "purchasing.view_rfq")
    return _rfq(request, rfq_id)


@router.post("/rfqs/{rfq_id}/lines", response={201: RfqLineOut})
def add_rfq_line(request: HttpRequest, rfq_id: int, payload: RfqLineIn):
    who = require_perm(request, "purchasing.change_rfq")
    return Status(
        201, services.add_rfq_line(_rfq(request, rfq_id), by=who.user, **_line_data(payload, partial=False))
    )


@router.delete("/rfqs/{rfq_id}/lines/{rfq_line_id}", response={204: None})
def remove_rfq_line(request: HttpRequest, rfq_id: int, rfq_line_id: int):
    who = require_perm(request, "purchasing.change_rfq")
    services.remove_rfq_line(scoped(RfqLine.objects.filter(rfq_id=rfq_id), request, rfq_line_id), by=who.user)
    return Status(204, None)


class InviteIn(Schema):
    vendor_id: int
    email: str = Field("", max_length=254)


@router.post("/rfqs/{rfq_id}/vendors", response={201: RfqVendorOut})
def invite_vendor(request: HttpRequest, rfq_id: int, payload: InviteIn):
    who = require_perm(request, "purchasing.change_rfq")
    invitation = services.invite_vendor(
        _rfq(request, rfq_id), vendor=payload.vendor_id, email=payload.email, by=who.user
    )
    return Status(201, invitation)


def _invitation(request: HttpRequest, rfq_id: int, rfq_vendor_id: int) -> RfqVendor:
    return scoped(RfqVendor.objects.filter(rfq_id=rfq_id), request, rfq_vendor_id)


@router.delete("/rfqs/{rfq_id}/vendors/{rfq_vendor_id}", response={204: None})
def remove_rfq_vendor(request: HttpRequest, rfq_id: int, rfq_vendor_id: int):
    who = require_perm(request, "purchasing.change_rfq")
    services.remove_rfq_vendor(_invitation(request, rfq_id, rfq_vendor_id), by=who.user)
    return Status(204, None)


@router.post("/rfqs/{rfq_id}/send", response=RfqOut)
def send_rfq(request: HttpRequest, rfq_id: int):
    """Send the RFQ: every invited vendor with an e-mail address gets it as PDF."""
    who = require_perm(request, "purchasing.change_rfq")
    return services.send_rfq(_rfq(request, rfq_id), by=who.user)


class QuotePriceIn(Schema):
    line_id: int
    unit_price: Decimal = Price
    quantity: Decimal | None = Field(None, gt=0, max_digits=20, decimal_places=4)
    lead_time_days: int = Field(0, ge=0, le=3650)
    note: str = Field("", max_length=255)


class QuoteIn(Schema):
    prices: list[QuotePriceIn] = Field(min_length=1, max_length=500)
    vendor_reference: str = Field("", max_length=60)
    valid_until: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    notes: str = Field("", max_length=5000)


@router.post("/rfqs/{rfq_id}/vendors/{rfq_vendor_id}/quote", response=RfqVendorOut)
def record_quote(request: HttpRequest, rfq_id: int, rfq_vendor_id: int, payload: QuoteIn):
    """Record a vendor's answer (replacing an earlier one)."""
    who = require_perm(request, "purchasing.change_rfq")
    prices = [{**p.dict(), "line": p.line_id} for p in payload.prices]
    for p in prices:
        p.pop("line_id")
    return services.record_quote(
        _invitation(request, rfq_id, rfq_vendor_id),
        prices=prices,
        vendor_reference=payload.vendor_reference,
        valid_until=payload.valid_until,
        currency=payload.currency,
        notes=payload.notes,
        by=who.user,
    )


class NotesIn(Schema):
    notes: str = Field("", max_length=5000)


@router.post("/rfqs/{rfq_id}/vendors/{rfq_vendor_id}/decline", response=RfqVendorOut)
def decline_rfq(request: HttpRequest, rfq_id: int, rfq_vendor_id: int, payload: NotesIn):
    who = require_perm(request, "purchasing.change_rfq")
    return services.decline_rfq(_invitation(request, rfq_id, rfq_vendor_id), by=who.user, notes=payload.notes)


class OfferOut(Schema):
    invitation_id: int
    vendor_id: int
    vendor: str
    unit_price: Decimal
    currency: str
    quantity: Decimal
    lead_time_days: int
    amount: Decimal
    amount_company: Decimal | None
    note: str
    awarded: bool


class ComparisonLineOut(Schema):
    line_id: int
    sku: str
    description: str
    quantity: Decimal
    offers: list[OfferOut]
    best_invitation_id: int | None


class VendorTotalOut(Schema):
    invitation_id: int
    vendor: str
    lines_quoted: int
    amount_company: Decimal | None
    longest_lead_time: int | None


class ComparisonOut(Schema):
    rfq_id: int
    currency: str
    lines: list[ComparisonLineOut]
    totals: list[VendorTotalOut]
    best_total_invitation_id: int | None


@router.get("/rfqs/{rfq_id}/comparison", response=ComparisonOut)
def rfq_comparison(request: HttpRequest, rfq_id: int):
    """Every vendor's answer per line, in the company currency, the best one marked."""
    require_perm(request, "purchasing.view_rfq")
    comparison = selectors.rfq_comparison(_rfq(request, rfq_id))
    best = comparison.best_total
    return {
        "rfq_id": rfq_id,
        "currency": comparison.currency,
        "lines": [
            {
                "line_id": row.line.pk,
                "sku": row.line.product.sku,
                "description": row.line.description,
                "quantity": row.line.quantity,
                "offers": [o.__dict__ for o in row.offers],
                "best_invitation_id": row.best.invitation_id if row.best else None,
            }
            for row in comparison.lines
        ],
        "totals": [
            {
                "invitation_id": t.invitation.pk,
                "vendor": t.invitation.vendor.name,
                "lines_quoted": t.lines_quoted,
                "amount_company": t.amount_company,
                "longest_lead_time": t.longest_lead_time,
            }
            for t in comparison.totals
        ],
        "best_total_invitation_id": best.invitation.pk if best else None,
    }


class AwardChoice(Schema):
    line_id: int
    invitation_id: int


class AwardIn(Schema):
    invitation_id: int | None = None
    choices: list[AwardChoice] = Field(default_factory=list, max_length=500)
    record_prices: bool = True


@router.post("/rfqs/{rfq_id}/award", response={201: list[OrderRef]})
def award_rfq(request: HttpRequest, rfq_id: int, payload: AwardIn):
    """Turn the chosen answers into draft purchase orders: one vendor for all lines
    (`invitation_id`), a choice per line, or (neither) the best answer per line."""
    who = require_perm(request, "purchasing.add_purchaseorder")
    rfq = _rfq(request, rfq_id)
    vendor = _invitation(request, rfq_id, payload.invitation_id) if payload.invitation_id else None
    choices = {c.line_id: c.invitation_id for c in payload.choices} or None
    orders = services.award_rfq(
        rfq, by=who.user, vendor=vendor, choices=choices, record_prices=payload.record_prices
    )
    return Status(201, orders)


@router.post("/rfqs/{rfq_id}/cancel", response=RfqOut)
def cancel_rfq(request: HttpRequest, rfq_id: int):
    who = require_perm(request, "purchasing.change_rfq")
    return services.cancel_rfq(_rfq(request, rfq_id), by=who.user)


@router.get(
    "/rfqs/{rfq_id}/pdf",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def rfq_pdf(request: HttpRequest, rfq_id: int):
    require_perm(request, "purchasing.view_rfq")
    rfq = _rfq(request, rfq_id)
    return _pdf_response(services.rfq_pdf(rfq), f"{rfq.number}.pdf")


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- purchase orders ---------------------------------------------------------------------------------


class OrderLineIn(Schema):
    product_id: int
    quantity: Decimal = Qty
    uom: str | None = Field(None, max_length=12)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=6)
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    tax_code: str | None = Field(None, max_length=16)
    description: str = Field("", max_length=255)
    expected_date: dt.date | None = None


class OrderLinePatch(Schema):
    product_id: int | None = None
    quantity: Decimal | None = Field(None, gt=0, max_digits=20, decimal_places=4)
    uom: str | None = Field(None, max_length=12)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=6)
    discount_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5, decimal_places=2)
    tax_code: str | None = Field(None, max_length=16)
    description: str | None = Field(None, max_length=255)
    expected_date: dt.date | None = None


class OrderIn(Schema):
    vendor_id: int
    order_date: dt.date | None = None
    expected_date: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    warehouse_id: int | None = None
    vendor_reference: str = Field("", max_length=60)
    notes: str = Field("", max_length=5000)
    lines: list[OrderLineIn] = Field(default_factory=list, max_length=500)


class OrderPatch(Schema):
    order_date: dt.date | None = None
    expected_date: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    warehouse_id: int | None = None
    vendor_reference: str | None = Field(None, max_length=60)
    notes: str | None = Field(None, max_length=5000)


class OrderLineOut(Schema):
    id: int
    position: int
    product_id: int
    sku: str
    description: str
    vendor_sku: str
    quantity: Decimal
    uom: str
    unit_price: Decimal
    discount_percent: Decimal
    tax_code: str
    net_amount: Decimal
    expected_date: dt.date | None
    qty_received: Decimal
    qty_billed: Decimal
    received_value: Decimal
    billed_grni_value: Decimal

    @staticmethod
    def resolve_sku(obj: OrderLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_uom(obj: OrderLine) -> str:
        return obj.uom.code


class OrderSummary(Schema):
    id: int
    number: str
    status: str
    vendor_id: int
    vendor: str
    order_date: dt.date
    expected_date: dt.date | None
    currency: str = Field(alias="currency_id")
    untaxed_amount: Decimal
    tax_amount: Decimal
    total_amount: Decimal

    @staticmethod
    def resolve_vendor(obj: PurchaseOrder) -> str:
        return obj.vendor.name


class OrderOut(OrderSummary):
    payment_term_id: int | None
    warehouse_id: int | None
    vendor_reference: str
    notes: str
    untaxed_company: Decimal
    approval_reason: str
    buyer_id: int | None
    approved_by_id: int | None
    approved_at: dt.datetime | None
    sent_at: dt.datetime | None
    sent_to: str
    rfq_id: int | None
    lines: list[OrderLineOut]

    @staticmethod
    def resolve_lines(obj: PurchaseOrder) -> list:
        return list(obj.lines.select_related("product", "uom"))


def _order_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial, exclude={"lines", "vendor_id"})
    if partial:
        data = {
            k: v
            for k, v in data.items()
            if v is not None or k in ("expected_date", "payment_term_id", "warehouse_id")
        }
    for key in ("payment_term", "warehouse"):
        if f"{key}_id" in data:
            data[key] = data.pop(f"{key}_id")
    if data.get("currency") is None:
        data.pop("currency", None)
    if data.get("order_date") is None:
        data.pop("order_date", None)
    return data


def _order(request: HttpRequest, purchase_order_id: int) -> PurchaseOrder:
    return scoped(PurchaseOrder.objects.select_related("vendor"), request, purchase_order_id)


@router.get("/purchase-orders", response=list[OrderSummary])
@paginate(KernCursorPagination)
def list_orders(
    request: HttpRequest,
    status: OrderStatusIn | None = None,
    vendor_id: int | None = None,
    q: str | None = None,
):
    require_perm(request, "purchasing.view_purchaseorder")
    qs = scoped(PurchaseOrder, request).select_related("vendor")
    if status:
        qs = qs.filter(status=status)
    if vendor_id is not None:
        qs = qs.filter(vendor_id=vendor_id)
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(vendor__name__icontains=q) | Q(vendor_reference__icontains=q)
        )
    return qs


@router.post("/purchase-orders", response={201: OrderOut})
def create_order(request: HttpRequest, payload: OrderIn):
    who = require_perm(request, "purchasing.add_purchaseorder")
    order = services.create_order(
        who.company,
        vendor=payload.vendor_id,
        by=who.user,
        lines=[_line_data(ln, partial=False) for ln in payload.lines],
        **_order_fields(payload, partial=False),
    )
    return Status(201, _order(request, order.pk))


@router.get("/purchase-orders/{purchase_order_id}", response=OrderOut)
def get_order(request: HttpRequest, purchase_order_id: int):
    require_perm(request, "purchasing.view_purchaseorder")
    return _order(request, purchase_order_id)


@router.patch("/purchase-orders/{purchase_order_id}", response=OrderOut)
def update_order(request: HttpRequest, purchase_order_id: int, payload: OrderPatch):
    who = require_perm(request, "purchasing.change_purchaseorder")
    services.update_order(
        _order(request, purchase_order_id), by=who.user, **_order_fields(payload, partial=True)
    )
    return _order(request, purchase_order_id)


@router.post("/purchase-orders/{purchase_order_id}/lines", response={201: OrderLineOut})
def add_order_line(request: HttpRequest, purchase_order_id: int, payload: OrderLineIn):
    who = require_perm(request, "purchasing.change_purchaseorder")
    data = {k: v for k, v in _line_data(payload, partial=False).items() if v is not None}
    return Status(201, services.add_order_line(_order(request, purchase_order_id), by=who.user, **data))


def _order_line(request: HttpRequest, purchase_order_id: int, order_line_id: int) -> OrderLine:
    return scoped(OrderLine.objects.filter(order_id=purchase_order_id), request, order_line_id)


@router.patch("/purchase-orders/{purchase_order_id}/lines/{order_line_id}", response=OrderLineOut)
def update_order_line(
    request: HttpRequest, purchase_order_id: int, order_line_id: int, payload: OrderLinePatch
):
    who = require_perm(request, "purchasing.change_purchaseorder")
    line = _order_line(request, purchase_order_id, order_line_id)
    return services.update_order_line(line, by=who.user, **_line_data(payload, partial=True))


@router.delete("/purchase-orders/{purchase_order_id}/lines/{order_line_id}", response={204: None})
def remove_order_line(request: HttpRequest, purchase_order_id: int, order_line_id: int):
    who = require_perm(request, "purchasing.change_purchaseorder")
    services.remove_order_line(_order_line(request, purchase_order_id, order_line_id), by=who.user)
    return Status(204, None)


@router.post("/purchase-orders/{purchase_order_id}/submit", response=OrderOut)
def submit_order(request: HttpRequest, purchase_order_id: int):
    """Ask for approval; approved at once when your approval limit covers the amount."""
    who = require_perm(request, "purchasing.change_purchaseorder")
    services.submit_order(_order(request, purchase_order_id), by=who.user)
    return _order(request, purchase_order_id)


class NoteIn(Schema):
    note: str = Field("", max_length=255)


@router.post("/purchase-orders/{purchase_order_id}/approve", response=OrderOut)
def approve_order(request: HttpRequest, purchase_order_id: int, payload: NoteIn):
    who = principal(request)
    services.approve_order(_order(request, purchase_order_id), by=who.user, note=payload.note)
    return _order(request, purchase_order_id)


@router.post("/purchase-orders/{purchase_order_id}/return", response=OrderOut)
def return_order(request: HttpRequest, purchase_order_id: int, payload: Reason):
    """Send a waiting order back to its buyer for changes."""
    who = require_perm(request, "purchasing.approve_purchaseorder")
    services.return_to_draft(_order(request, purchase_order_id), by=who.user, reason=payload.reason)
    return _order(request, purchase_order_id)


class SendIn(Schema):
    to: str = Field("", max_length=254)
    message: str = Field("", max_length=5000)


@router.post("/purchase-orders/{purchase_order_id}/send", response=OrderOut)
def send_order(request: HttpRequest, purchase_order_id: int, payload: SendIn):
    """E-mail the order as PDF to the vendor (after commit) and mark it sent."""
    who = require_perm(request, "purchasing.change_purchaseorder")
    services.send_order(
        _order(request, purchase_order_id), by=who.user, to=payload.to, message=payload.message
    )
    return _order(request, purchase_order_id)


@router.post("/purchase-orders/{purchase_order_id}/cancel", response=OrderOut)
def cancel_order(request: HttpRequest, purchase_order_id: int, payload: Reason):
    who = require_perm(request, "purchasing.change_purchaseorder")
    services.cancel_order(_order(request, purchase_order_id), by=who.user, reason=payload.reason)
    return _order(request, purchase_order_id)


@router.post("/purchase-orders/{purchase_order_id}/close", response=OrderOut)
def close_order(request: HttpRequest, purchase_order_id: int, payload: Reason):
    """Close for good: what was not received will not come."""
    who = require_perm(request, "purchasing.change_purchaseorder")
    services.close_order(_order(request, purchase_order_id), by=who.user, reason=payload.reason)
    return _order(request, purchase_order_id)


@router.get(
    "/purchase-orders/{purchase_order_id}/pdf",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def order_pdf(request: HttpRequest, purchase_order_id: int):
    require_perm(request, "purchasing.view_purchaseorder")
    order = _order(request, purchase_order_id)
    return _pdf_response(services.order_pdf(order), f"{order.number}.pdf")


class ReceiptOut(Schema):
    id: int
    number: str
    status: str
    scheduled_date: dt.date
    date_done: dt.date | None
    backorder_of_id: int | None


@router.get("/purchase-orders/{purchase_order_id}/receipts", response=list[ReceiptOut])
def order_receipts(request: HttpRequest, purchase_order_id: int):
    """The receipts (and backorders, returns) inventory holds for the order."""
    require_perm(request, "purchasing.view_purchaseorder")
    return selectors.receipts_of(_order(request, purchase_order_id))


class HeldOut(Schema):
    order_line_id: int
    sku: str
    quantity: Decimal


class QualityIn(Schema):
    quantities: dict[int, Decimal] | None = Field(
        None, description="order line id → quantity; empty: all held"
    )


@router.get("/purchase-orders/{purchase_order_id}/quality-hold", response=list[HeldOut])
def order_quality_hold(request: HttpRequest, purchase_order_id: int):
    """What of the order waits in quality hold, per line (in the line's unit)."""
    require_perm(request, "purchasing.view_purchaseorder")
    order = _order(request, purchase_order_id)
    lines = {ln.pk: ln for ln in order.lines.select_related("product")}
    return [
        {"order_line_id": pk, "sku": lines[pk].product.sku, "quantity": qty}
        for pk, qty in services.held_quantities(order).items()
        if pk in lines
    ]


@router.post("/purchase-orders/{purchase_order_id}/quality-hold/release", response=list[HeldOut])
def release_quality_hold(request: HttpRequest, purchase_order_id: int, payload: QualityIn):
    """Move inspected goods into stock."""
    who = require_perm(request, "purchasing.change_purchaseorder")
    order = _order(request, purchase_order_id)
    services.release_from_quality_hold(order, quantities=payload.quantities, by=who.user)
    return order_quality_hold(request, purchase_order_id)


@router.post("/purchase-orders/{purchase_order_id}/quality-hold/reject", response=list[HeldOut])
def reject_quality_hold(request: HttpRequest, purchase_order_id: int, payload: QualityIn):
    """Send rejected goods back to the vendor (a return of their receipt)."""
    who = require_perm(request, "purchasing.change_purchaseorder")
    order = _order(request, purchase_order_id)
    services.reject_from_quality_hold(order, quantities=payload.quantities, by=who.user)
    return order_quality_hold(request, purchase_order_id)


class BillFromOrderIn(Schema):
    vendor_reference: str = Field("", max_length=60)
    bill_date: dt.date | None = None
    quantities: dict[int, Decimal] | None = None


# --- vendor bills -------------------------------------------------------------------------------------


class BillLineIn(Schema):
    description: str = Field("", max_length=255)
    product_id: int | None = None
    quantity: Decimal = Field(Decimal("1"), max_digits=20, decimal_places=4)
    uom: str | None = Field(None, max_length=12)
    unit_price: Decimal | None = Field(None, max_digits=20, decimal_places=6)
    tax_code: str | None = Field(None, max_length=16)
    account: str = Field("", max_length=20)
    order_line_id: int | None = None


class BillLinePatch(Schema):
    description: str | None = Field(None, max_length=255)
    product_id: int | None = None
    quantity: Decimal | None = Field(None, max_digits=20, decimal_places=4)
    unit_price: Decimal | None = Field(None, max_digits=20, decimal_places=6)
    tax_code: str | None = Field(None, max_length=16)
    account: str | None = Field(None, max_length=20)
    order_line_id: int | None = None


class BillIn(Schema):
    vendor_id: int
    kind: Literal["bill", "credit_note"] = "bill"
    vendor_reference: str = Field("", max_length=60)
    bill_date: dt.date | None = None
    due_date: dt.date | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)
    payment_term_id: int | None = None
    purchase_order_id: int | None = None
    payment_reference: str = Field("", max_length=140)
    notes: str = Field("", max_length=5000)
    lines: list[BillLineIn] = Field(default_factory=list, max_length=500)


class BillPatch(Schema):
    vendor_reference: str | None = Field(None, max_length=60)
    bill_date: dt.date | None = None
    due_date: dt.date | None = None
    payment_term_id: int | None = None
    purchase_order_id: int | None = None
    payment_reference: str | None = Field(None, max_length=140)
    notes: str | None = Field(None, max_length=5000)


class BillLineOut(Schema):
    id: int
    position: int
    order_line_id: int | None
    product_id: int | None
    description: str
    vendor_sku: str
    quantity: Decimal
    uom: str | None
    unit_price: Decimal
    net_amount: Decimal
    tax_code: str
    tax_category: str
    tax_rate: Decimal | None
    account: str

    @staticmethod
    def resolve_uom(obj: BillLine) -> str | None:
        return obj.uom.code if obj.uom_id else None


class BillTaxOut(Schema):
    tax_code: str
    category: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    deductible: bool


class BillSummary(Schema):
    id: int
    number: str
    kind: str
    status: str
    source: str
    vendor_id: int
    vendor: str
    vendor_reference: str
    bill_date: dt.date
    due_date: dt.date | None
    currency: str = Field(alias="currency_id")
    total_amount: Decimal
    residual: Decimal
    match_status: str
    payment_blocked: bool

    @staticmethod
    def resolve_vendor(obj: VendorBill) -> str:
        return obj.vendor.name


class BillOut(BillSummary):
    purchase_order_id: int | None
    order_reference: str
    payment_reference: str
    iban: str
    notes: str
    untaxed_amount: Decimal
    tax_amount: Decimal
    prepaid_amount: Decimal
    rounding_amount: Decimal
    amount_due: Decimal
    block_reason: str
    match_findings: list[dict]
    einvoice_findings: list[dict]
    variance_approved_by_id: int | None
    variance_note: str
    entered_by_id: int | None
    approved_by_id: int | None
    approved_at: dt.datetime | None
    entry_id: int | None
    entry_number: str
    lines: list[BillLineOut]
    taxes: list[BillTaxOut]

    @staticmethod
    def resolve_lines(obj: VendorBill) -> list:
        return list(obj.lines.select_related("uom"))

    @staticmethod
    def resolve_taxes(obj: VendorBill) -> list:
        return list(obj.taxes.all())


def _bill(request: HttpRequest, vendor_bill_id: int) -> VendorBill:
    return scoped(VendorBill.objects.select_related("vendor"), request, vendor_bill_id)


def _bill_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial, exclude={"lines", "vendor_id"})
    if partial:
        data = {
            k: v
            for k, v in data.items()
            if v is not None or k in ("due_date", "payment_term_id", "purchase_order_id")
        }
    for key in ("payment_term", "purchase_order"):
        if f"{key}_id" in data:
            data[key] = data.pop(f"{key}_id")
    for key in ("currency", "bill_date"):
        if data.get(key) is None:
            data.pop(key, None)
    return data


def _bill_line_data(payload: Schema, *, partial: bool) -> dict:
    data = _line_data(payload, partial=partial)
    if not partial:
        data = {k: v for k, v in data.items() if v is not None and v != ""}
    return data


@router.get("/vendor-bills", response=list[BillSummary])
@paginate(KernCursorPagination)
def list_bills(
    request: HttpRequest,
    status: BillStatusIn | None = None,
    vendor_id: int | None = None,
    blocked: bool | None = None,
    q: str | None = None,
):
    require_perm(request, "purchasing.view_vendorbill")
    qs = scoped(VendorBill, request).select_related("vendor")
    if status:
        qs = qs.filter(status=status)
    if vendor_id is not None:
        qs = qs.filter(vendor_id=vendor_id)
    if blocked is not None:
        qs = qs.filter(payment_blocked=blocked)
    if q:
        qs = qs.filter(
            Q(number__icontains=q) | Q(vendor_reference__icontains=q) | Q(vendor__name__icontains=q)
        )
    return qs


@router.post("/vendor-bills", response={201: BillOut})
def create_bill(request: HttpRequest, payload: BillIn):
    """A draft bill entered by hand; the vendor's bill number must be new for the vendor."""
    who = require_perm(request, "purchasing.add_vendorbill")
    bill = services.create_bill(
        who.company,
        vendor=payload.vendor_id,
        by=who.user,
        lines=[_bill_line_data(ln, partial=False) for ln in payload.lines],
        **_bill_fields(payload, partial=False),
    )
    return Status(201, _bill(request, bill.pk))


class ImportOut(Schema):
    bill: dict
    vendor: dict
    total: str
    currency: str
    findings: list[dict]


@router.post("/vendor-bills/import", response={201: ImportOut})
def import_bill(request: HttpRequest, file: UploadedFile = File(...)):
    """Upload a UBL 2.1 / Peppol BIS 3 invoice or credit note: checked against the UBL schema and
    the EN 16931 rules, then a draft bill. A rejected file answers 422 with every finding."""
    who = require_perm(request, "purchasing.add_vendorbill")
    if file.size and file.size > 10 * 1024 * 1024:
        from kern.core.exceptions import ValidationFailed

        raise ValidationFailed.on("file", gettext("The file is larger than 10 MB."))
    imported = services.import_einvoice(who.company, file.read(), by=who.user, filename=file.name or "")
    return Status(201, imported.as_dict())


@router.post("/purchase-orders/{purchase_order_id}/bill", response={201: BillOut})
def bill_order(request: HttpRequest, purchase_order_id: int, payload: BillFromOrderIn):
    """A draft bill for what was received and is not billed yet (ordered, for services)."""
    who = require_perm(request, "purchasing.add_vendorbill")
    bill = services.create_bill_from_order(
        _order(request, purchase_order_id),
        by=who.user,
        vendor_reference=payload.vendor_reference,
        bill_date=payload.bill_date,
        quantities=payload.quantities,
    )
    return Status(201, _bill(request, bill.pk))


@router.get("/vendor-bills/{vendor_bill_id}", response=BillOut)
def get_bill(request: HttpRequest, vendor_bill_id: int):
    require_perm(request, "purchasing.view_vendorbill")
    return _bill(request, vendor_bill_id)


@router.patch("/vendor-bills/{vendor_bill_id}", response=BillOut)
def update_bill(request: HttpRequest, vendor_bill_id: int, payload: BillPatch):
    who = require_perm(request, "purchasing.change_vendorbill")
    services.update_bill(_bill(request, vendor_bill_id), by=who.user, **_bill_fields(payload, partial=True))
    return _bill(request, vendor_bill_id)


@router.post("/vendor-bills/{vendor_bill_id}/lines", response={201: BillLineOut})
def add_bill_line(request: HttpRequest, vendor_bill_id: int, payload: BillLineIn):
    who = require_perm(request, "purchasing.change_vendorbill")
    line = services.add_bill_line(
        _bill(request, vendor_bill_id), by=who.user, **_bill_line_data(payload, partial=False)
    )
    return Status(201, line)


def _bill_line(request: HttpRequest, vendor_bill_id: int, bill_line_id: int) -> BillLine:
    return scoped(BillLine.objects.filter(bill_id=vendor_bill_id), request, bill_line_id)


@router.patch("/vendor-bills/{vendor_bill_id}/lines/{bill_line_id}", response=BillLineOut)
def update_bill_line(request: HttpRequest, vendor_bill_id: int, bill_line_id: int, payload: BillLinePatch):
    who = require_perm(request, "purchasing.change_vendorbill")
    line = _bill_line(request, vendor_bill_id, bill_line_id)
    return services.update_bill_line(line, by=who.user, **_bill_line_data(payload, partial=True))


@router.delete("/vendor-bills/{vendor_bill_id}/lines/{bill_line_id}", response={204: None})
def remove_bill_line(request: HttpRequest, vendor_bill_id: int, bill_line_id: int):
    who = require_perm(request, "purchasing.change_vendorbill")
    services.remove_bill_line(_bill_line(request, vendor_bill_id, bill_line_id), by=who.user)
    return Status(204, None)


@router.post("/vendor-bills/{vendor_bill_id}/check", response=BillOut)
def check_bill(request: HttpRequest, vendor_bill_id: int):
    """Run the three-way match on a draft; the findings are kept on it."""
    who = require_perm(request, "purchasing.change_vendorbill")
    services.check_bill(_bill(request, vendor_bill_id), by=who.user)
    return _bill(request, vendor_bill_id)


@router.post("/vendor-bills/{vendor_bill_id}/approve", response=BillOut)
def approve_bill(request: HttpRequest, vendor_bill_id: int):
    """Match, number and post the bill and register the payable (blocked on a variance)."""
    who = require_perm(request, "purchasing.approve_vendorbill")
    services.approve_bill(_bill(request, vendor_bill_id), by=who.user)
    return _bill(request, vendor_bill_id)


class ReleaseIn(Schema):
    note: str = Field(min_length=1, max_length=255)


@router.post("/vendor-bills/{vendor_bill_id}/release", response=BillOut)
def release_bill(request: HttpRequest, vendor_bill_id: int, payload: ReleaseIn):
    """Accept a bill's match variance: its payable may be paid."""
    who = principal(request)
    services.release_bill(_bill(request, vendor_bill_id), by=who.user, note=payload.note)
    return _bill(request, vendor_bill_id)


@router.post("/vendor-bills/{vendor_bill_id}/cancel", response=BillOut)
def cancel_bill(request: HttpRequest, vendor_bill_id: int, payload: Reason):
    who = require_perm(request, "purchasing.change_vendorbill")
    services.cancel_bill(_bill(request, vendor_bill_id), by=who.user, reason=payload.reason)
    return _bill(request, vendor_bill_id)
