"""Purchase orders: draft → (waiting for approval) → approved → sent → received / billed → done.

Approval is by amount: each role may approve orders up to its limit (`ApprovalLimit`, untaxed total
in the company currency). Submitting an order approves it at once when the submitter's limit
covers it; otherwise it waits for someone whose limit does. On approval the order's goods are
announced to the warehouse as a receipt (inventory), with every move pointing back at its order
line; what the warehouse receives, and what bills charge, moves the order along by itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kern.catalog.models import Product, ProductType, Uom
from kern.catalog.selectors import convert_quantity
from kern.core import audit
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import KernError, PermissionDenied
from kern.core.models import Company
from kern.core.money import quantize
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.core.workflow import transition
from kern.inventory import selectors as inventory_selectors
from kern.inventory import services as inventory
from kern.inventory.models import Operation, OperationStatus, Warehouse
from kern.ledger.models import TaxCode
from kern.ledger.selectors import compute_taxes, tax_code_for
from kern.parties.models import Party, PaymentTerm
from kern.purchasing.events import ORDER_APPROVED, ORDER_CANCELLED, ORDER_SENT, OrderEvent
from kern.purchasing.exceptions import ApprovalLimitExceeded, PurchasingCode
from kern.purchasing.models import (
    OPEN_ORDER_STATUSES,
    ApprovalLimit,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
)
from kern.purchasing.selectors.prices import vendor_price_for
from kern.purchasing.services._common import (
    HUNDRED,
    ZERO,
    acting,
    cannot_go,
    check_currency,
    conflict,
    date_value,
    decimal,
    invalid,
    price,
    quantity,
    row_of,
    text,
    to_company,
    user_id,
)
from kern.purchasing.services.setup import policy_of

__all__ = [
    "ORDER_LINE_SOURCE",
    "ORDER_SOURCE",
    "add_order_line",
    "approval_limit_of",
    "approve_order",
    "cancel_order",
    "close_order",
    "create_order",
    "refresh_progress",
    "remove_order_line",
    "return_to_draft",
    "send_order",
    "submit_order",
    "update_order",
    "update_order_line",
]

S = OrderStatus
ORDER_SOURCE = "purchasing.order"
ORDER_LINE_SOURCE = "purchasing.order_line"
ORDER_FIELDS = {
    "order_date",
    "expected_date",
    "currency",
    "payment_term",
    "warehouse",
    "vendor_reference",
    "notes",
}
LINE_FIELDS = {
    "product",
    "quantity",
    "uom",
    "unit_price",
    "discount_percent",
    "tax_code",
    "description",
    "expected_date",
    "vendor_sku",
}


# --- creating and editing ------------------------------------------------------------------------


def _warehouse(company: Company, value: Any) -> Warehouse | None:
    if value in (None, ""):
        return None
    return row_of(Warehouse, company, value, "warehouse", is_active=True)


def _order_values(company: Company, fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - ORDER_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    out: dict[str, Any] = {}
    for name in ("order_date", "expected_date"):
        if name in fields:
            out[name] = date_value(fields[name], name)
    if "order_date" in out and out["order_date"] is None:
        out["order_date"] = timezone.localdate()
    if "currency" in fields:
        out["currency_id"] = check_currency(fields["currency"] or company.base_currency_id)
    if "payment_term" in fields:
        out["payment_term"] = row_of(PaymentTerm, company, fields["payment_term"], "payment_term")
    if "warehouse" in fields:
        warehouse = _warehouse(company, fields["warehouse"])
        out["warehouse_id"] = warehouse.pk if warehouse else None
    if "vendor_reference" in fields:
        out["vendor_reference"] = text(fields["vendor_reference"], "vendor_reference", 60)
    if "notes" in fields:
        out["notes"] = text(fields["notes"], "notes", 5000)
    return out


def create_order(
    company: Company,
    *,
    vendor: Any,
    lines: Iterable[dict[str, Any]] = (),
    by: Any = None,
    rfq: Any = None,
    **fields: Any,
) -> PurchaseOrder:
    """A draft purchase order for `vendor`; prices default to the vendor's price list."""
    vendor = row_of(Party, company, vendor, "vendor")
    if vendor is None or not vendor.is_vendor:
        raise invalid("vendor", _("choose a party that is a vendor"))
    if not vendor.is_active:
        raise invalid("vendor", _("%(vendor)s is archived") % {"vendor": vendor})
    fields.setdefault("currency", (vendor.currency_id or company.base_currency_id))
    values = _order_values(company, fields)
    values.setdefault("order_date", timezone.localdate())
    if "payment_term" not in fields:
        values["payment_term"] = vendor.payment_term
    order = PurchaseOrder(company=company, vendor=vendor, number="pending", buyer_id=user_id(by), **values)
    if rfq is not None:
        order.rfq = rfq
    validated(order, exclude=["number", "buyer", "approved_by"])
    with atomic(), acting(by):
        order.number = next_number(company, "purchasing.order", order.order_date)
        order.save()
        for position, data in enumerate(lines, start=1):
            _save_line(order, OrderLine(company=company, order=order, position=position), data, new=True)
        _recompute(order)
    return order


def update_order(order: PurchaseOrder, *, by: Any = None, **fields: Any) -> PurchaseOrder:
    _editable(order)
    values = _order_values(order.company, fields)
    for name, value in values.items():
        setattr(order, name, value)
    validated(order, exclude=["buyer", "approved_by"])
    with atomic(), acting(by):
        order.save()
        _recompute(order)
    return order


def _editable(order: PurchaseOrder) -> None:
    if not order.is_editable:
        raise conflict(
            _("%(number)s is %(status)s; only draft orders can be changed")
            % {"number": order.number, "status": order.get_status_display().lower()},
            code=PurchasingCode.NOT_EDITABLE,
        )


def _line_values(order: PurchaseOrder, line: OrderLine, data: dict[str, Any], *, new: bool) -> None:
    company = order.company
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    if "product" in data or new:
        product = row_of(Product, company, data.get("product"), "product")
        if product is None:
            raise invalid("product", _("a product is required"))
        if not product.can_be_purchased or not product.is_active:
            raise invalid("product", _("%(sku)s cannot be purchased") % {"sku": product.sku})
        line.product = product
    product = line.product
    if "uom" in data or new:
        uom = data.get("uom")
        if uom in (None, ""):
            line.uom = product.uom
        else:
            found = (
                Uom.objects.filter(pk=getattr(uom, "pk", uom)).first()
                if str(getattr(uom, "pk", uom)).isdigit()
                else Uom.objects.filter(code=str(uom)).first()
            )
            if found is None or found.category_id != product.uom.category_id:
                raise invalid(
                    "uom",
                    _("%(uom)s is not a unit %(sku)s can be ordered in") % {"uom": uom, "sku": product.sku},
                )
            line.uom = found
    if "quantity" in data or new:
        line.quantity = quantity(data.get("quantity"))
    offer = None
    if new or "product" in data or "quantity" in data:
        in_product_unit = convert_quantity(line.quantity, line.uom, product.uom, round_result=False)
        offer = vendor_price_for(
            company,
            product,
            in_product_unit,
            on=order.order_date,
            vendor=order.vendor_id,
            currency=order.currency_id,
        )
    if "unit_price" in data and data["unit_price"] not in (None, ""):
        line.unit_price = price(data["unit_price"])
    elif new or "product" in data:
        line.unit_price = _default_price(order, product, line.uom, offer)
    if "discount_percent" in data:
        discount = decimal(data["discount_percent"] or 0, "discount_percent")
        if discount > HUNDRED:
            raise invalid("discount_percent", _("at most 100"))
        line.discount_percent = discount
    if data.get("tax_code"):
        code = str(data["tax_code"]).strip()
        if not TaxCode.objects.filter(
            company=company, code=code, direction="purchase", is_active=True
        ).exists():
            raise invalid("tax_code", _("%(code)r is not an active purchase VAT code") % {"code": code})
        line.tax_code = code
    elif new or "product" in data:
        line.tax_code = _default_tax_code(order, product)
    if data.get("description"):
        line.description = text(data["description"], "description", 255)
    elif new or "product" in data:
        line.description = ((offer.vendor_product_name if offer else "") or product.name)[:255]
    if "vendor_sku" in data:
        line.vendor_sku = text(data["vendor_sku"], "vendor_sku", 60)
    elif (new or "product" in data) and offer is not None:
        line.vendor_sku = offer.vendor_sku
    if "expected_date" in data:
        line.expected_date = date_value(data["expected_date"], "expected_date")
    elif new and offer is not None and offer.lead_time_days:
        line.expected_date = order.order_date + dt.timedelta(days=offer.lead_time_days)


def _default_price(order: PurchaseOrder, product: Product, uom: Uom, offer: Any) -> Decimal:
    """The vendor's price for the quantity, else the product's cost (converted when needed)."""
    if offer is not None:
        unit_price = offer.unit_price
    else:
        unit_price = product.cost or ZERO
        base = order.company.base_currency_id
        if order.currency_id != base and unit_price:
            from kern.core.selectors import MissingExchangeRate, rate_on

            try:
                unit_price = unit_price * rate_on(
                    base, order.currency_id, order.order_date, company=order.company
                )
            except MissingExchangeRate:
                unit_price = ZERO
    # per the line's unit: a dozen costs twelve pieces
    if uom.pk != product.uom_id:
        unit_price = unit_price * uom.factor / product.uom.factor
    return unit_price.quantize(Decimal("0.000001"))


def _default_tax_code(order: PurchaseOrder, product: Product) -> str:
    try:
        code = tax_code_for(
            order.company,
            tax_category=product.tax_category,
            party=order.vendor,
            direction="purchase",
            product_type=product.type,
        )
    except KernError:
        return ""
    return code.code


def _save_line(order: PurchaseOrder, line: OrderLine, data: dict[str, Any], *, new: bool) -> OrderLine:
    _line_values(order, line, data, new=new)
    line.net_amount = quantize(line.quantity * line.net_price, order.currency_id)
    validated(line, exclude=["order", "company", "product", "uom"])
    line.save()
    return line


def add_order_line(order: PurchaseOrder, *, by: Any = None, **data: Any) -> OrderLine:
    _editable(order)
    with atomic(), acting(by):
        last = order.lines.order_by("-position").values_list("position", flat=True).first() or 0
        line = _save_line(
            order, OrderLine(company=order.company, order=order, position=last + 1), data, new=True
        )
        _recompute(order)
    return line


def update_order_line(line: OrderLine, *, by: Any = None, **data: Any) -> OrderLine:
    order = line.order
    _editable(order)
    with atomic(), acting(by):
        _save_line(order, line, data, new=False)
        _recompute(order)
    return line


def remove_order_line(line: OrderLine, *, by: Any = None) -> None:
    order = line.order
    _editable(order)
    with atomic(), acting(by):
        line.delete()
        _recompute(order)


def _recompute(order: PurchaseOrder) -> None:
    """Totals of the order: VAT per code on the summed lines (the ledger's rounding rule)."""
    rows = list(order.lines.values_list("net_amount", "tax_code"))
    untaxed = sum((amount for amount, _code in rows), ZERO)
    taxed = [(amount, code) for amount, code in rows if code]
    tax = compute_taxes(order.company, taxed, currency=order.currency_id).tax_total if taxed else ZERO
    order.untaxed_amount = untaxed
    order.tax_amount = tax
    order.total_amount = untaxed + tax
    from kern.core.selectors import MissingExchangeRate

    try:
        order.untaxed_company = to_company(order.company, untaxed, order.currency_id, order.order_date)
    except MissingExchangeRate:
        order.untaxed_company = ZERO  # approval will ask for the rate
    PurchaseOrder.objects.filter(pk=order.pk).update(
        untaxed_amount=order.untaxed_amount,
        tax_amount=order.tax_amount,
        total_amount=order.total_amount,
        untaxed_company=order.untaxed_company,
    )


# --- approval ------------------------------------------------------------------------------------


def approval_limit_of(user: Any, company: Company) -> tuple[bool, Decimal | None]:
    """(may approve at all, up to which amount — None: any) for the user's roles in the company."""
    if user is None or not user.has_perm("purchasing.approve_purchaseorder"):
        return False, ZERO
    roles = list(user.groups.values_list("name", flat=True))
    limits = list(
        ApprovalLimit.objects.filter(company=company, role__in=roles).values_list("max_amount", flat=True)
    )
    if not limits:
        return False, ZERO
    if any(limit is None for limit in limits):
        return True, None
    return True, max(limits)


def _check_approvable(order: PurchaseOrder) -> None:
    if not order.lines.exists():
        raise invalid("lines", _("%(number)s has no lines") % {"number": order.number})
    # The approval compares the company-currency amount; a foreign order needs its rate first.
    order.untaxed_company = to_company(
        order.company, order.untaxed_amount, order.currency_id, order.order_date
    )
    PurchaseOrder.objects.filter(pk=order.pk).update(untaxed_company=order.untaxed_company)


def _covers(user: Any, order: PurchaseOrder) -> bool:
    allowed, limit = approval_limit_of(user, order.company)
    return allowed and (limit is None or order.untaxed_company <= limit)


def submit_order(order: PurchaseOrder, *, by: Any) -> PurchaseOrder:
    """Ask for approval: approved at once when the submitter's limit covers the amount."""
    with atomic(), acting(by):
        _check_approvable(order)
        if _covers(by, order):
            return _approve(order, by=by, note="")
        allowed, limit = approval_limit_of(by, order.company)
        reason = (
            f"{order.untaxed_company} {order.company.base_currency_id} is above the approval limit "
            f"of the submitter ({limit} {order.company.base_currency_id})"
            if allowed
            else "the submitter may not approve purchase orders"
        )
        transition(order, to=S.TO_APPROVE, by=by, fields={"approval_reason": reason[:255]})
    return order


def approve_order(order: PurchaseOrder, *, by: Any, note: str = "") -> PurchaseOrder:
    """Approve a draft or waiting order; the approver's roles must cover its amount."""
    if order.status not in (S.DRAFT, S.TO_APPROVE):
        raise cannot_go(_("purchase order %(number)s") % {"number": order.number}, order.status, S.APPROVED)
    if by is None or not by.has_perm("purchasing.approve_purchaseorder"):
        raise PermissionDenied(_("you may not approve purchase orders"), code=PurchasingCode.APPROVAL_LIMIT)
    with atomic(), acting(by):
        _check_approvable(order)
        allowed, limit = approval_limit_of(by, order.company)
        if not _covers(by, order):
            base = order.company.base_currency_id
            values = {
                "number": order.number,
                "amount": order.untaxed_company,
                "currency": base,
                "limit": limit,
            }
            raise ApprovalLimitExceeded(
                (
                    _(
                        "%(number)s is %(amount)s %(currency)s untaxed; "
                        "your roles may approve orders up to %(limit)s %(currency)s"
                    )
                    if allowed
                    else _("%(number)s is %(amount)s %(currency)s untaxed; your roles have no approval limit")
                )
                % values,
                amount=str(order.untaxed_company),
                limit=str(limit) if limit is not None else None,
            )
        return _approve(order, by=by, note=note)


def _approve(order: PurchaseOrder, *, by: Any, note: str) -> PurchaseOrder:
    now = timezone.now()
    transition(
        order,
        to=S.APPROVED,
        by=by,
        fields={"approved_by_id": user_id(by), "approved_at": now, "approval_reason": (note or "")[:255]},
    )
    _create_receipt(order, by=by)
    emit(ORDER_APPROVED, _event(order), company=order.company_id)
    return order


def return_to_draft(order: PurchaseOrder, *, by: Any, reason: str = "") -> PurchaseOrder:
    """Send a waiting order back to its buyer for changes."""
    with atomic(), acting(by):
        transition(order, to=S.DRAFT, by=by, fields={"approval_reason": (reason or "")[:255]})
    return order


def _event(order: PurchaseOrder, email: str = "") -> OrderEvent:
    return OrderEvent(
        company_id=order.company_id,
        order_id=order.pk,
        number=order.number,
        vendor_id=order.vendor_id,
        status=order.status,
        total=str(order.total_amount),
        currency=order.currency_id,
        email=email,
    )


# --- receipts (inventory) ------------------------------------------------------------------------


def _create_receipt(order: PurchaseOrder, *, by: Any) -> Operation | None:
    """Announce the goods to the warehouse: one receipt with a move per goods line, valued at the
    order's net price in the company currency (what the receipt credits to GRNI)."""
    lines = list(order.lines.select_related("product", "uom", "product__uom").order_by("position"))
    goods = [ln for ln in lines if ln.product.type != ProductType.SERVICE]
    if not goods:
        return None
    rate_day = order.approved_at.date() if order.approved_at else timezone.localdate()
    specs = []
    for ln in goods:
        unit_cost = _unit_cost(order, ln, rate_day)
        specs.append(
            inventory.MoveSpec(
                product=ln.product,
                quantity=ln.quantity,
                uom=ln.uom,
                unit_cost=unit_cost,
                source_type=ORDER_LINE_SOURCE,
                source_id=ln.pk,
            )
        )
    warehouse = order.warehouse or inventory_selectors.default_warehouse(order.company)
    location_to = None
    if policy_of(order.company).quality_hold:
        from kern.purchasing.services.quality import quality_hold_location

        location_to = quality_hold_location(warehouse, by=by)
    return inventory.create_operation(
        order.company,
        kind="receipt",
        lines=specs,
        partner=order.vendor,
        warehouse=warehouse,
        source_type=ORDER_SOURCE,
        source_id=order.pk,
        origin=order.number,
        scheduled_date=order.expected_date or timezone.localdate(),
        location_to=location_to,
        by=by,
    )


def _unit_cost(order: PurchaseOrder, line: OrderLine, on: dt.date) -> Decimal:
    """Net unit price of the line in the company currency, with six decimals."""
    base = order.company.base_currency_id
    if order.currency_id == base:
        return line.net_price.quantize(Decimal("0.000001"))
    from kern.core.selectors import rate_on

    return (line.net_price * rate_on(order.currency_id, base, on, company=order.company)).quantize(
        Decimal("0.000001")
    )


def open_receipts(order: PurchaseOrder) -> list[Operation]:
    return [
        op
        for op in inventory_selectors.operations_for(order.company_id, ORDER_SOURCE, order.pk)
        if op.status not in (OperationStatus.DONE, OperationStatus.CANCELLED)
    ]


def record_stock_moves(event: Any) -> None:
    """inventory.receipt_done / return_done: add what arrived (or went back) to the order lines."""
    payload = event.payload
    if payload.get("source_type") != ORDER_SOURCE:
        return
    kind = payload.get("kind")
    sign = {"receipt": 1, "supplier_return": -1}.get(kind)
    if sign is None:
        return
    per_line: dict[int, tuple[Decimal, Decimal]] = {}
    for move in payload.get("moves", []):
        if move.get("source_type") != ORDER_LINE_SOURCE or move.get("source_id") is None:
            continue
        qty, value = per_line.get(move["source_id"], (ZERO, ZERO))
        per_line[move["source_id"]] = (
            qty + Decimal(move["uom_quantity"]),
            value + (Decimal(move["value"]) if move.get("value") is not None else ZERO),
        )
    if not per_line:
        return
    order = PurchaseOrder.objects.select_related("company").get(pk=payload["source_id"])
    for line_id, (qty, value) in per_line.items():
        OrderLine.objects.filter(pk=line_id, order=order).update(
            qty_received=F("qty_received") + sign * qty, received_value=F("received_value") + sign * value
        )
    from kern.purchasing.services.bills import clear_grni

    on = dt.date.fromisoformat(payload["date"]) if payload.get("date") else timezone.localdate()
    clear_grni(order, line_ids=list(per_line), on=on)
    refresh_progress(order)


def record_receipt_cancelled(event: Any) -> None:
    """A receipt cancelled in the warehouse: the order may now be complete (or stay waiting)."""
    payload = event.payload
    if payload.get("source_type") != ORDER_SOURCE or payload.get("kind") != "receipt":
        return
    order = PurchaseOrder.objects.filter(pk=payload.get("source_id")).first()
    if order is not None:
        refresh_progress(order)


# --- progress ------------------------------------------------------------------------------------


def progress_status(order: PurchaseOrder, lines: Sequence[OrderLine]) -> str:
    """The status that follows from what was received and billed.

    Services are "received" as they are billed. Done: every line fully received and billed. An
    order with bills is (partly) billed; one with receipts only is (partly) received.
    """
    if not lines:
        return order.status
    received_all = True
    billed_all = True
    any_received = False
    any_billed = False
    for ln in lines:
        goods = ln.product.type != ProductType.SERVICE
        received = ln.qty_received if goods else ln.qty_billed
        if received > 0:
            any_received = True
        if ln.qty_billed > 0:
            any_billed = True
        if received < ln.quantity:
            received_all = False
        if ln.qty_billed < max(ln.quantity, received):
            billed_all = False
    if received_all and billed_all:
        return S.DONE
    if any_billed:
        return S.BILLED if billed_all else S.PARTLY_BILLED
    if any_received:
        return S.RECEIVED if received_all else S.PARTLY_RECEIVED
    return S.SENT if order.sent_at else S.APPROVED


def refresh_progress(order: PurchaseOrder, *, by: Any = None) -> PurchaseOrder:
    """Move an approved order to the status its receipts and bills give it."""
    order.refresh_from_db(fields=["status", "sent_at", "closed_at"])
    if order.closed_at is not None or (order.status not in OPEN_ORDER_STATUSES and order.status != S.DONE):
        return order  # closed by hand (or cancelled): it stays as it is
    lines = list(order.lines.select_related("product"))
    target = progress_status(order, lines)
    if target != order.status and (order.status, target) in PurchaseOrder.TRANSITIONS:
        transition(order, to=target, by=by, action="progress")
    return order


# --- sending, cancelling, closing ----------------------------------------------------------------


def send_order(order: PurchaseOrder, *, by: Any, to: str = "", message: str = "") -> PurchaseOrder:
    """E-mail the order (PDF attached) to the vendor after commit, and mark it sent."""
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    address = (to or "").strip() or _vendor_email(order)
    if not address:
        raise invalid("to", _("%(vendor)s has no e-mail address; give one") % {"vendor": order.vendor})
    try:
        validate_email(address)
    except ValidationError:
        raise invalid("to", _("%(address)r is not an e-mail address") % {"address": address}) from None
    if order.status == S.SENT:
        raise conflict(_("%(number)s was already sent") % {"number": order.number})
    with atomic(), acting(by):
        if order.status == S.APPROVED:
            transition(order, to=S.SENT, by=by, fields={"sent_at": timezone.now(), "sent_to": address})
        elif order.status in OPEN_ORDER_STATUSES:
            # Re-sending a confirmed order (e.g. after goods arrived) only records the mail.
            PurchaseOrder.objects.filter(pk=order.pk).update(sent_at=timezone.now(), sent_to=address)
            order.sent_to = address
            audit.record(order, "sent", {"sent_to": [None, address]})
        else:
            raise cannot_go(_("purchase order %(number)s") % {"number": order.number}, order.status, S.SENT)
        payload = _event(order, email=address)
        emit(ORDER_SENT, {**payload.__dict__, "message": (message or "")[:5000]}, company=order.company_id)
    return order


def _vendor_email(order: PurchaseOrder) -> str:
    vendor = order.vendor
    contact = vendor.contacts.filter(is_active=True).exclude(email="").order_by("-is_primary", "id").first()
    return (contact.email if contact else "") or vendor.email


def cancel_order(order: PurchaseOrder, *, by: Any, reason: str = "") -> PurchaseOrder:
    """Cancel an order nothing was received or billed of; its open receipts are cancelled too."""
    with atomic(), acting(by):
        lines = list(order.lines.all())
        if any(ln.qty_received or ln.qty_billed for ln in lines):
            raise conflict(
                _("%(number)s has receipts or bills; return the goods or close the order instead")
                % {"number": order.number}
            )
        transition(order, to=S.CANCELLED, by=by, fields={"cancel_reason": (reason or "")[:255]})
        for receipt in open_receipts(order):
            inventory.cancel_operation(receipt, by=by)
        emit(ORDER_CANCELLED, _event(order), company=order.company_id)
    return order


def close_order(order: PurchaseOrder, *, by: Any, reason: str = "") -> PurchaseOrder:
    """Close an order for good: what was not received will not come (open receipts and backorders
    are cancelled). Bills for what was received can still be entered."""
    if order.status not in OPEN_ORDER_STATUSES:
        raise cannot_go(_("purchase order %(number)s") % {"number": order.number}, order.status, S.DONE)
    with atomic(), acting(by):
        for receipt in open_receipts(order):
            inventory.cancel_operation(receipt, by=by)
        lines = list(order.lines.select_related("product"))
        if not any(ln.qty_received or ln.qty_billed for ln in lines):
            transition(order, to=S.CANCELLED, by=by, fields={"cancel_reason": (reason or "closed")[:255]})
            return order
        transition(
            order,
            to=S.DONE,
            by=by,
            fields={"cancel_reason": (reason or "")[:255], "closed_at": timezone.now()},
            action="close",
        )
    return order
