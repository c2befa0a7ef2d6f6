"""Creating and cancelling stock operations, and the one-call operations higher apps use:
`create_delivery` (reserved at once), `receive`, `transfer_stock`, `return_operation`,
`scrap_stock`, `adjust_stock`.

The hot path — a sales order's delivery reserved at confirmation and shipped in full — costs a
fixed number of statements however many lines the order has (see `reservation` and `shipping`);
audit rows and events are buffered by the unit of work and written at commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from kern.core import audit
from kern.core.db import atomic
from kern.core.events import emit
from kern.core.exceptions import Conflict, ValidationFailed
from kern.core.models import Company
from kern.core.numbering import claim_numbers
from kern.core.rows import save_new_with_lines
from kern.core.workflow import transition
from kern.inventory import selectors
from kern.inventory.events import (
    OPERATION_CANCELLED,
    OperationCancelled,
)
from kern.inventory.exceptions import (
    InvalidQuantity,
    OverShipment,
)
from kern.inventory.models import (
    Location,
    Move,
    Operation,
    Warehouse,
)
from kern.inventory.services._moves import (
    ROUTE_FIELDS,
    ROUTES,
    K,
    M,
    MoveSpec,
    S,
    _acting,
    _build_moves,
    _check_locations,
    _holds_stock,
    _load_locations,
    _location,
    _restored_on_error,
    _route,
    _status_of,
    _user_id,
    remember_fresh_moves,
)
from kern.inventory.services._valuation import ZERO
from kern.inventory.services.reservation import _reserve, _unreserve
from kern.inventory.services.shipping import validate_operation

__all__ = [
    "MoveSpec",
    "adjust_stock",
    "cancel_operation",
    "create_delivery",
    "create_operation",
    "receive",
    "return_operation",
    "scrap_stock",
    "transfer_stock",
]

# The choices' values as a set: Django's `Choices.values` builds a new list at every call.
_KINDS = frozenset(K.values)


def create_operation(
    company: Company,
    *,
    kind: str,
    lines: Sequence[MoveSpec],
    warehouse: Warehouse | None = None,
    partner: Any = None,
    location_from: Location | None = None,
    location_to: Location | None = None,
    source_type: str = "",
    source_id: int | None = None,
    origin: str = "",
    scheduled_date: dt.date | None = None,
    notes: str = "",
    confirm: bool = True,
    reserve: bool = True,
    allow_partial: bool = True,
    return_of: Operation | None = None,
    counterpart_role: str = "",
    by: Any = None,
) -> Operation:
    """Create a stock operation with its moves; confirmed operations reserve what they take out
    of stock. With `allow_partial=False` a shortage refuses the whole operation (409, naming the
    product and the quantities) and nothing is written."""
    if kind not in _KINDS:
        raise ValidationFailed.on("kind", gettext("unknown operation type %(kind)s") % {"kind": repr(kind)})
    if not lines:
        raise ValidationFailed.on("lines", gettext("an operation needs at least one line"))
    if partner is not None and getattr(partner, "company_id", company.pk) != company.pk:
        raise ValidationFailed.on("partner", gettext("unknown partner"))
    with atomic(), _acting(by):
        if warehouse is None:
            warehouse = selectors.default_warehouse(company, locations=ROUTES[kind])
        elif warehouse.company_id != company.pk:
            raise ValidationFailed.on("warehouse", gettext("unknown warehouse"))
        if location_from is not None:
            location_from = _location(company, location_from, "location_from")
        if location_to is not None:
            location_to = _location(company, location_to, "location_to")
        origin_moves = {}
        if return_of is not None:
            origin_moves = {m.pk: m for m in return_of.moves.filter(status=M.DONE)}
        moves, locations = _build_moves(
            company, kind, warehouse, lines, location_from, location_to, origin_moves
        )
        for name in ROUTE_FIELDS:
            cached = warehouse._state.fields_cache.get(name)
            if cached is not None:
                locations.setdefault(cached.pk, cached)
        _load_locations({m.location_from_id for m in moves} | {m.location_to_id for m in moves}, locations)
        _check_locations(moves, locations, warehouse)
        products = {m.product_id: m.product for m in moves}
        if confirm:
            for move in moves:
                move.status = M.WAITING if _holds_stock(move.location_from_id, locations) else M.RESERVED
            if reserve:
                moves = _reserve(company.pk, moves, locations, products, strict=not allow_partial)
            status = _status_of(moves)
        else:
            status = S.DRAFT
        today = timezone.localdate()
        op_from, op_to = _route(kind, warehouse)
        operation = Operation(
            company=company,
            kind=kind,
            status=status,
            warehouse=warehouse,
            partner=partner,
            location_from_id=location_from.pk if location_from else op_from,
            location_to_id=location_to.pk if location_to else op_to,
            scheduled_date=scheduled_date or today,
            source_type=source_type,
            source_id=source_id,
            origin=origin,
            notes=notes,
            return_of=return_of,
            counterpart_role=counterpart_role,
            created_by_id=_user_id(by),
        )
        number = claim_numbers(company, f"inventory.{kind}", scheduled_date or today)
        save_new_with_lines(operation, Move, moves, parent="operation", number=number)
        audit.record_lines_created(operation, moves)
        remember_fresh_moves(operation, moves, locations)
    operation._prefetched_moves = moves
    return operation


def create_delivery(
    company: Company,
    *,
    lines: Sequence[MoveSpec],
    partner: Any = None,
    warehouse: Warehouse | None = None,
    source_type: str = "",
    source_id: int | None = None,
    origin: str = "",
    scheduled_date: dt.date | None = None,
    allow_partial: bool = False,
    by: Any = None,
) -> Operation:
    """A delivery to a customer with its stock reserved — what a sales order's confirmation calls.

    By default it is all or nothing: if a line cannot be reserved in full, InsufficientStock (409)
    names the product and nothing is written. With `allow_partial=True` the available part is
    reserved and the rest waits (the delivery is "waiting" until stock arrives).
    """
    return create_operation(
        company,
        kind=K.DELIVERY,
        lines=lines,
        partner=partner,
        warehouse=warehouse,
        source_type=source_type,
        source_id=source_id,
        origin=origin,
        scheduled_date=scheduled_date,
        allow_partial=allow_partial,
        by=by,
    )


def cancel_operation(operation: Operation, *, by: Any = None) -> Operation:
    """Cancel an open operation: its reservations are released and its moves cancelled."""
    with _restored_on_error(operation, "status"), atomic(), _acting(by):
        transition(operation, to=S.CANCELLED, by=by)
        _unreserve(operation, list(operation.moves.filter(status=M.RESERVED, quant__isnull=False)))
        Move.objects.filter(operation=operation).exclude(status=M.DONE).update(status=M.CANCELLED)
        emit(
            OPERATION_CANCELLED,
            OperationCancelled(
                company_id=operation.company_id,
                operation_id=operation.pk,
                number=operation.number,
                kind=operation.kind,
                source_type=operation.source_type,
                source_id=operation.source_id,
            ),
            company=operation.company_id,
        )
    return operation


def receive(
    company: Company,
    *,
    lines: Sequence[MoveSpec],
    partner: Any = None,
    warehouse: Warehouse | None = None,
    source_type: str = "",
    source_id: int | None = None,
    origin: str = "",
    on: dt.date | None = None,
    validate: bool = True,
    by: Any = None,
) -> Operation:
    """Goods from a supplier: a receipt (validated at once by default), valued at the lines'
    unit cost and posted inventory against goods received not invoiced."""
    with atomic():
        receipt = create_operation(
            company,
            kind=K.RECEIPT,
            lines=lines,
            partner=partner,
            warehouse=warehouse,
            source_type=source_type,
            source_id=source_id,
            origin=origin,
            scheduled_date=on,
            by=by,
        )
        if validate:
            validate_operation(receipt, on=on, by=by)
    return receipt


def transfer_stock(
    company: Company,
    *,
    lines: Sequence[MoveSpec],
    location_from: Location,
    location_to: Location,
    warehouse: Warehouse | None = None,
    validate: bool = True,
    by: Any = None,
) -> Operation:
    """Move stock between locations (bin to bin, or warehouse to warehouse through transit)."""
    with atomic():
        warehouse = warehouse or (
            Warehouse.objects.get(pk=location_from.warehouse_id) if location_from.warehouse_id else None
        )
        operation = create_operation(
            company,
            kind=K.INTERNAL,
            lines=lines,
            warehouse=warehouse,
            location_from=location_from,
            location_to=location_to,
            allow_partial=not validate,
            by=by,
        )
        if validate:
            validate_operation(operation, by=by)
    return operation


def return_operation(
    operation: Operation,
    *,
    lines: Sequence[tuple[Move | int, Decimal]] | None = None,
    validate: bool = False,
    by: Any = None,
) -> Operation:
    """Return goods of a done delivery (a customer return, valued at the cost they left at) or of a
    done receipt (back to the supplier). `lines`: (move, quantity); default everything."""
    kinds = {K.DELIVERY: K.CUSTOMER_RETURN, K.RECEIPT: K.SUPPLIER_RETURN}
    if operation.kind not in kinds:
        raise ValidationFailed.on(
            "kind",
            gettext("%(operation)s: only deliveries and receipts are returned")
            % {"operation": operation.number},
        )
    if operation.status != S.DONE:
        raise Conflict(
            gettext("%(operation)s is not done; cancel it instead") % {"operation": operation.number},
            code="not_done",
        )
    with atomic():
        done_moves = {m.pk: m for m in operation.moves.filter(status=M.DONE).select_related("product")}
        returned = selectors.returned_quantities(list(done_moves))
        chosen = (
            lines
            if lines is not None
            else [(pk, m.quantity - returned.get(pk, ZERO)) for pk, m in done_moves.items()]
        )
        specs = []
        for move_ref, qty in chosen:
            move = done_moves.get(getattr(move_ref, "pk", move_ref))
            if move is None:
                raise ValidationFailed.on(
                    "move_id",
                    gettext("move %(move)s is not a done line of %(operation)s")
                    % {"move": getattr(move_ref, "pk", move_ref), "operation": operation.number},
                )
            qty = Decimal(qty)
            left = move.quantity - returned.get(move.pk, ZERO)
            if qty <= 0 and lines is None:
                continue
            if qty <= 0:
                raise InvalidQuantity(move.product, qty)
            if qty > left:
                raise OverShipment(move.product, requested=qty, reserved=left)
            incoming = operation.kind == K.DELIVERY
            specs.append(
                MoveSpec(
                    product=move.product,
                    quantity=qty,
                    lot=move.lot if move.lot_id else None,
                    location_to=move.location_from_id if incoming else None,
                    location_from=move.location_to_id if not incoming else None,
                    source_type=move.source_type,
                    source_id=move.source_id,
                    origin_move=move,
                    unit_cost=move.unit_cost if incoming else None,
                )
            )
        if not specs:
            raise ValidationFailed.on(
                "lines",
                gettext("everything of %(operation)s has been returned") % {"operation": operation.number},
            )
        kind = kinds[operation.kind]
        ret = create_operation(
            operation.company,
            kind=kind,
            lines=specs,
            warehouse=operation.warehouse,
            partner=operation.partner,
            location_from=operation.location_to if kind == K.CUSTOMER_RETURN else None,
            location_to=operation.location_from if kind == K.SUPPLIER_RETURN else None,
            source_type=operation.source_type,
            source_id=operation.source_id,
            origin=operation.number,
            return_of=operation,
            allow_partial=True,
            by=by,
        )
        if validate:
            validate_operation(ret, by=by)
    return ret


def scrap_stock(
    company: Company,
    *,
    lines: Sequence[MoveSpec],
    warehouse: Warehouse | None = None,
    reason: str = "",
    by: Any = None,
) -> Operation:
    """Write off damaged or expired goods: reserved from stock and moved to scrap at once."""
    with atomic():
        operation = create_operation(
            company, kind=K.SCRAP, lines=lines, warehouse=warehouse, notes=reason, allow_partial=False, by=by
        )
        validate_operation(operation, by=by)
    return operation


def adjust_stock(
    company: Company,
    *,
    lines: Sequence[MoveSpec],
    warehouse: Warehouse | None = None,
    reason: str = "",
    on: dt.date | None = None,
    by: Any = None,
) -> Operation:
    """Book found (+) and lost (−) stock: an inventory adjustment, validated at once and valued
    (gains at the line's unit cost or the current cost, losses at cost) against stock adjustment."""
    with atomic():
        operation = create_operation(
            company,
            kind=K.ADJUSTMENT,
            lines=lines,
            warehouse=warehouse,
            notes=reason,
            scheduled_date=on,
            allow_partial=False,
            by=by,
        )
        validate_operation(operation, on=on, by=by)
    return operation
