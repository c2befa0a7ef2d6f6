"""Quality hold: with the policy's `quality_hold`, purchased goods arrive in a "Quality hold"
location of the warehouse — beside its stock, not in it, so nothing can be reserved from it —
and are released into stock after inspection (an internal transfer) or sent back to the vendor
(a return of the receipt). Received quantities count for the three-way match either way; a
return lowers them (inventory's return event)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from kern.core.db import atomic
from kern.inventory import services as inventory
from kern.inventory.models import Location, Move, MoveStatus, Operation, Warehouse
from kern.inventory.selectors import default_warehouse
from kern.purchasing.models import OrderLine, PurchaseOrder
from kern.purchasing.services._common import ZERO, acting, conflict, invalid, quantity

__all__ = [
    "HOLD_NAME",
    "held_quantities",
    "quality_hold_location",
    "reject_from_quality_hold",
    "release_from_quality_hold",
]

HOLD_NAME = "Quality hold"
ORDER_LINE_SOURCE = "purchasing.order_line"


def quality_hold_location(warehouse: Warehouse, *, by: Any = None) -> Location:
    """The warehouse's quality-hold location (created on first use, beside WH/Stock)."""
    parent = warehouse.view_location
    found = Location.objects.filter(company_id=warehouse.company_id, parent=parent, name=HOLD_NAME).first()
    if found is not None:
        return found
    return inventory.create_location(parent, name=HOLD_NAME, by=by)


def _warehouse(order: PurchaseOrder) -> Warehouse:
    return order.warehouse or default_warehouse(order.company)


def held_quantities(order: PurchaseOrder) -> dict[int, Decimal]:
    """Per order line, how much (in the line's unit) is in quality hold: received into it minus
    released from it or sent back."""
    hold = Location.objects.filter(
        company_id=order.company_id, parent=_warehouse(order).view_location, name=HOLD_NAME
    ).first()
    if hold is None:
        return {}
    line_ids = list(order.lines.values_list("pk", flat=True))
    moves = Move.objects.filter(
        company_id=order.company_id,
        source_type=ORDER_LINE_SOURCE,
        source_id__in=line_ids,
        status=MoveStatus.DONE,
    ).filter(Q(location_to=hold) | Q(location_from=hold))
    held: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for row in moves.values("source_id", "location_to_id").annotate(qty=Sum("uom_quantity")):
        sign = 1 if row["location_to_id"] == hold.pk else -1
        held[row["source_id"]] += sign * row["qty"]
    # four places, whatever the database's SUM returns
    return {line_id: Decimal(qty).quantize(Decimal("0.0001")) for line_id, qty in held.items() if qty}


def _chosen(order: PurchaseOrder, quantities: dict[Any, Any] | None) -> list[tuple[OrderLine, Decimal]]:
    held = held_quantities(order)
    lines = {ln.pk: ln for ln in order.lines.select_related("product", "uom")}
    if quantities is None:
        chosen = [(lines[pk], qty) for pk, qty in held.items() if pk in lines]
    else:
        chosen = []
        for key, value in quantities.items():
            line = lines.get(getattr(key, "pk", key))
            if line is None:
                raise invalid("quantities", _("not a line of %(number)s") % {"number": order.number})
            qty = quantity(value, "quantities")
            if qty > held.get(line.pk, ZERO):
                raise invalid(
                    "quantities",
                    _("%(sku)s: %(asked)s asked, %(held)s in quality hold")
                    % {"sku": line.product.sku, "asked": qty, "held": held.get(line.pk, ZERO)},
                )
            chosen.append((line, qty))
    if not chosen:
        raise conflict(_("nothing of %(number)s is in quality hold") % {"number": order.number})
    return chosen


def release_from_quality_hold(
    order: PurchaseOrder, *, quantities: dict[Any, Any] | None = None, by: Any = None
) -> Operation:
    """Move inspected goods from quality hold into stock (everything held, or `quantities` per line)."""
    warehouse = _warehouse(order)
    with atomic(), acting(by):
        chosen = _chosen(order, quantities)
        return inventory.transfer_stock(
            order.company,
            lines=[
                inventory.MoveSpec(
                    product=line.product,
                    quantity=qty,
                    uom=line.uom,
                    source_type=ORDER_LINE_SOURCE,
                    source_id=line.pk,
                )
                for line, qty in chosen
            ],
            location_from=quality_hold_location(warehouse, by=by),
            location_to=warehouse.stock_location,
            warehouse=warehouse,
            by=by,
        )


def reject_from_quality_hold(
    order: PurchaseOrder, *, quantities: dict[Any, Any] | None = None, by: Any = None
) -> list[Operation]:
    """Send rejected goods back to the vendor from quality hold: a return of the receipts they came
    with, so the order's received quantity (and GRNI) go down by what was sent back."""
    hold = quality_hold_location(_warehouse(order), by=by)
    with atomic(), acting(by):
        chosen = _chosen(order, quantities)
        per_receipt: dict[int, list[tuple[Move, Decimal]]] = defaultdict(list)
        for line, qty in chosen:
            left = qty
            for move in (
                Move.objects.filter(
                    source_type=ORDER_LINE_SOURCE, source_id=line.pk, status=MoveStatus.DONE, location_to=hold
                )
                .select_related("operation")
                .order_by("id")
            ):
                if left <= 0:
                    break
                if move.operation.kind != "receipt":
                    continue
                take = min(left, move.uom_quantity)
                # return quantities are in the product's unit
                per_receipt[move.operation_id].append((move, take * move.quantity / move.uom_quantity))
                left -= take
        returns = []
        for operation_id in sorted(per_receipt):
            receipt = Operation.objects.get(pk=operation_id)
            returns.append(
                inventory.return_operation(receipt, lines=per_receipt[operation_id], validate=True, by=by)
            )
    return returns
