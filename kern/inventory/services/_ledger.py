"""Valuing an operation's moves and posting the value: one ledger entry per operation.

Goods in are debited to inventory, goods out credited; the other side is the role of the virtual
location they came from or went to (supplier → goods received not invoiced, customer → cost of
goods sold, adjustment/scrap/production → stock adjustment), unless the operation names its own
(manufacturing books production against work in progress). Settling stock shipped before it
arrived goes to cost of goods sold. Amounts are netted per role, so a delivery of five lines is a
two-line entry.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kern.catalog.models import CostingMethod, ProductType
from kern.core.labels import stored_label
from kern.core.prepared import Prepared
from kern.inventory.models import CostLayer, Location, LocationKind, Operation
from kern.inventory.services import _sql
from kern.inventory.services._valuation import ZERO, Layer, ProductBook, money, unit
from kern.ledger.services import LineSpec, SourceRef, post_entry

COUNTERPART_ROLES = {
    LocationKind.SUPPLIER: "grni",
    LocationKind.CUSTOMER: "cogs",
    LocationKind.ADJUSTMENT: "stock_adjustment",
    LocationKind.SCRAP: "stock_adjustment",
    LocationKind.PRODUCTION: "stock_adjustment",
}
SETTLEMENT_ROLE = "cogs"
INVENTORY_ROLE = "inventory"


def _layers_query(shape: tuple[int], *, company_id: int, product_ids: tuple[int, ...]):
    return (
        CostLayer.objects.select_for_update()
        .filter(company_id=company_id, product_id__in=product_ids, is_open=True)
        .order_by("id")
        .values_list(
            "id",
            "product_id",
            "quantity",
            "unit_cost",
            "remaining_quantity",
            "remaining_value",
            "is_pool",
            "move_id",
            "in_date",
        )
    )


# The open cost layers of some products, locked: built by the ORM once per process and count.
_LAYERS = Prepared(_layers_query)


def _books(company_id: int, lines: list[Any]) -> dict[int, ProductBook]:
    products = {ln.move.product_id: ln.move.product for ln in lines}
    books = {
        pid: ProductBook(
            product_id=pid,
            method=(p.category.costing_method if p.category_id else CostingMethod.AVERAGE),
            fallback_cost=p.cost or ZERO,
        )
        for pid, p in products.items()
    }
    ids = tuple(sorted(books))
    rows = _LAYERS.rows((len(ids),), company_id=company_id, product_ids=ids)
    layers = sorted(
        (
            Layer(
                id=r[0],
                product_id=r[1],
                quantity=r[2],
                unit_cost=r[3],
                remaining_quantity=r[4],
                remaining_value=r[5],
                is_pool=r[6],
                move_id=r[7],
                in_date=r[8],
            )
            for r in rows
        ),
        key=lambda layer: (layer.in_date, layer.id),
    )
    for layer in layers:
        books[layer.product_id].layers.append(layer)
    return books


@dataclass(frozen=True)
class Valuation:
    entry_id: int | None  # None when nothing was valued (a transfer, consumables) or all at 0
    # The open layers' new remaining quantity and value, not yet sent: the caller sends it with
    # the moves' own update (one round trip on PostgreSQL). Nothing reads the layers in between.
    layers: _sql.RowsUpdate | None


def post_valuation(
    operation: Operation, lines: list[Any], *, on: dt.date, by: Any, locations: dict[int, Location]
) -> Valuation:
    """Set value and unit cost on the lines' moves, take from / add cost layers, post the entry.

    New layers are inserted; the update of changed layers is returned (`Valuation.layers`).
    """
    valued = [
        ln for ln in lines if ln.move.product.type == ProductType.STOCKED and ln.incoming != ln.outgoing
    ]
    if not valued:
        return Valuation(None, None)
    books = _books(operation.company_id, valued)
    now = timezone.now()
    amounts: dict[str, Decimal] = defaultdict(Decimal)  # role → debit (+) / credit (−)
    for ln in valued:
        move = ln.move
        book = books[move.product_id]
        if ln.outgoing:
            value = book.take(move.quantity)
            counterpart = locations[move.location_to_id].kind
            amounts[INVENTORY_ROLE] -= value
            amounts[_role(operation, counterpart)] += value
        else:
            cost = move.unit_cost if move.unit_cost is not None else book.current_unit_cost()
            value = money(move.quantity * cost)
            book.put(move.quantity, value, move_id=move.pk, in_date=now)
            counterpart = locations[move.location_from_id].kind
            amounts[INVENTORY_ROLE] += value
            amounts[_role(operation, counterpart)] -= value
        move.value = value
        move.unit_cost = unit(value, move.quantity)
    for book in books.values():
        if book.correction:
            amounts[INVENTORY_ROLE] -= book.correction
            amounts[SETTLEMENT_ROLE] += book.correction
            book.correction = ZERO
    layers = _write_layers(operation.company_id, books)
    specs = []
    for role, amount in sorted(amounts.items(), key=lambda kv: (kv[0] != INVENTORY_ROLE, kv[0])):
        if amount > 0:
            specs.append(LineSpec(role=role, debit=amount, description=operation.number))
        elif amount < 0:
            specs.append(LineSpec(role=role, credit=-amount, description=operation.number))
    if not specs:
        return Valuation(None, layers)
    entry = post_entry(
        company=operation.company,
        journal="stock",
        on=on,
        lines=specs,
        source=SourceRef("inventory.operation", operation.pk, operation.number),
        memo=f"{stored_label(operation, 'kind')} {operation.number}",
        by=by,
    )
    return Valuation(entry.pk, layers)


def _role(operation: Operation, kind: str) -> str:
    if operation.counterpart_role:
        return operation.counterpart_role
    return COUNTERPART_ROLES.get(kind, "stock_adjustment")


def _write_layers(company_id: int, books: dict[int, ProductBook]) -> _sql.RowsUpdate | None:
    """Insert the new layers; return the update of the changed ones (see `Valuation.layers`)."""
    changed: list[Layer] = []
    new: list[Layer] = []
    for book in books.values():
        for layer in book.layers:
            if layer.id is None:
                new.append(layer)
            elif layer.changed:
                changed.append(layer)
    changes = _sql.rows_update(
        "inventory_costlayer",
        {
            "quantity": "NUMERIC",
            "unit_cost": "NUMERIC",
            "remaining_quantity": "NUMERIC",
            "remaining_value": "NUMERIC",
            "is_pool": "BOOLEAN",
        },
        [
            (la.id, la.quantity, la.unit_cost, la.remaining_quantity, la.remaining_value, la.is_pool)
            for la in changed
        ],
    )
    if new:
        CostLayer.objects.bulk_create(
            [
                CostLayer(
                    company_id=company_id,
                    product_id=la.product_id,
                    move_id=la.move_id,
                    in_date=la.in_date or timezone.now(),
                    quantity=la.quantity,
                    unit_cost=la.unit_cost,
                    remaining_quantity=la.remaining_quantity,
                    remaining_value=la.remaining_value,
                    is_pool=la.is_pool,
                )
                for la in new
            ]
        )
    return changes
