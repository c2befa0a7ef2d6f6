"""Reserving stock: one SELECT of candidate quants, one conditional UPDATE of all of them.

A move is reserved on one quant (one product, location and lot); a demand that needs several
quants becomes several moves. First-expiring lots go first, then the oldest stock, then the
location order. The conditional UPDATE only takes stock that is still unreserved, so two
concurrent orders can never both get the last unit; if it comes back short, the rows that did
update are given back and the allocation is redone on rows locked in id order.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import gettext

from kern.catalog.models import Product, ProductType
from kern.core import audit
from kern.core.db import atomic
from kern.core.exceptions import Conflict
from kern.core.prepared import Prepared
from kern.core.workflow import transition
from kern.inventory.exceptions import (
    InsufficientStock,
    refused_transition,
)
from kern.inventory.models import (
    INTERNAL_KINDS,
    Location,
    Move,
    Operation,
    Quant,
)
from kern.inventory.services import _sql
from kern.inventory.services._moves import (
    M,
    S,
    _acting,
    _holds_stock,
    _load_locations,
    _set_quantity_from,
    _split,
    _status_of,
)
from kern.inventory.services._valuation import ZERO

__all__ = ["confirm_operation", "reserve_stock", "unreserve_stock"]


@dataclass
class _Candidate:
    id: int
    product_id: int
    location_id: int
    lot_id: int | None
    free: Decimal
    sort_key: tuple


def _candidates_query(
    shape: tuple[int, bool, str], *, company_id: int, product_ids: tuple[int, ...], source_id: int
):
    _count, lock, prefix = shape
    # The subtree test compares the path's first characters with `=`, not `LIKE 'prefix%'`:
    # SQLite plans a LIKE with a bound pattern anew on every execute, which made this the
    # costliest statement of a confirmation; equality keeps the statement prepared once.
    qs = (
        Quant.objects.filter(
            company_id=company_id,
            product_id__in=product_ids,
            location__kind__in=list(INTERNAL_KINDS),
        )
        .alias(_path_head=Substr("location__path", 1, len(prefix)))
        .filter(Q(location_id=source_id) | Q(_path_head=prefix))
    )
    qs = qs.select_for_update(of=("self",)).order_by("id") if lock else qs.filter(quantity__gt=0)
    return qs.values_list(
        "id",
        "product_id",
        "location_id",
        "lot_id",
        "quantity",
        "reserved",
        "in_date",
        "lot__expiry_date",
        "location__path",
    )


# Built by the ORM once per process and shape (number of products, locked or not, source subtree).
_CANDIDATES = Prepared(_candidates_query)


def _candidates(
    company_id: int, moves: list[Move], locations: dict[int, Location], *, lock: bool
) -> dict[int, list[_Candidate]]:
    """Quants with unreserved stock for the moves' products under their source locations."""
    by_source: dict[int, set[int]] = defaultdict(set)
    for move in moves:
        by_source[move.location_from_id].add(move.product_id)
    result: dict[int, list[_Candidate]] = defaultdict(list)
    seen: set[int] = set()
    for source_id, product_ids in by_source.items():
        source = locations[source_id]
        ids = tuple(sorted(product_ids))
        rows = _CANDIDATES.rows(
            (len(ids), lock, f"{source.path}{source.pk}/"),
            company_id=company_id,
            product_ids=ids,
            source_id=source.pk,
        )
        for qid, pid, lid, lot_id, quantity, reserved, in_date, expiry, path in rows:
            if qid in seen:
                continue
            seen.add(qid)
            free = quantity - reserved
            if free <= 0:
                continue
            # First expiring lots first, then oldest stock, then by place in the warehouse.
            key = (expiry or dt.date.max, in_date, path, lid, qid)
            result[pid].append(_Candidate(qid, pid, lid, lot_id, free, key))
    for cands in result.values():
        cands.sort(key=lambda c: c.sort_key)
    return result


def _needs_reservation(move: Move, locations: dict[int, Location]) -> bool:
    return move.status in (M.DRAFT, M.WAITING) and _holds_stock(move.location_from_id, locations)


def _allocate(
    moves: list[Move], candidates: dict[int, list[_Candidate]], locations: dict[int, Location]
) -> tuple[list[tuple[Move, list[tuple[_Candidate, Decimal]], Decimal]], dict[int, Decimal]]:
    """Greedy allocation of each move over its candidates; (move, parts, shortfall) and per-quant totals."""
    plan = []
    totals: dict[int, Decimal] = defaultdict(Decimal)
    single_source = len({m.location_from_id for m in moves}) == 1
    for move in moves:
        need = move.quantity
        parts: list[tuple[_Candidate, Decimal]] = []
        source = locations[move.location_from_id]
        prefix = f"{source.path}{source.pk}/"
        for cand in candidates.get(move.product_id, ()):
            if need <= 0:
                break
            if cand.free <= 0 or (move.lot_id and cand.lot_id != move.lot_id):
                continue
            if (
                not single_source
                and cand.location_id != source.pk
                and not cand.sort_key[2].startswith(prefix)
            ):
                continue
            take = min(need, cand.free)
            cand.free -= take
            need -= take
            parts.append((cand, take))
            totals[cand.id] += take
        plan.append((move, parts, need))
    return plan, totals


def _shortage_error(plan, products: dict[int, Product], candidates) -> InsufficientStock:
    requested: dict[int, Decimal] = defaultdict(Decimal)
    short: list[int] = []
    for move, _parts, need in plan:
        requested[move.product_id] += move.quantity
        if need > 0 and move.product_id not in short:
            short.append(move.product_id)
    pid = short[0]
    available = sum((c.free for c in candidates.get(pid, ())), ZERO)
    allocated = sum((take for move, parts, _n in plan if move.product_id == pid for _c, take in parts), ZERO)
    return InsufficientStock(products[pid], requested=requested[pid], available=available + allocated)


def _reserve(
    company_id: int,
    moves: list[Move],
    locations: dict[int, Location],
    products: dict[int, Product],
    *,
    strict: bool,
) -> list[Move]:
    """Reserve stock for the moves that need it. Returns every resulting move: reserved moves
    (split per quant they draw from) and, when not strict, waiting moves for what is missing.

    One SELECT of candidate quants, one conditional UPDATE. If a concurrent reservation took the
    stock between the two, the rows that did update are given back and the allocation is redone
    on rows locked in id order.
    """
    result: list[Move] = []
    todo: list[Move] = []
    for move in moves:
        if not _needs_reservation(move, locations):
            result.append(move)
        elif move.product.type == ProductType.CONSUMABLE:
            move.status = M.RESERVED  # consumables are always available; they are not reserved
            result.append(move)
        else:
            todo.append(move)
    if not todo:
        return result
    for attempt in (False, True):
        candidates = _candidates(company_id, todo, locations, lock=attempt)
        plan, totals = _allocate(todo, candidates, locations)
        if strict and any(need > 0 for _m, _p, need in plan):
            raise _shortage_error(plan, products, candidates)
        done = _sql.reserve_quants(totals)
        if done == set(totals):
            break
        # Someone reserved the same stock between our read and our update: undo our part.
        _sql.change_quants({qid: (ZERO, -totals[qid]) for qid in done})
    else:  # pragma: no cover - the second attempt works on locked rows
        raise Conflict(gettext("stock changed while reserving; try again"), code="reservation_conflict")
    for move, parts, need in plan:
        pieces: list[tuple[Decimal, _Candidate | None]] = [(take, cand) for cand, take in parts]
        if need > 0:
            pieces.append((need, None))
        # Clones first: they take their document-unit quantity from the move's original ratio.
        targets = [move] + [_split(move, take) for take, _cand in pieces[1:]]
        if len(pieces) > 1:
            _set_quantity_from(move, move.quantity, pieces[0][0])
        for target, (_take, cand) in zip(targets, pieces, strict=True):
            if cand is not None:
                target.status = M.RESERVED
                target.quant_id = cand.id
                target.location_from_id = cand.location_id
                target.lot_id = cand.lot_id
            else:
                target.status = M.WAITING
                target.quant_id = None
            result.append(target)
    return result


def confirm_operation(operation: Operation, *, allow_partial: bool = True, by: Any = None) -> Operation:
    """Confirm a draft operation: its outgoing moves are reserved."""
    if operation.status != S.DRAFT:
        raise refused_transition(operation, S.WAITING)
    with atomic(), _acting(by):
        moves = list(operation.moves.filter(status=M.DRAFT).select_related("product"))
        locations = _load_locations(
            {m.location_from_id for m in moves} | {m.location_to_id for m in moves}, {}
        )
        for move in moves:
            move.status = M.WAITING if _holds_stock(move.location_from_id, locations) else M.RESERVED
        _save_reservation(operation, moves, locations, allow_partial=allow_partial, by=by)
    return operation


def _save_reservation(
    operation: Operation, moves: list[Move], locations, *, allow_partial: bool, by: Any
) -> None:
    products = {m.product_id: m.product for m in moves}
    before = {m.pk: (m.status, m.quantity) for m in moves}
    result = _reserve(operation.company_id, moves, locations, products, strict=not allow_partial)
    changed = [m for m in result if m.pk is not None]
    created = [m for m in result if m.pk is None]
    _sql.update_rows(
        "inventory_move",
        {
            "status": "VARCHAR(10)",
            "quantity": "NUMERIC",
            "uom_quantity": "NUMERIC",
            "quant_id": "BIGINT",
            "location_from_id": "BIGINT",
            "lot_id": "BIGINT",
        },
        [
            (m.pk, m.status, m.quantity, m.uom_quantity, m.quant_id, m.location_from_id, m.lot_id)
            for m in changed
        ],
    )
    for m in changed:
        if before.get(m.pk) != (m.status, m.quantity):
            audit.record_change(
                m, {"status": before[m.pk][0], "quantity": str(before[m.pk][1])}, action="reserve"
            )
    if created:
        Move.objects.bulk_create(created)
        audit.record_created(created)
    all_moves = list(operation.moves.exclude(status__in=[M.DONE, M.CANCELLED]).only("status"))
    status = _status_of(all_moves)
    if status != operation.status and (operation.status, status) in Operation.TRANSITIONS:
        transition(operation, to=status, by=by)


def reserve_stock(operation: Operation, *, allow_partial: bool = True, by: Any = None) -> Operation:
    """Reserve what the operation still waits for (after a receipt, say)."""
    if operation.status not in (S.DRAFT, S.WAITING, S.READY):
        raise refused_transition(operation, S.READY)
    if operation.status == S.DRAFT:
        return confirm_operation(operation, allow_partial=allow_partial, by=by)
    with atomic(), _acting(by):
        moves = list(operation.moves.filter(status=M.WAITING).select_related("product").order_by("id"))
        locations = _load_locations({m.location_from_id for m in moves}, {})
        _save_reservation(operation, moves, locations, allow_partial=allow_partial, by=by)
    return operation


def unreserve_stock(operation: Operation, *, by: Any = None) -> Operation:
    """Give back what the operation reserved; its moves wait again."""
    if operation.status not in (S.WAITING, S.READY, S.PICKED, S.PACKED):
        raise refused_transition(operation, S.WAITING)
    with atomic(), _acting(by):
        _unreserve(operation, list(operation.moves.filter(status=M.RESERVED, quant__isnull=False)))
        if operation.status != S.WAITING:
            if operation.status == S.PACKED:
                transition(operation, to=S.PICKED, by=by)
            if operation.status == S.PICKED:
                transition(operation, to=S.READY, by=by)
            transition(operation, to=S.WAITING, by=by)
    return operation


def _unreserve(operation: Operation, moves: list[Move]) -> None:
    if not moves:
        return
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for move in moves:
        totals[move.quant_id] += move.quantity
    _sql.change_quants({qid: (ZERO, -qty) for qid, qty in totals.items()})
    ids = [m.pk for m in moves]
    Move.objects.filter(pk__in=ids).update(
        status=M.WAITING, quant=None, picked=ZERO, package=None, location_from_id=operation.location_from_id
    )
    for move in moves:
        old = {"status": move.status, "quant_id": move.quant_id}
        move.status, move.quant_id = M.WAITING, None
        audit.record_change(move, old, action="unreserve")
