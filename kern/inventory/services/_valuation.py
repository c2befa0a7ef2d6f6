"""Perpetual valuation: what each valued move is worth and how the cost layers change.

A move is valued when exactly one side is the company's own stock (an internal or transit
location) and the product is a stocked good. Goods coming in add value (a FIFO layer, or the
product's moving-average pool); goods going out take value from the layers (oldest first for
FIFO, at the pool's average for moving average).

Stock shipped before it arrived (a warehouse that allows negative stock) is valued at the last
known cost and leaves a negative layer; the next receipt settles it at its real cost and the
difference goes to cost of goods sold. `Valuator.correction` collects that difference per product,
so the inventory account always equals the sum of the open layers' values.

The class works on rows the caller has locked (SELECT … FOR UPDATE, in id order) and reports what
to write back; it does no I/O of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

ZERO = Decimal("0")
CENT = Decimal("0.01")
COST_PLACES = Decimal("0.000001")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def unit(value: Decimal, quantity: Decimal) -> Decimal:
    if not quantity:
        return ZERO
    return (value / quantity).quantize(COST_PLACES, rounding=ROUND_HALF_UP)


@dataclass
class Layer:
    id: int | None
    product_id: int
    quantity: Decimal
    unit_cost: Decimal
    remaining_quantity: Decimal
    remaining_value: Decimal
    is_pool: bool = False
    move_id: int | None = None
    in_date: Any = None
    changed: bool = False

    @property
    def is_open(self) -> bool:
        return bool(self.remaining_quantity) or bool(self.remaining_value)


@dataclass
class ProductBook:
    """The open layers of one product, oldest first, and its costing method."""

    product_id: int
    method: str  # "fifo" | "average"
    fallback_cost: Decimal
    layers: list[Layer] = field(default_factory=list)
    correction: Decimal = ZERO  # value to move from inventory to COGS (negative: the other way)

    @property
    def quantity(self) -> Decimal:
        return sum((layer.remaining_quantity for layer in self.layers), ZERO)

    @property
    def value(self) -> Decimal:
        return sum((layer.remaining_value for layer in self.layers), ZERO)

    def current_unit_cost(self) -> Decimal:
        qty = self.quantity
        if qty > 0:
            return unit(self.value, qty)
        for layer in reversed(self.layers):
            if layer.unit_cost:
                return layer.unit_cost
        return self.fallback_cost

    # --- goods out -----------------------------------------------------------------------

    def take(self, quantity: Decimal) -> Decimal:
        """Remove `quantity` from the layers; returns its value (positive)."""
        if self.method == "average":
            return self._take_average(quantity)
        return self._take_fifo(quantity)

    def _take_average(self, quantity: Decimal) -> Decimal:
        pool = self._pool()
        if pool.remaining_quantity > 0 and quantity <= pool.remaining_quantity:
            if quantity == pool.remaining_quantity:
                value = pool.remaining_value
            else:
                value = money(quantity * pool.remaining_value / pool.remaining_quantity)
        else:
            # Part or all of it is not in stock: what is there at its value, the rest estimated.
            covered = max(pool.remaining_quantity, ZERO)
            estimate = self.current_unit_cost()
            value = (pool.remaining_value if covered else ZERO) + money((quantity - covered) * estimate)
        pool.remaining_quantity -= quantity
        pool.remaining_value -= value
        if pool.remaining_quantity:
            pool.unit_cost = unit(pool.remaining_value, pool.remaining_quantity) or pool.unit_cost
        pool.changed = True
        return value

    def _take_fifo(self, quantity: Decimal) -> Decimal:
        left = quantity
        value = ZERO
        estimate = self.current_unit_cost()
        for layer in self.layers:
            if left <= 0:
                break
            if layer.remaining_quantity <= 0:
                continue
            take = min(left, layer.remaining_quantity)
            if take == layer.remaining_quantity:
                part = layer.remaining_value
            else:
                part = money(take * layer.remaining_value / layer.remaining_quantity)
            layer.remaining_quantity -= take
            layer.remaining_value -= part
            layer.changed = True
            value += part
            left -= take
        if left > 0:
            part = money(left * estimate)
            negative = self._new_layer(pool=False)
            negative.quantity = -left
            negative.unit_cost = estimate
            negative.remaining_quantity = -left
            negative.remaining_value = -part
            value += part
        return value

    # --- goods in ------------------------------------------------------------------------

    def put(self, quantity: Decimal, value: Decimal, *, move_id: int | None, in_date: Any) -> None:
        """Add `quantity` worth `value`; settles stock that was shipped before it arrived."""
        before = self.value
        if self.method == "average":
            pool = self._pool(move_id=move_id, in_date=in_date)
            old_qty = pool.remaining_quantity
            new_qty = old_qty + quantity
            if old_qty >= 0:
                pool.remaining_value += value
            elif new_qty >= 0:
                # The shortfall is now known to have cost what this receipt cost.
                pool.remaining_value = money(new_qty * value / quantity)
            else:
                pool.remaining_value = money(new_qty * pool.remaining_value / old_qty)
            pool.remaining_quantity = new_qty
            pool.quantity += quantity
            pool.unit_cost = unit(pool.remaining_value, new_qty) if new_qty else unit(value, quantity)
            pool.changed = True
        else:
            left = quantity
            left_value = value
            for layer in self.layers:
                if left <= 0:
                    break
                if layer.remaining_quantity >= 0:
                    continue
                settle = min(left, -layer.remaining_quantity)
                part = left_value if settle == left else money(settle * value / quantity)
                # The negative layer is settled at this receipt's cost; what it carried at the
                # estimate goes away with it.
                if settle == -layer.remaining_quantity:
                    layer.remaining_value = ZERO
                else:
                    layer.remaining_value = money(
                        (layer.remaining_quantity + settle) * layer.remaining_value / layer.remaining_quantity
                    )
                layer.remaining_quantity += settle
                layer.changed = True
                left -= settle
                left_value -= part
            if left > 0:
                layer = self._new_layer(pool=False, move_id=move_id, in_date=in_date)
                layer.quantity = left
                layer.unit_cost = unit(left_value, left)
                layer.remaining_quantity = left
                layer.remaining_value = left_value
        # Everything the move brought in was debited to inventory; what the layers did not keep
        # is the settlement of earlier estimates and goes to cost of goods sold.
        self.correction += value - (self.value - before)

    # --- helpers -------------------------------------------------------------------------

    def _new_layer(self, *, pool: bool, move_id: int | None = None, in_date: Any = None) -> Layer:
        layer = Layer(
            id=None,
            product_id=self.product_id,
            quantity=ZERO,
            unit_cost=self.fallback_cost,
            remaining_quantity=ZERO,
            remaining_value=ZERO,
            is_pool=pool,
            move_id=move_id,
            in_date=in_date,
            changed=True,
        )
        self.layers.append(layer)
        return layer

    def _pool(self, *, move_id: int | None = None, in_date: Any = None) -> Layer:
        self._pool_up()
        for layer in reversed(self.layers):
            if layer.is_pool:
                return layer
        return self._new_layer(pool=True, move_id=move_id, in_date=in_date)

    def _pool_up(self) -> None:
        """Moving average keeps one open layer; merge any others (left by a switch from FIFO)."""
        open_layers = [layer for layer in self.layers if layer.is_open]
        if len(open_layers) <= 1:
            if open_layers:
                open_layers[0].is_pool = True
            return
        keep = open_layers[-1]
        for layer in open_layers[:-1]:
            keep.remaining_quantity += layer.remaining_quantity
            keep.remaining_value += layer.remaining_value
            layer.remaining_quantity = ZERO
            layer.remaining_value = ZERO
            layer.changed = True
        keep.is_pool = True
        keep.unit_cost = unit(keep.remaining_value, keep.remaining_quantity) or keep.unit_cost
        keep.changed = True
        self.layers = [layer for layer in self.layers if layer is keep or layer.id is not None]
