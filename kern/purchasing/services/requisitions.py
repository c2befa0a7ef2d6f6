"""Purchase requisitions: someone in the company asks for goods; once approved, the buyer turns
the lines into RFQs or straight into purchase orders (grouped by vendor). Requisitions are also
made from the inventory's "to replenish" list (reorder rules below their minimum)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kern.catalog.models import Product, Uom
from kern.catalog.selectors import convert_quantity
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import PermissionDenied
from kern.core.models import Company
from kern.core.numbering import next_number
from kern.core.services import validated
from kern.core.workflow import transition
from kern.inventory import selectors as inventory_selectors
from kern.inventory.models import ReplenishMethod, Warehouse
from kern.parties.models import Party
from kern.purchasing.events import REQUISITION_APPROVED
from kern.purchasing.exceptions import PurchasingCode
from kern.purchasing.models import (
    PurchaseOrder,
    Requisition,
    RequisitionLine,
    RequisitionLineStatus,
    RequisitionOrigin,
    RequisitionStatus,
)
from kern.purchasing.selectors.prices import vendor_price_for
from kern.purchasing.services._common import (
    acting,
    conflict,
    date_value,
    invalid,
    quantity,
    row_of,
    text,
    user_id,
)

__all__ = [
    "REPLENISH_SOURCE",
    "add_requisition_line",
    "approve_requisition",
    "cancel_requisition",
    "create_requisition",
    "order_requisition",
    "reject_requisition",
    "remove_requisition_line",
    "reopen_requisition",
    "requisition_from_replenishment",
    "submit_requisition",
    "update_requisition",
    "update_requisition_line",
]

S = RequisitionStatus
L = RequisitionLineStatus
REPLENISH_SOURCE = "inventory.reorder_rule"
LINE_FIELDS = {"product", "quantity", "uom", "required_date", "vendor", "description"}


def _warehouse_id(company: Company, value: Any) -> int | None:
    if value in (None, ""):
        return None
    return row_of(Warehouse, company, value, "warehouse").pk


def create_requisition(
    company: Company,
    *,
    by: Any = None,
    lines: Iterable[dict[str, Any]] = (),
    required_date: Any = None,
    warehouse: Any = None,
    reason: str = "",
    origin: str = RequisitionOrigin.MANUAL,
) -> Requisition:
    requisition = Requisition(
        company=company,
        number="pending",
        origin=origin,
        required_date=date_value(required_date, "required_date"),
        warehouse_id=_warehouse_id(company, warehouse),
        reason=text(reason, "reason", 5000),
        requested_by_id=user_id(by),
    )
    with atomic(), acting(by):
        requisition.number = next_number(company, "purchasing.requisition", timezone.localdate())
        requisition.save()
        for data in lines:
            _save_line(requisition, RequisitionLine(company=company, requisition=requisition), data, new=True)
    return requisition


def update_requisition(requisition: Requisition, *, by: Any = None, **fields: Any) -> Requisition:
    _editable(requisition)
    allowed = {"required_date", "warehouse", "reason"}
    unknown = set(fields) - allowed
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    if "required_date" in fields:
        requisition.required_date = date_value(fields["required_date"], "required_date")
    if "warehouse" in fields:
        requisition.warehouse_id = _warehouse_id(requisition.company, fields["warehouse"])
    if "reason" in fields:
        requisition.reason = text(fields["reason"], "reason", 5000)
    with atomic(), acting(by):
        requisition.save()
    return requisition


def _editable(requisition: Requisition) -> None:
    if requisition.status not in (S.DRAFT, S.SUBMITTED):
        raise conflict(
            _("%(number)s is %(status)s; it can no longer be changed")
            % {"number": requisition.number, "status": requisition.get_status_display().lower()},
            code=PurchasingCode.NOT_EDITABLE,
        )


def _save_line(
    requisition: Requisition, line: RequisitionLine, data: dict[str, Any], *, new: bool
) -> RequisitionLine:
    company = requisition.company
    unknown = set(data) - LINE_FIELDS
    if unknown:
        raise invalid(sorted(unknown)[0], _("unknown field"))
    if "product" in data or new:
        product = row_of(Product, company, data.get("product"), "product")
        if product is None:
            raise invalid("product", _("a product is required"))
        if not product.can_be_purchased:
            raise invalid("product", _("%(sku)s cannot be purchased") % {"sku": product.sku})
        line.product = product
    if "uom" in data and data["uom"] not in (None, ""):
        uom = data["uom"]
        found = (
            Uom.objects.filter(pk=getattr(uom, "pk", uom)).first()
            if str(getattr(uom, "pk", uom)).isdigit()
            else Uom.objects.filter(code=str(uom)).first()
        )
        if found is None or found.category_id != line.product.uom.category_id:
            raise invalid(
                "uom", _("%(uom)s is not a unit of %(sku)s") % {"uom": uom, "sku": line.product.sku}
            )
        line.uom = found
    elif new or "product" in data:
        line.uom = line.product.uom
    if "quantity" in data or new:
        line.quantity = quantity(data.get("quantity"))
    if "required_date" in data:
        line.required_date = date_value(data["required_date"], "required_date")
    elif new:
        line.required_date = requisition.required_date
    if "description" in data:
        line.description = text(data["description"], "description", 255)
    if "vendor" in data:
        vendor = row_of(Party, company, data["vendor"], "vendor")
        if vendor is not None and not vendor.is_vendor:
            raise invalid("vendor", _("%(party)s is not a vendor") % {"party": vendor})
        line.vendor = vendor
    # the estimate: the suggested vendor's price, else the best vendor's
    in_product_unit = convert_quantity(line.quantity, line.uom, line.product.uom, round_result=False)
    offer = vendor_price_for(company, line.product, in_product_unit, vendor=line.vendor_id)
    if offer is not None:
        if line.vendor_id is None:
            line.vendor = offer.vendor
        line.estimated_price = offer.unit_price * line.uom.factor / line.product.uom.factor
        line.currency_id = offer.currency_id
    validated(line, exclude=["requisition", "company", "product", "uom", "vendor", "order_line", "rfq_line"])
    line.save()
    return line


def add_requisition_line(requisition: Requisition, *, by: Any = None, **data: Any) -> RequisitionLine:
    _editable(requisition)
    with atomic(), acting(by):
        return _save_line(
            requisition, RequisitionLine(company=requisition.company, requisition=requisition), data, new=True
        )


def update_requisition_line(line: RequisitionLine, *, by: Any = None, **data: Any) -> RequisitionLine:
    _editable(line.requisition)
    with atomic(), acting(by):
        return _save_line(line.requisition, line, data, new=False)


def remove_requisition_line(line: RequisitionLine, *, by: Any = None) -> None:
    _editable(line.requisition)
    with atomic(), acting(by):
        line.delete()


def submit_requisition(requisition: Requisition, *, by: Any = None) -> Requisition:
    if not requisition.lines.exists():
        raise invalid("lines", _("%(number)s has no lines") % {"number": requisition.number})
    with atomic(), acting(by):
        transition(requisition, to=S.SUBMITTED, by=by)
    return requisition


def approve_requisition(requisition: Requisition, *, by: Any) -> Requisition:
    if by is None or not by.has_perm("purchasing.approve_requisition"):
        raise PermissionDenied(_("you may not approve purchase requisitions"))
    if not requisition.lines.exists():
        raise invalid("lines", _("%(number)s has no lines") % {"number": requisition.number})
    with atomic(), acting(by):
        transition(
            requisition,
            to=S.APPROVED,
            by=by,
            fields={"approved_by_id": user_id(by), "approved_at": timezone.now()},
        )
        emit(
            REQUISITION_APPROVED,
            {"company_id": requisition.company_id, "requisition_id": requisition.pk},
            company=requisition.company_id,
        )
    return requisition


def reject_requisition(requisition: Requisition, *, by: Any, reason: str = "") -> Requisition:
    if by is None or not by.has_perm("purchasing.approve_requisition"):
        raise PermissionDenied(_("you may not reject purchase requisitions"))
    with atomic(), acting(by):
        transition(requisition, to=S.REJECTED, by=by, fields={"rejection_reason": (reason or "")[:2000]})
    return requisition


def reopen_requisition(requisition: Requisition, *, by: Any = None) -> Requisition:
    with atomic(), acting(by):
        transition(requisition, to=S.DRAFT, by=by)
    return requisition


def cancel_requisition(requisition: Requisition, *, by: Any = None) -> Requisition:
    if requisition.lines.filter(status__in=[L.ORDERED, L.RFQ]).exists():
        raise conflict(
            _("%(number)s is already being ordered; cancel its RFQs or orders instead")
            % {"number": requisition.number}
        )
    with atomic(), acting(by):
        transition(requisition, to=S.CANCELLED, by=by)
        requisition.lines.update(status=L.CANCELLED)
    return requisition


def _approved(requisition: Requisition) -> None:
    if requisition.status != S.APPROVED:
        raise conflict(
            _("%(number)s is %(status)s; approve it first")
            % {"number": requisition.number, "status": requisition.get_status_display().lower()}
        )


def finish_if_done(requisition: Requisition, *, by: Any = None) -> None:
    """An approved requisition is done once none of its lines is still open."""
    if requisition.status == S.APPROVED and not requisition.lines.filter(status=L.OPEN).exists():
        transition(requisition, to=S.DONE, by=by)


def order_requisition(requisition: Requisition, *, by: Any = None) -> list[PurchaseOrder]:
    """Purchase orders for the open lines, one per vendor (the line's vendor, else the best price)."""
    from kern.purchasing.services.orders import create_order

    _approved(requisition)
    lines = list(requisition.lines.filter(status=L.OPEN).select_related("product", "uom", "vendor"))
    if not lines:
        raise conflict(_("%(number)s has no open lines") % {"number": requisition.number})
    by_vendor: dict[int, list[RequisitionLine]] = defaultdict(list)
    missing = []
    for ln in lines:
        vendor_id = ln.vendor_id
        if vendor_id is None:
            in_product_unit = convert_quantity(ln.quantity, ln.uom, ln.product.uom, round_result=False)
            offer = vendor_price_for(requisition.company, ln.product, in_product_unit)
            vendor_id = offer.vendor_id if offer else None
        if vendor_id is None:
            missing.append(ln.product.sku)
            continue
        by_vendor[vendor_id].append(ln)
    if missing:
        skus = sorted(set(missing))
        raise invalid(
            "vendor",
            ngettext(
                "no vendor is known for %(products)s: choose one on the line",
                "no vendor is known for %(products)s: choose one on the line",
                len(skus),
            )
            % {"products": ", ".join(skus)},
            code=PurchasingCode.NO_VENDOR,
        )
    orders = []
    with atomic(), acting(by):
        for vendor_id in sorted(by_vendor):
            group = by_vendor[vendor_id]
            order = create_order(
                requisition.company,
                vendor=vendor_id,
                warehouse=requisition.warehouse_id,
                expected_date=min((ln.required_date for ln in group if ln.required_date), default=None),
                lines=[
                    {
                        "product": ln.product,
                        "quantity": ln.quantity,
                        "uom": ln.uom,
                        **({"description": ln.description} if ln.description else {}),
                    }
                    for ln in group
                ],
                by=by,
            )
            for ln, ol in zip(group, order.lines.order_by("position"), strict=True):
                RequisitionLine.objects.filter(pk=ln.pk).update(status=L.ORDERED, order_line=ol)
            orders.append(order)
        finish_if_done(requisition, by=by)
    return orders


def requisition_from_replenishment(
    company: Company, *, by: Any = None, warehouse: Any = None, approve: bool = False
) -> Requisition:
    """A requisition for everything the inventory says to buy (reorder rules below their minimum),
    skipping products already on an open requisition for the same rule."""
    suggestions = inventory_selectors.to_replenish(
        company, warehouse=_warehouse_id(company, warehouse), method=ReplenishMethod.BUY
    )
    open_rules = set(
        RequisitionLine.objects.filter(
            company=company,
            source_type=REPLENISH_SOURCE,
            requisition__status__in=[S.DRAFT, S.SUBMITTED, S.APPROVED],
            status__in=[L.OPEN, L.RFQ],
        ).values_list("source_id", flat=True)
    )
    wanted = [s for s in suggestions if s.rule_id not in open_rules and s.quantity > 0]
    if not wanted:
        raise conflict(_("nothing is below its reorder point that is not already requested"))
    with atomic(), acting(by):
        requisition = create_requisition(
            company,
            by=by,
            origin=RequisitionOrigin.REPLENISHMENT,
            warehouse=wanted[0].warehouse_id if len({s.warehouse_id for s in wanted}) == 1 else None,
            reason="Generated from the to-replenish list",
        )
        for suggestion in wanted:
            _save_line(
                requisition,
                RequisitionLine(
                    company=company,
                    requisition=requisition,
                    source_type=REPLENISH_SOURCE,
                    source_id=suggestion.rule_id,
                ),
                {
                    "product": suggestion.product_id,
                    "quantity": suggestion.quantity,
                    "required_date": suggestion.order_by,
                    **({"vendor": suggestion.vendor_id} if suggestion.vendor_id else {}),
                },
                new=True,
            )
        if approve:
            approve_requisition(requisition, by=by)
    return requisition
