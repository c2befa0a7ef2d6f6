"""Pick, pack and ship (validate): the part of an operation where goods really move.

Validating is the hot path of a delivery: one status UPDATE (which locks the operation), one
SELECT of its moves, one UPDATE of all quants, the valuation (one SELECT … FOR UPDATE and one
UPDATE of cost layers, one ledger entry), one UPDATE of the moves. Lines done in part leave a
backorder with the rest, still reserved.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from kern.catalog.models import Product, ProductType, TrackingMode
from kern.core import audit
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import Conflict, NotFound, ValidationFailed
from kern.core.numbering import next_number
from kern.core.workflow import transition
from kern.inventory import selectors
from kern.inventory.events import (
    EVENT_FOR_KIND,
    MoveDone,
    OperationDone,
)
from kern.inventory.exceptions import (
    DuplicateSerial,
    InsufficientStock,
    InvalidQuantity,
    LotRequired,
    OverShipment,
    UnknownCode,
    UnknownLot,
    refused_transition,
)
from kern.inventory.models import (
    INTERNAL_KINDS,
    Location,
    LocationKind,
    Lot,
    Move,
    Operation,
    Package,
    Quant,
    Warehouse,
)
from kern.inventory.services import _sql
from kern.inventory.services._ledger import post_valuation
from kern.inventory.services._moves import (
    K,
    M,
    S,
    _acting,
    _holds_stock,
    _restored_on_error,
    _set_quantity_from,
    _split,
    _status_of,
    _user_id,
    take_fresh_moves,
)
from kern.inventory.services._valuation import ZERO

__all__ = [
    "PickLine",
    "pack",
    "pick",
    "pick_move",
    "scan_pick",
    "ship_delivery",
    "validate_operation",
]


@dataclass(frozen=True)
class PickLine:
    move_id: int
    quantity: Decimal


def pick(operation: Operation, *, lines: Sequence[PickLine] | None = None, by: Any = None) -> Operation:
    """Record what was picked. Without lines, everything reserved is picked as reserved.

    Picking more than reserved is refused (409, naming the product and both quantities).
    """
    if operation.kind not in (K.DELIVERY, K.INTERNAL, K.SUPPLIER_RETURN):
        raise ValidationFailed.on("kind", gettext("only outgoing operations are picked"))
    if operation.status not in (S.READY, S.WAITING, S.PICKED):
        raise refused_transition(operation, S.PICKED)
    with atomic(), _acting(by):
        moves = {m.pk: m for m in operation.moves.filter(status=M.RESERVED).select_related("product")}
        if not moves:
            raise Conflict(
                gettext("%(operation)s: nothing is reserved to pick") % {"operation": operation.number},
                code="nothing_reserved",
            )
        wanted = {m.pk: m.quantity for m in moves.values()} if lines is None else {}
        for line in lines or ():
            move = moves.get(line.move_id)
            if move is None:
                raise ValidationFailed.on(
                    "move_id",
                    gettext("move %(move)s is not a reserved line of %(operation)s")
                    % {"move": line.move_id, "operation": operation.number},
                )
            qty = Decimal(line.quantity)
            if qty < 0:
                raise InvalidQuantity(move.product, qty, reason="cannot be negative")
            if qty > move.quantity:
                raise OverShipment(move.product, requested=qty, reserved=move.quantity)
            wanted[move.pk] = qty
        rows = [(pk, qty) for pk, qty in wanted.items() if moves[pk].picked != qty]
        _sql.update_rows("inventory_move", {"picked": "NUMERIC"}, rows)
        for pk, qty in rows:
            old = {"picked": moves[pk].picked}
            moves[pk].picked = qty
            audit.record_change(moves[pk], old, action="pick")
        if operation.status != S.PICKED:
            transition(operation, to=S.PICKED, by=by)
    return operation


def pick_move(move: Move, *, quantity: Decimal, lot: Lot | None = None, by: Any = None) -> Move:
    """Add `quantity` to what was picked of one reserved move (a scan). A scanned lot other than
    the reserved one swaps the reservation to that lot when it has the stock."""
    with atomic(), _acting(by):
        if lot is not None and lot.pk != move.lot_id:
            move = _swap_lot(move, lot)
        new = move.picked + quantity
        if new > move.quantity:
            raise OverShipment(move.product, requested=new, reserved=move.quantity)
        if new < 0:
            raise InvalidQuantity(move.product, new, reason="cannot be negative")
        Move.objects.filter(pk=move.pk).update(picked=new)
        old = {"picked": move.picked}
        move.picked = new
        audit.record_change(move, old, action="pick")
        operation = move.operation
        if operation.status in (S.READY, S.WAITING):
            transition(operation, to=S.PICKED, by=by)
    return move


def scan_pick(operation: Operation, code: str, *, quantity: Decimal = Decimal("1"), by: Any = None) -> Move:
    """A scan on the pick screen: a product barcode or SKU, a lot or a serial number adds
    `quantity` to what was picked of the matching reserved line (swapping to the scanned lot)."""
    try:
        found = selectors.resolve_code(operation.company_id, code)
    except NotFound:
        raise UnknownCode(
            gettext("%(code)s: no product, lot or serial number") % {"code": code},
            errors={"code": [gettext("unknown code %(code)s") % {"code": code}]},
        ) from None
    if found.kind == "location":
        raise ValidationFailed.on(
            "code", gettext("%(code)s is a location; scan a product, lot or serial number") % {"code": code}
        )
    product = found.product
    moves = list(
        operation.moves.filter(status=M.RESERVED, product=product)
        .select_related("product", "lot", "operation")
        .order_by("id")
    )
    if not moves:
        raise ValidationFailed.on(
            "code",
            gettext("%(sku)s is not (or no longer) reserved on %(operation)s")
            % {"sku": product.sku, "operation": operation.number},
        )
    if product.tracking != TrackingMode.NONE and found.lot is None:
        raise LotRequired(
            gettext("%(sku)s: scan the lot or serial number") % {"sku": product.sku},
            errors={"code": [gettext("scan the lot")]},
        )
    open_moves = [m for m in moves if m.picked < m.quantity]
    same_lot = [m for m in open_moves if found.lot is None or m.lot_id == found.lot.pk]
    target = (same_lot or open_moves or moves)[0]
    return pick_move(target, quantity=quantity, lot=found.lot, by=by)


def _swap_lot(move: Move, lot: Lot) -> Move:
    """Reserve `move`'s quantity of `lot` (in the same location subtree) instead of its lot."""
    if lot.product_id != move.product_id:
        raise UnknownLot(
            gettext("%(lot)s is not a lot of %(sku)s") % {"lot": lot.name, "sku": move.product.sku},
            errors={"lot": [gettext("wrong product")]},
        )
    operation = move.operation
    source = operation.location_from
    quant = (
        Quant.objects.select_for_update()
        .filter(product_id=move.product_id, lot=lot, location__kind=LocationKind.INTERNAL)
        .filter(Q(location_id=source.pk) | Q(location__path__startswith=f"{source.path}{source.pk}/"))
        .order_by("id")
        .first()
    )
    free = (quant.quantity - quant.reserved) if quant else ZERO
    if quant is None or free < move.quantity:
        raise InsufficientStock(
            move.product, requested=move.quantity, available=free, location=f"lot {lot.name}"
        )
    _sql.change_quants({move.quant_id: (ZERO, -move.quantity)})
    if not _sql.reserve_quants({quant.pk: move.quantity}):  # pragma: no cover - rows are locked
        raise InsufficientStock(move.product, requested=move.quantity, available=free)
    old = {"lot_id": move.lot_id, "quant_id": move.quant_id, "location_from_id": move.location_from_id}
    Move.objects.filter(pk=move.pk).update(lot=lot, quant=quant, location_from_id=quant.location_id)
    move.lot, move.quant_id, move.location_from_id = lot, quant.pk, quant.location_id
    audit.record_change(move, old, action="swap_lot")
    return move


def pack(
    operation: Operation,
    *,
    move_ids: Sequence[int] | None = None,
    weight_kg: Decimal | None = None,
    tracking_reference: str = "",
    by: Any = None,
) -> Package:
    """Put picked, unpacked moves (all, or `move_ids`) into a new package. When every picked move
    is packed the operation is packed."""
    if operation.status != S.PICKED:
        raise refused_transition(operation, S.PACKED)
    with atomic(), _acting(by):
        open_moves = list(operation.moves.filter(status=M.RESERVED, picked__gt=0, package__isnull=True))
        chosen = open_moves if move_ids is None else [m for m in open_moves if m.pk in set(move_ids)]
        if move_ids is not None and len(chosen) != len(set(move_ids)):
            raise ValidationFailed.on(
                "move_ids", gettext("only picked lines that are not packed yet can be packed")
            )
        if not chosen:
            raise Conflict(
                gettext("%(operation)s: nothing picked is left to pack") % {"operation": operation.number},
                code="nothing_to_pack",
            )
        count = Package.objects.filter(operation=operation).count()
        package = Package.objects.create(
            company_id=operation.company_id,
            operation=operation,
            name=f"{operation.number}/P{count + 1}",
            weight_kg=weight_kg,
            tracking_reference=tracking_reference,
        )
        Move.objects.filter(pk__in=[m.pk for m in chosen]).update(package=package)
        if len(chosen) == len(open_moves):
            transition(operation, to=S.PACKED, by=by)
    return package


def ship_delivery(
    delivery: Operation,
    *,
    quantities: dict[int, Decimal] | None = None,
    on: dt.date | None = None,
    tracking_reference: str = "",
    backorder: bool = True,
    by: Any = None,
) -> Operation:
    """Ship a delivery: what is picked (or, if nothing was picked, everything reserved) leaves the
    warehouse, is valued at cost and posted (cost of goods sold against inventory) in one entry.

    `quantities` (move id → quantity) ships less; the rest goes to a backorder (or is cancelled
    with `backorder=False`). Shipping more than reserved is refused (409).
    """
    if delivery.kind != K.DELIVERY:
        raise ValidationFailed.on(
            "kind", gettext("%(operation)s is not a delivery") % {"operation": delivery.number}
        )
    return validate_operation(
        delivery,
        quantities=quantities,
        on=on,
        tracking_reference=tracking_reference,
        backorder=backorder,
        by=by,
    )


_OPEN_MOVE_STATUSES = (M.DRAFT, M.WAITING, M.RESERVED)


def _open_moves(operation: Operation, fresh: tuple[list[Move], dict[int, Location]] | None) -> list[Move]:
    """The moves still to process, with product (and category) and locations loaded.

    A delivery confirmed and shipped in one transaction (a counter sale, the O2C workload) has
    its moves in memory as create_operation wrote them; nothing else in inventory ran since (the
    cache is dropped by every inventory write), so they are not read back.
    """
    if fresh is not None:
        moves, locations = fresh
        usable = all(
            m.pk is not None
            and m.location_from_id in locations
            and m.location_to_id in locations
            and (m.product.category_id is None or "category" in m.product._state.fields_cache)
            for m in moves
        )
        if usable:
            for m in moves:
                m.location_from = locations[m.location_from_id]
                m.location_to = locations[m.location_to_id]
            return [m for m in moves if m.status in _OPEN_MOVE_STATUSES]
    return list(
        Move.objects.filter(operation_id=operation.pk, status__in=_OPEN_MOVE_STATUSES)
        .select_related("product__category", "location_from", "location_to")
        .order_by("id")
    )


@dataclass
class _Line:
    move: Move
    done: Decimal
    outgoing: bool  # leaves the company's stock
    incoming: bool  # enters the company's stock


def validate_operation(
    operation: Operation,
    *,
    quantities: dict[int, Decimal] | None = None,
    on: dt.date | None = None,
    tracking_reference: str = "",
    backorder: bool = True,
    force: bool = False,
    by: Any = None,
) -> Operation:
    """Mark an operation done: stock moves, quants follow, value is posted, the event is emitted.

    Without `quantities`: picked quantities if the operation was picked, else everything that can
    be processed (reserved outgoing lines, all incoming lines). Lines done only in part, and lines
    not done, go to a backorder (`backorder=False`: they are cancelled).
    """
    seen = operation.status
    today = on or timezone.localdate()
    now = timezone.now()
    fresh = take_fresh_moves(operation.pk)  # before _acting, which drops it
    with (
        _restored_on_error(operation, "status", "date_done", "done_at", "done_by_id", "tracking_reference"),
        atomic(),
        _acting(by),
    ):
        fields: dict[str, Any] = {"date_done": today, "done_at": now, "done_by_id": _user_id(by)}
        if tracking_reference:
            fields["tracking_reference"] = tracking_reference
        transition(operation, to=S.DONE, by=by, fields=fields)
        moves = _open_moves(operation, fresh)
        if not moves:
            raise ValidationFailed.on(
                "lines", gettext("%(operation)s has no lines to process") % {"operation": operation.number}
            )
        warehouse = operation._state.fields_cache.get("warehouse")
        locations: dict[int, Location] = {}
        for move in moves:
            locations[move.location_from_id] = move.location_from
            locations[move.location_to_id] = move.location_to
        lines, rest = _done_quantities(operation, seen, moves, quantities, locations, force=force)
        _check_tracking(operation.company_id, lines)
        # Goods leaving stock: the reserved quant (or, for unreserved lines that may go negative,
        # the location's quant); goods arriving: the destination quant.
        changes: dict[int, tuple[Decimal, Decimal]] = {}
        unreserved_out = [ln for ln in lines if ln.outgoing and ln.move.quant_id is None]
        incoming = [ln for ln in lines if ln.incoming]
        if unreserved_out or incoming:
            warehouse = warehouse or Warehouse.objects.get(pk=operation.warehouse_id)
            keys = [(ln.move.product, ln.move.location_from_id, ln.move.lot_id) for ln in unreserved_out]
            keys += [(ln.move.product, ln.move.location_to_id, ln.move.lot_id) for ln in incoming]
            quants = _quants_for(operation.company_id, keys, warehouse)
            for ln in unreserved_out:
                quant_id = quants[(ln.move.product_id, ln.move.location_from_id, ln.move.lot_id)]
                _add(changes, quant_id, -ln.done, ZERO)
            for ln in incoming:
                _add(
                    changes,
                    quants[(ln.move.product_id, ln.move.location_to_id, ln.move.lot_id)],
                    ln.done,
                    ZERO,
                )
        for ln in lines:
            if ln.outgoing and ln.move.quant_id is not None:
                _add(changes, ln.move.quant_id, -ln.done, -ln.done)
        try:
            _sql.change_quants(changes)
        except IntegrityError:
            raise _negative_stock_error(lines) from None
        valuation = post_valuation(operation, lines, on=today, by=by, locations=locations)
        for ln in lines:
            ln.move.status = M.DONE
            ln.move.date = today
            ln.move.done_at = now
        _sql.update_rows(
            "inventory_move",
            {
                "quantity": "NUMERIC",
                "uom_quantity": "NUMERIC",
                "unit_cost": "NUMERIC",
                "value": "NUMERIC",
                "picked": "NUMERIC",
            },
            [
                (
                    ln.move.pk,
                    ln.move.quantity,
                    ln.move.uom_quantity,
                    ln.move.unit_cost,
                    ln.move.value,
                    ln.move.picked,
                )
                for ln in lines
            ],
            fixed={"status": M.DONE, "date": today, "done_at": now},
            riding=[valuation.layers],
        )
        audit.record_lines_changed(
            operation, [ln.move for ln in lines], {"status": M.RESERVED}, action="done"
        )
        back = _backorder(operation, rest, by=by) if backorder else _cancel_rest(operation, rest)
        total = sum((ln.move.value or ZERO for ln in lines), ZERO)
        emit(
            EVENT_FOR_KIND[operation.kind],
            OperationDone(
                company_id=operation.company_id,
                operation_id=operation.pk,
                number=operation.number,
                kind=operation.kind,
                source_type=operation.source_type,
                source_id=operation.source_id,
                partner_id=operation.partner_id,
                date=today.isoformat(),
                backorder_id=back.pk if back else None,
                value=str(total),
                moves=[
                    MoveDone(
                        move_id=ln.move.pk,
                        product_id=ln.move.product_id,
                        quantity=str(ln.move.quantity),
                        uom_quantity=str(ln.move.uom_quantity),
                        source_type=ln.move.source_type,
                        source_id=ln.move.source_id,
                        lot=None,
                        value=str(ln.move.value) if ln.move.value is not None else None,
                    )
                    for ln in lines
                ],
            ),
            company=operation.company_id,
        )
    operation.backorder = back
    return operation


def _add(changes: dict[int, tuple[Decimal, Decimal]], quant_id: int, dq: Decimal, dr: Decimal) -> None:
    old = changes.get(quant_id, (ZERO, ZERO))
    changes[quant_id] = (old[0] + dq, old[1] + dr)


def _done_quantities(
    operation: Operation,
    seen: str,
    moves: list[Move],
    quantities: dict[int, Decimal] | None,
    locations,
    *,
    force: bool,
) -> tuple[list[_Line], list[Move]]:
    """Split the moves into what is done now and what is left (for a backorder)."""
    lines: list[_Line] = []
    rest: list[Move] = []
    if quantities is not None:
        known = {m.pk for m in moves}
        unknown = [k for k in quantities if k not in known]
        if unknown:
            raise ValidationFailed.on(
                "quantities",
                gettext("move %(move)s is not an open line of %(operation)s")
                % {"move": unknown[0], "operation": operation.number},
            )
    negative_ok = None
    for move in moves:
        outgoing = _holds_stock(move.location_from_id, locations)
        incoming = _holds_stock(move.location_to_id, locations)
        if quantities is not None:
            done = quantities.get(move.pk, ZERO)
            done = done if isinstance(done, Decimal) else Decimal(str(done))
        elif seen in (S.PICKED, S.PACKED):
            done = move.picked
        elif outgoing and move.status != M.RESERVED and not force:
            if negative_ok is None:
                negative_ok = (
                    Warehouse.objects.filter(pk=operation.warehouse_id)
                    .values_list("allow_negative_stock", flat=True)
                    .first()
                )
            done = move.quantity if negative_ok else ZERO
        else:
            done = move.quantity
        if done < 0 or not done.is_finite():
            raise InvalidQuantity(move.product, done, reason="cannot be negative")
        if outgoing and move.status == M.RESERVED and move.quant_id is not None and done > move.quantity:
            raise OverShipment(move.product, requested=done, reserved=move.quantity)
        if (
            outgoing
            and move.status != M.RESERVED
            and done > 0
            and move.product.type != ProductType.CONSUMABLE
            and not force
        ):
            if negative_ok is None:
                negative_ok = (
                    Warehouse.objects.filter(pk=operation.warehouse_id)
                    .values_list("allow_negative_stock", flat=True)
                    .first()
                )
            if not negative_ok:
                raise OverShipment(move.product, requested=done, reserved=ZERO)
        if done == 0:
            rest.append(move)
            continue
        if done < move.quantity:
            remainder = _split(move, move.quantity - done)
            remainder.picked = ZERO
            _set_quantity_from(move, move.quantity, done)
            rest.append(remainder)
        elif done > move.quantity:
            # More arrived than expected (an incoming line, or a line that may go negative).
            _set_quantity_from(move, move.quantity, done)
        move.picked = move.quantity
        lines.append(_Line(move, move.quantity, outgoing, incoming))
    if not lines:
        raise ValidationFailed.on(
            "quantities",
            gettext("%(operation)s: nothing to process (no quantity is done)")
            % {"operation": operation.number},
        )
    return lines, rest


def _check_tracking(company_id: int, lines: list[_Line]) -> None:
    serials: dict[int, list[_Line]] = defaultdict(list)
    for ln in lines:
        product = ln.move.product
        if product.tracking == TrackingMode.NONE or not (ln.incoming or ln.outgoing):
            continue
        if ln.move.lot_id is None:
            raise LotRequired.for_product(
                product,
                errors={"lot": [gettext("%(sku)s needs a lot or serial number") % {"sku": product.sku}]},
                product_id=product.pk,
            )
        if product.tracking == TrackingMode.SERIAL:
            if ln.move.quantity != 1:
                raise DuplicateSerial(
                    gettext("%(sku)s: a serial number is one unit, not %(quantity)s")
                    % {"sku": product.sku, "quantity": ln.move.quantity},
                    errors={"lot": [gettext("one serial number per unit")]},
                )
            if ln.incoming and not ln.outgoing:
                serials[product.pk].append(ln)
    for product_id, product_lines in serials.items():
        lot_ids = [ln.move.lot_id for ln in product_lines]
        if len(set(lot_ids)) != len(lot_ids):
            raise DuplicateSerial(
                gettext("the same serial number twice in one operation"),
                errors={"lot": [gettext("serial used twice")]},
            )
        taken = (
            Quant.objects.filter(
                company_id=company_id,
                product_id=product_id,
                lot_id__in=lot_ids,
                quantity__gt=0,
                location__kind__in=list(INTERNAL_KINDS),
            )
            .select_related("lot", "product")
            .first()
        )
        if taken is not None:
            raise DuplicateSerial(
                gettext("%(sku)s: serial number %(serial)s is already in stock")
                % {"sku": taken.product.sku, "serial": taken.lot.name},
                errors={
                    "lot": [gettext("serial %(serial)s is already in stock") % {"serial": taken.lot.name}]
                },
            )


def _quants_for(
    company_id: int, keys: list[tuple[Product, int, int | None]], warehouse: Warehouse
) -> dict[tuple, int]:
    """Quant ids for (product, location, lot), creating missing rows (safe under concurrency:
    a row another transaction just created is found again after the ignored conflict)."""
    wanted = {(p.pk, loc, lot): p for p, loc, lot in keys}
    product_ids = {k[0] for k in wanted}
    location_ids = {k[1] for k in wanted}

    def load() -> dict[tuple, int]:
        rows = Quant.objects.filter(
            company_id=company_id, product_id__in=product_ids, location_id__in=location_ids
        ).values_list("id", "product_id", "location_id", "lot_id")
        return {(p, loc, lot): qid for qid, p, loc, lot in rows if (p, loc, lot) in wanted}

    found = load()
    missing = [k for k in wanted if k not in found]
    if missing:
        location_wh = dict(
            Location.objects.filter(pk__in={k[1] for k in missing}).values_list("pk", "warehouse_id")
        )
        negative_wh = {warehouse.pk: warehouse.allow_negative_stock}
        other = {wh for wh in location_wh.values() if wh is not None and wh not in negative_wh}
        if other:
            negative_wh.update(
                dict(Warehouse.objects.filter(pk__in=other).values_list("pk", "allow_negative_stock"))
            )
        rows = [
            Quant(
                company_id=company_id,
                product_id=p,
                location_id=loc,
                lot_id=lot,
                negative_allowed=bool(negative_wh.get(location_wh.get(loc), False))
                or wanted[(p, loc, lot)].type == ProductType.CONSUMABLE,
            )
            for p, loc, lot in missing
        ]
        Quant.objects.bulk_create(rows, ignore_conflicts=True)
        found = load()
    return found


def _negative_stock_error(lines: list[_Line]) -> InsufficientStock:
    """The CHECK constraint refused a quant going below zero (the backstop): name the first
    product leaving stock; the transaction is rolled back by the caller."""
    first = next((ln for ln in lines if ln.outgoing), lines[0])
    return InsufficientStock(first.move.product, requested=first.done, available=ZERO)


def _backorder(operation: Operation, rest: list[Move], *, by: Any) -> Operation | None:
    if not rest:
        return None
    back = Operation(
        company_id=operation.company_id,
        kind=operation.kind,
        status=_status_of(rest),
        number=next_number(operation.company, f"inventory.{operation.kind}", timezone.localdate()),
        warehouse_id=operation.warehouse_id,
        partner_id=operation.partner_id,
        location_from_id=operation.location_from_id,
        location_to_id=operation.location_to_id,
        scheduled_date=operation.scheduled_date,
        source_type=operation.source_type,
        source_id=operation.source_id,
        origin=operation.origin,
        backorder_of=operation,
        return_of_id=operation.return_of_id,
        counterpart_role=operation.counterpart_role,
        created_by_id=_user_id(by),
    )
    back.save()
    existing = [m for m in rest if m.pk is not None]
    new = [m for m in rest if m.pk is None]
    if existing:
        Move.objects.filter(pk__in=[m.pk for m in existing]).update(operation=back, picked=ZERO, package=None)
        for m in existing:
            old = {"operation_id": m.operation_id}
            m.operation = back
            audit.record_change(m, old, action="backorder")
    for m in new:
        m.operation = back
    if new:
        Move.objects.bulk_create(new)
        audit.record_created(new)
    return back


def _cancel_rest(operation: Operation, rest: list[Move]) -> None:
    reserved = [m for m in rest if m.status == M.RESERVED and m.quant_id is not None]
    if reserved:
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for m in reserved:
            totals[m.quant_id] += m.quantity
        _sql.change_quants({qid: (ZERO, -qty) for qid, qty in totals.items()})
    existing = [m for m in rest if m.pk is not None]
    if existing:
        Move.objects.filter(pk__in=[m.pk for m in existing]).update(status=M.CANCELLED)
    new = [m for m in rest if m.pk is None]
    for m in new:
        m.status = M.CANCELLED
        m.operation = operation
    if new:
        Move.objects.bulk_create(new)
        audit.record_created(new)
    return None
