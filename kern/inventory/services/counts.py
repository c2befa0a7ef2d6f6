"""Stock counts: a count sheet per location subtree; applying it books the differences.

Starting a count snapshots what the books say is there (`expected`). Staff record or scan what
they find. Applying compares each counted line with the quantity on hand *at that moment* (goods
may have moved while counting) and books the difference as one inventory adjustment, valued and
posted like any other. Lines nobody counted change nothing. If a count finds less than is
reserved there, those reservations are released first and tried again elsewhere.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from kern.catalog.models import Product, TrackingMode
from kern.core import audit, context
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import ValidationFailed
from kern.core.numbering import next_number
from kern.core.workflow import transition
from kern.inventory import selectors
from kern.inventory.events import COUNT_APPLIED, StockCountApplied
from kern.inventory.exceptions import InvalidQuantity, LotRequired, UnknownCode, refused_transition
from kern.inventory.models import (
    Location,
    LocationKind,
    Lot,
    Move,
    MoveStatus,
    Operation,
    OperationKind,
    Quant,
    StockCount,
    StockCountLine,
    StockCountStatus,
    Warehouse,
)
from kern.inventory.services.operations import MoveSpec, create_operation
from kern.inventory.services.reservation import _unreserve, reserve_stock
from kern.inventory.services.shipping import validate_operation

__all__ = ["apply_stock_count", "cancel_stock_count", "record_count", "scan_count", "start_stock_count"]

ZERO = Decimal("0")


def _acting(by: Any):
    return context.acting(by) if by is not None else context.acting()


def start_stock_count(
    warehouse: Warehouse,
    *,
    location: Location | None = None,
    products: list[Product] | None = None,
    by: Any = None,
) -> StockCount:
    """Open a count of `location` (default: the warehouse's stock) with a line per product, lot
    and location the books show there."""
    location = location or warehouse.stock_location
    if location.company_id != warehouse.company_id or location.warehouse_id != warehouse.pk:
        raise ValidationFailed.on(
            "location",
            gettext("%(location)s is not in warehouse %(warehouse)s")
            % {"location": location, "warehouse": warehouse.code},
        )
    with atomic(), _acting(by):
        count = StockCount.objects.create(
            company_id=warehouse.company_id,
            number=next_number(warehouse.company, "inventory.count", timezone.localdate()),
            warehouse=warehouse,
            location=location,
            status=StockCountStatus.IN_PROGRESS,
            created_by_id=getattr(by, "pk", by) if by is not None else context.current().user_id,
        )
        quants = (
            Quant.objects.filter(company_id=warehouse.company_id, location__kind=LocationKind.INTERNAL)
            .filter(selectors.subtree(location))
            .exclude(quantity=0)
        )
        if products is not None:
            quants = quants.filter(product_id__in=[p.pk for p in products])
        lines = [
            StockCountLine(
                company_id=warehouse.company_id,
                count=count,
                location_id=q.location_id,
                product_id=q.product_id,
                lot_id=q.lot_id,
                expected=q.quantity,
            )
            for q in quants.order_by("location__path", "product_id", "lot_id")
        ]
        StockCountLine.objects.bulk_create(lines)
        audit.record_created(lines)
    return count


def _check_open(count: StockCount) -> None:
    if count.status != StockCountStatus.IN_PROGRESS:
        raise refused_transition(count, StockCountStatus.DONE)


def record_count(
    count: StockCount,
    *,
    location: Location,
    product: Product,
    quantity: Decimal,
    lot: Lot | str | None = None,
    add: bool = False,
    by: Any = None,
) -> StockCountLine:
    """Set (or, with `add`, increase) the counted quantity of a product (and lot) in a location."""
    _check_open(count)
    if product.company_id != count.company_id:
        raise ValidationFailed.on("product", gettext("unknown product"))
    if location.company_id != count.company_id or location.kind != LocationKind.INTERNAL:
        raise ValidationFailed.on("location", gettext("count in an internal location of the warehouse"))
    if location.pk != count.location_id and not location.path.startswith(
        f"{count.location.path}{count.location_id}/"
    ):
        raise ValidationFailed.on(
            "location",
            gettext("%(location)s is not part of count %(count)s (%(counted)s)")
            % {"location": location, "count": count.number, "counted": count.location},
        )
    if product.tracking != TrackingMode.NONE and lot in (None, ""):
        raise LotRequired(
            gettext("%(sku)s: count it per lot or serial number") % {"sku": product.sku},
            errors={"lot": [gettext("lot required")]},
        )
    quantity = Decimal(quantity)
    with atomic(), _acting(by):
        if isinstance(lot, str):
            lot = Lot.objects.filter(
                company_id=count.company_id, product=product, name=lot.strip()
            ).first() or Lot.objects.create(company_id=count.company_id, product=product, name=lot.strip())
        line = (
            StockCountLine.objects.select_for_update()
            .filter(count=count, location=location, product=product, lot=lot)
            .first()
        )
        if line is None:
            expected = (
                Quant.objects.filter(product=product, location=location, lot=lot)
                .values_list("quantity", flat=True)
                .first()
            )
            line = StockCountLine(
                company_id=count.company_id,
                count=count,
                location=location,
                product=product,
                lot=lot,
                expected=expected or ZERO,
            )
        new = (line.counted or ZERO) + quantity if add else quantity
        if new < 0:
            raise InvalidQuantity(product, new, field="counted", reason="cannot be negative")
        line.counted = new
        line.counted_by_id = getattr(by, "pk", by) if by is not None else context.current().user_id
        line.counted_at = timezone.now()
        line.save()
    return line


def scan_count(
    count: StockCount, code: str, *, location: Location, quantity: Decimal = Decimal("1"), by: Any = None
) -> StockCountLine:
    """A scan on the count screen: a product barcode or SKU counts one more of it; a lot or serial
    number counts one more of that lot."""
    try:
        found = selectors.resolve_code(count.company_id, code)
    except Exception:
        raise UnknownCode(
            gettext("%(code)s: no product, lot or serial number") % {"code": code},
            errors={"code": [gettext("unknown code %(code)s") % {"code": code}]},
        ) from None
    if found.kind == "location":
        raise ValidationFailed.on(
            "code",
            gettext("%(code)s is a location: choose it as the location being counted") % {"code": code},
        )
    if found.product.tracking != TrackingMode.NONE and found.lot is None:
        raise LotRequired(
            gettext("%(sku)s: scan the lot or serial number") % {"sku": found.product.sku},
            errors={"code": [gettext("scan the lot")]},
        )
    return record_count(
        count, location=location, product=found.product, lot=found.lot, quantity=quantity, add=True, by=by
    )


def apply_stock_count(count: StockCount, *, by: Any = None) -> StockCount:
    """Book the differences between what was counted and what is on hand as one adjustment."""
    _check_open(count)
    with atomic(), _acting(by):
        lines = list(count.lines.filter(counted__isnull=False).select_related("product", "lot", "location"))
        keys = {(ln.product_id, ln.location_id, ln.lot_id) for ln in lines}
        quants = {
            (q.product_id, q.location_id, q.lot_id): q
            for q in Quant.objects.select_for_update()
            .filter(
                company_id=count.company_id,
                location_id__in={k[1] for k in keys},
                product_id__in={k[0] for k in keys},
            )
            .order_by("id")
            if (q.product_id, q.location_id, q.lot_id) in keys
        }
        # Reservations on stock that is not there: release them, book, and try them again.
        freed_ops: set[int] = set()
        short = []
        for ln in lines:
            quant = quants.get((ln.product_id, ln.location_id, ln.lot_id))
            if quant is not None and ln.counted < quant.reserved:
                short.append(quant)
        if short:
            moves = list(
                Move.objects.filter(quant__in=short, status=MoveStatus.RESERVED).select_related("operation")
            )
            by_op: dict[int, list[Move]] = defaultdict(list)
            for move in moves:
                by_op[move.operation_id].append(move)
            for moves_of_op in by_op.values():
                op = moves_of_op[0].operation
                _unreserve(op, moves_of_op)
                freed_ops.add(op.pk)
        specs = []
        for ln in lines:
            q = quants.get((ln.product_id, ln.location_id, ln.lot_id))
            on_hand = q.quantity if q else ZERO
            diff = ln.counted - on_hand
            ln.difference = diff
            if diff:
                specs.append(
                    MoveSpec(
                        product=ln.product,
                        quantity=diff,
                        lot=ln.lot,
                        location_to=ln.location if diff > 0 else None,
                        location_from=ln.location if diff < 0 else None,
                        source_type="inventory.stockcount",
                        source_id=count.pk,
                    )
                )
        if lines:
            StockCountLine.objects.bulk_update(lines, ["difference"])
        adjustment = None
        if specs:
            adjustment = create_operation(
                count.company,
                kind=OperationKind.ADJUSTMENT,
                lines=specs,
                warehouse=count.warehouse,
                origin=count.number,
                source_type="inventory.stockcount",
                source_id=count.pk,
                reserve=False,
                by=by,
            )
            validate_operation(adjustment, force=True, by=by)
        transition(count, to=StockCountStatus.DONE, by=by, fields={"adjustment": adjustment})
        for op in Operation.objects.filter(pk__in=freed_ops).order_by("id"):
            op.refresh_from_db(fields=["status"])
            if op.status in ("waiting", "ready"):
                reserve_stock(op, allow_partial=True, by=by)
        emit(
            COUNT_APPLIED,
            StockCountApplied(
                company_id=count.company_id,
                count_id=count.pk,
                number=count.number,
                adjustment_id=adjustment.pk if adjustment else None,
            ),
            company=count.company_id,
        )
    return count


def cancel_stock_count(count: StockCount, *, by: Any = None) -> StockCount:
    with atomic(), _acting(by):
        transition(count, to=StockCountStatus.CANCELLED, by=by)
    return count
