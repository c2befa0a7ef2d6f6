"""Reads of the inventory: stock levels, available-to-promise, reports, traceability, replenishment.

Everything aggregates in SQL; nothing loads move rows into Python to add them up, except the
ageing report, which walks one product's receipts newest first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from kern.catalog.models import Product
from kern.core.exceptions import NotFound
from kern.core.prepared import Prepared
from kern.inventory.models import (
    INTERNAL_KINDS,
    OPEN_OPERATION_STATUSES,
    CostLayer,
    Location,
    LocationKind,
    Lot,
    Move,
    MoveStatus,
    Operation,
    Quant,
    ReorderRule,
    Warehouse,
)
from kern.ledger.models import JournalLine
from kern.ledger.selectors import account_for

__all__ = [
    "AgeingRow",
    "Reconciliation",
    "ReplenishSuggestion",
    "ScanResult",
    "StockLevel",
    "TraceStep",
    "ValuationRow",
    "available_to_promise",
    "default_warehouse",
    "delivered_quantities",
    "lot_trace",
    "move_history",
    "on_hand",
    "open_operations",
    "operations_for",
    "resolve_code",
    "returned_quantities",
    "stock_ageing",
    "stock_by_location",
    "stock_levels",
    "stock_valuation",
    "subtree",
    "to_replenish",
    "valuation_reconciliation",
    "valuation_total",
    "warehouses_of",
]

ZERO = Decimal("0")
QTY = DecimalField(max_digits=20, decimal_places=4)
ROUTE_FIELDS = (
    "stock_location",
    "supplier_location",
    "customer_location",
    "adjustment_location",
    "scrap_location",
    "production_location",
    "transit_location",
)


def _qty(value: Any) -> Decimal:
    """Sums come back as floats on SQLite and with their scale on PostgreSQL: give both 4 places."""
    return Decimal(str(value or 0)).quantize(Decimal("0.0001"))


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


def _id(obj: Any) -> Any:
    return getattr(obj, "pk", obj)


def warehouses_of(company: Any) -> QuerySet[Warehouse]:
    return Warehouse.objects.filter(company_id=_id(company), is_active=True).order_by("id")


def default_warehouse(company: Any, *, locations: Sequence[str] = ROUTE_FIELDS) -> Warehouse:
    """The company's first active warehouse, with the locations operations need already loaded.

    `locations` names the ones to load with it: an operation needs only its route's two, and
    on PostgreSQL planning the eight-table join of all of them costs more than running it.
    """
    names = tuple(locations)
    rows = _DEFAULT_WAREHOUSE.rows(names, company_id=_id(company))
    if not rows:
        raise NotFound(gettext("the company has no warehouse"))
    return _warehouse_from_row(names, rows[0])


_WAREHOUSE_COLUMNS = tuple(f.attname for f in Warehouse._meta.concrete_fields)
_LOCATION_COLUMNS = tuple(f.attname for f in Location._meta.concrete_fields)


def _default_warehouse_query(names: tuple[str, ...], *, company_id: int) -> QuerySet:
    """The first active warehouse and the named locations, as one row (a LEFT JOIN per location,
    the joins select_related makes). The ORM builds it once per process (`Prepared`): building
    it on every order cost more CPU than the reservation."""
    columns = [*_WAREHOUSE_COLUMNS]
    for name in names:
        columns += [f"{name}__{column}" for column in _LOCATION_COLUMNS]
    return warehouses_of(company_id).values_list(*columns)[:1]


_DEFAULT_WAREHOUSE = Prepared(_default_warehouse_query)


def _warehouse_from_row(names: tuple[str, ...], row: tuple[Any, ...]) -> Warehouse:
    """Model instances as `select_related(*names).first()` gives them (signals included)."""
    alias = connection.alias
    width = len(_WAREHOUSE_COLUMNS)
    warehouse = Warehouse.from_db(alias, _WAREHOUSE_COLUMNS, row[:width])
    step = len(_LOCATION_COLUMNS)
    for i, name in enumerate(names):
        values = row[width + i * step : width + (i + 1) * step]
        location = None if values[0] is None else Location.from_db(alias, _LOCATION_COLUMNS, values)
        warehouse._state.fields_cache[name] = location
    return warehouse


def subtree(location: Location, prefix: str = "location") -> Q:
    """Rows in `location` or anywhere below it (with `prefix=""`: the locations themselves)."""
    if not prefix:
        return Q(pk=location.pk) | Q(path__startswith=f"{location.path}{location.pk}/")
    return Q(**{f"{prefix}_id": location.pk}) | Q(
        **{f"{prefix}__path__startswith": f"{location.path}{location.pk}/"}
    )


def count_locations(count: Any) -> QuerySet[Location]:
    """The stock locations a count covers: its location and every internal one below it."""
    return Location.objects.filter(company_id=count.company_id, kind=LocationKind.INTERNAL).filter(
        subtree(count.location, prefix="")
    )


def _quants(
    company: Any,
    *,
    products: Iterable[Any] | None = None,
    warehouse: Any = None,
    location: Location | None = None,
) -> QuerySet[Quant]:
    qs = Quant.objects.filter(company_id=_id(company), location__kind__in=list(INTERNAL_KINDS))
    if products is not None:
        qs = qs.filter(product_id__in=[_id(p) for p in products])
    if warehouse is not None:
        qs = qs.filter(location__warehouse_id=_id(warehouse))
    if location is not None:
        qs = qs.filter(subtree(location))
    return qs


@dataclass(frozen=True)
class StockLevel:
    on_hand: Decimal = ZERO
    reserved: Decimal = ZERO
    incoming: Decimal = ZERO  # open receipts and returns not yet done
    outgoing: Decimal = ZERO  # open deliveries not yet reserved (waiting)

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def forecast(self) -> Decimal:
        return self.on_hand + self.incoming - self.reserved - self.outgoing


def _open_moves(
    company: Any, products: Iterable[Any] | None, warehouse: Any, on: dt.date | None
) -> QuerySet[Move]:
    qs = Move.objects.filter(
        company_id=_id(company), status__in=[MoveStatus.WAITING, MoveStatus.RESERVED, MoveStatus.DRAFT]
    ).exclude(status=MoveStatus.DRAFT, operation__status="draft")
    if products is not None:
        qs = qs.filter(product_id__in=[_id(p) for p in products])
    if warehouse is not None:
        qs = qs.filter(operation__warehouse_id=_id(warehouse))
    if on is not None:
        qs = qs.filter(operation__scheduled_date__lte=on)
    return qs


def stock_levels(
    company: Any, products: Iterable[Any] | None = None, *, warehouse: Any = None, on: dt.date | None = None
) -> dict[int, StockLevel]:
    """On hand, reserved, incoming and unreserved outgoing per product (three aggregate queries)."""
    products = list(products) if products is not None else None
    base = {
        row["product_id"]: (row["on_hand"], row["reserved"])
        for row in _quants(company, products=products, warehouse=warehouse)
        .values("product_id")
        .annotate(on_hand=Sum("quantity"), reserved=Sum("reserved"))
    }
    internal = list(INTERNAL_KINDS)
    flows = (
        _open_moves(company, products, warehouse, on)
        .values("product_id")
        .annotate(
            incoming=Coalesce(
                Sum(
                    Case(
                        When(
                            ~Q(location_from__kind__in=internal) & Q(location_to__kind__in=internal),
                            then=F("quantity"),
                        ),
                        default=Value(ZERO),
                        output_field=QTY,
                    )
                ),
                Value(ZERO),
                output_field=QTY,
            ),
            outgoing=Coalesce(
                Sum(
                    Case(
                        When(
                            Q(location_from__kind__in=internal)
                            & ~Q(location_to__kind__in=internal)
                            & ~Q(status=MoveStatus.RESERVED),
                            then=F("quantity"),
                        ),
                        default=Value(ZERO),
                        output_field=QTY,
                    )
                ),
                Value(ZERO),
                output_field=QTY,
            ),
        )
    )
    moving = {row["product_id"]: (row["incoming"], row["outgoing"]) for row in flows}
    ids = {_id(p) for p in products} if products is not None else set(base) | set(moving)
    result = {}
    for pid in ids:
        on_hand, reserved = base.get(pid, (ZERO, ZERO))
        incoming, outgoing = moving.get(pid, (ZERO, ZERO))
        result[pid] = StockLevel(_qty(on_hand), _qty(reserved), _qty(incoming), _qty(outgoing))
    return result


def available_to_promise(
    company: Any, products: Iterable[Any], *, warehouse: Any = None, on: dt.date | None = None
) -> dict[int, Decimal]:
    """What can still be promised per product: on hand − reserved − demand not yet reserved, plus
    (with `on`) what is due to arrive by that date. The quote builder shows it per line."""
    levels = stock_levels(company, products, warehouse=warehouse, on=on)
    return {
        pid: (level.forecast if on is not None else level.available - level.outgoing)
        for pid, level in levels.items()
    }


def on_hand(product: Any, *, warehouse: Any = None, location: Location | None = None) -> Decimal:
    company_id = product.company_id if hasattr(product, "company_id") else None
    qs = Quant.objects.filter(product_id=_id(product), location__kind__in=list(INTERNAL_KINDS))
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if warehouse is not None:
        qs = qs.filter(location__warehouse_id=_id(warehouse))
    if location is not None:
        qs = qs.filter(subtree(location))
    return _qty(qs.aggregate(total=Sum("quantity"))["total"])


def stock_by_location(
    company: Any,
    *,
    warehouse: Any = None,
    location: Location | None = None,
    product: Any = None,
    include_empty: bool = False,
) -> QuerySet[Quant]:
    """The stock report: one row per product, location and lot with on hand, reserved, available."""
    qs = _quants(
        company, products=[product] if product is not None else None, warehouse=warehouse, location=location
    )
    if not include_empty:
        qs = qs.exclude(quantity=0, reserved=0)
    return qs.select_related("product", "location", "lot").order_by(
        "product__sku", "location__full_name", "lot__name"
    )


def move_history(
    company: Any,
    *,
    product: Any = None,
    location: Location | None = None,
    lot: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
) -> QuerySet[Move]:
    """Done moves, newest first (a location's history includes its sub-locations, both ways)."""
    qs = Move.objects.filter(company_id=_id(company), status=MoveStatus.DONE)
    if product is not None:
        qs = qs.filter(product_id=_id(product))
    if lot is not None:
        qs = qs.filter(lot_id=_id(lot))
    if location is not None:
        qs = qs.filter(subtree(location, "location_from") | subtree(location, "location_to"))
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    if source_type:
        qs = qs.filter(source_type=source_type)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    return qs.select_related("product", "lot", "location_from", "location_to", "operation", "uom").order_by(
        "-done_at", "-id"
    )


@dataclass(frozen=True)
class ValuationRow:
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    value: Decimal

    @property
    def unit_cost(self) -> Decimal:
        return (self.value / self.quantity).quantize(Decimal("0.0001")) if self.quantity else ZERO


def stock_valuation(company: Any, *, product: Any = None) -> list[ValuationRow]:
    """Quantity and value of stock per product, from the open cost layers (perpetual valuation).

    The total equals the balance of the inventory account.
    """
    qs = CostLayer.objects.filter(company_id=_id(company), is_open=True)
    if product is not None:
        qs = qs.filter(product_id=_id(product))
    rows = (
        qs.values("product_id", "product__sku", "product__name")
        .annotate(quantity=Sum("remaining_quantity"), value=Sum("remaining_value"))
        .order_by("product__sku")
    )
    return [
        ValuationRow(
            r["product_id"], r["product__sku"], r["product__name"], r["quantity"] or ZERO, r["value"] or ZERO
        )
        for r in rows
    ]


def valuation_total(company: Any) -> Decimal:
    total = CostLayer.objects.filter(company_id=_id(company), is_open=True).aggregate(
        v=Sum("remaining_value")
    )["v"]
    return _money(total)


@dataclass
class AgeingRow:
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    buckets: list[Decimal] = field(default_factory=list)  # one per age bracket, oldest last


def stock_ageing(
    company: Any,
    *,
    warehouse: Any = None,
    brackets: tuple[int, ...] = (30, 60, 90),
    on: dt.date | None = None,
) -> list[AgeingRow]:
    """How long stock has been in: on hand is matched to the latest arrivals (first in, first out)
    and each arrival's age puts its quantity in a bracket (0–30, 31–60, 61–90, over 90 days)."""
    on = on or timezone.localdate()
    levels = {
        row["product_id"]: _qty(row["total"])
        for row in _quants(company, warehouse=warehouse).values("product_id").annotate(total=Sum("quantity"))
        if row["total"] and row["total"] > 0
    }
    if not levels:
        return []
    internal = list(INTERNAL_KINDS)
    arrivals = Move.objects.filter(
        company_id=_id(company),
        status=MoveStatus.DONE,
        product_id__in=list(levels),
        location_to__kind__in=internal,
    ).exclude(location_from__kind__in=internal)
    if warehouse is not None:
        arrivals = arrivals.filter(location_to__warehouse_id=_id(warehouse))
    by_product: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    for pid, date, qty in arrivals.order_by("product_id", "-done_at", "-id").values_list(
        "product_id", "date", "quantity"
    ):
        by_product[pid].append((date, qty))
    names = {p.pk: (p.sku, p.name) for p in Product.objects.filter(pk__in=list(levels)).only("sku", "name")}
    rows = []
    for pid, total in sorted(levels.items(), key=lambda kv: names.get(kv[0], ("", ""))[0]):
        buckets = [_qty(0)] * (len(brackets) + 1)
        left = total
        for date, qty in by_product.get(pid, ()):
            if left <= 0:
                break
            take = min(left, qty)
            age = (on - date).days if date else 0
            index = next((i for i, limit in enumerate(brackets) if age <= limit), len(brackets))
            buckets[index] += take
            left -= take
        if left > 0:  # stock with no recorded arrival counts as oldest
            buckets[-1] += left
        sku, name = names.get(pid, ("", ""))
        rows.append(AgeingRow(pid, sku, name, total, buckets))
    return rows


@dataclass(frozen=True)
class TraceStep:
    move_id: int
    date: dt.date | None
    operation_id: int
    operation: str
    kind: str
    partner_id: int | None
    partner: str
    quantity: Decimal
    location_from: str
    location_to: str
    source_type: str
    source_id: int | None


def lot_trace(lot: Lot) -> dict[str, list[TraceStep]]:
    """Where a lot came from (receipts, production, adjustments bringing it into stock) and where
    it went (deliveries to customers, returns, scrap, production) — both directions."""
    internal = list(INTERNAL_KINDS)
    moves = (
        Move.objects.filter(company_id=lot.company_id, lot=lot, status=MoveStatus.DONE)
        .select_related("operation__partner", "location_from", "location_to")
        .order_by("done_at", "id")
    )
    upstream: list[TraceStep] = []
    downstream: list[TraceStep] = []
    for move in moves:
        from_internal = move.location_from.kind in internal
        to_internal = move.location_to.kind in internal
        if from_internal == to_internal:
            continue
        op = move.operation
        step = TraceStep(
            move_id=move.pk,
            date=move.date,
            operation_id=op.pk,
            operation=op.number,
            kind=op.kind,
            partner_id=op.partner_id,
            partner=op.partner.name if op.partner_id else "",
            quantity=move.quantity,
            location_from=move.location_from.full_name,
            location_to=move.location_to.full_name,
            source_type=move.source_type or op.source_type,
            source_id=move.source_id if move.source_id is not None else op.source_id,
        )
        (upstream if to_internal else downstream).append(step)
    return {"upstream": upstream, "downstream": downstream}


@dataclass(frozen=True)
class ReplenishSuggestion:
    rule_id: int
    warehouse_id: int
    product_id: int
    sku: str
    name: str
    method: str
    vendor_id: int | None
    min_quantity: Decimal
    max_quantity: Decimal
    on_hand: Decimal
    forecast: Decimal
    quantity: Decimal  # suggested order quantity
    order_by: dt.date


def to_replenish(
    company: Any, *, warehouse: Any = None, method: str | None = None
) -> list[ReplenishSuggestion]:
    """Rules whose forecast (on hand + incoming − reserved − waiting demand) is below the minimum,
    with the quantity that brings it back to the maximum, rounded up to the rule's multiple."""
    rules = ReorderRule.objects.filter(company_id=_id(company), is_active=True).select_related("product")
    if warehouse is not None:
        rules = rules.filter(warehouse_id=_id(warehouse))
    if method:
        rules = rules.filter(method=method)
    rules = list(rules.order_by("product__sku"))
    by_warehouse: dict[int, list[ReorderRule]] = defaultdict(list)
    for rule in rules:
        by_warehouse[rule.warehouse_id].append(rule)
    today = timezone.localdate()
    out = []
    for wh_id, wh_rules in by_warehouse.items():
        levels = stock_levels(company, [r.product_id for r in wh_rules], warehouse=wh_id)
        for rule in wh_rules:
            level = levels.get(rule.product_id, StockLevel())
            forecast = level.forecast
            if forecast >= rule.min_quantity:
                continue
            need = rule.max_quantity - forecast
            multiple = rule.multiple or Decimal("1")
            quantity = (need / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple
            out.append(
                ReplenishSuggestion(
                    rule_id=rule.pk,
                    warehouse_id=wh_id,
                    product_id=rule.product_id,
                    sku=rule.product.sku,
                    name=rule.product.name,
                    method=rule.method,
                    vendor_id=rule.vendor_id,
                    min_quantity=rule.min_quantity,
                    max_quantity=rule.max_quantity,
                    on_hand=level.on_hand,
                    forecast=forecast,
                    quantity=quantity,
                    order_by=today,
                )
            )
    out.sort(key=lambda s: s.sku)
    return out


def returned_quantities(move_ids: list[int]) -> dict[int, Decimal]:
    """How much of each done move has been returned (by done or open return moves)."""
    rows = (
        Move.objects.filter(origin_move_id__in=move_ids)
        .exclude(status=MoveStatus.CANCELLED)
        .values("origin_move_id")
        .annotate(total=Sum("quantity"))
    )
    return {r["origin_move_id"]: _qty(r["total"]) for r in rows}


def operations_for(company: Any, source_type: str, source_id: int) -> QuerySet[Operation]:
    """The stock operations a higher document (an order) created, oldest first."""
    return Operation.objects.filter(
        company_id=_id(company), source_type=source_type, source_id=source_id
    ).order_by("id")


def delivered_quantities(company: Any, source_type: str, source_ids: Iterable[int]) -> dict[int, Decimal]:
    """Net quantity (product unit) that left stock per source line: deliveries minus returns."""
    internal = list(INTERNAL_KINDS)
    rows = (
        Move.objects.filter(
            company_id=_id(company),
            source_type=source_type,
            source_id__in=list(source_ids),
            status=MoveStatus.DONE,
        )
        .values("source_id")
        .annotate(
            out=Coalesce(
                Sum(
                    Case(
                        When(location_from__kind__in=internal, then=F("quantity")),
                        default=Value(ZERO),
                        output_field=QTY,
                    )
                ),
                Value(ZERO),
                output_field=QTY,
            ),
            back=Coalesce(
                Sum(
                    Case(
                        When(location_to__kind__in=internal, then=F("quantity")),
                        default=Value(ZERO),
                        output_field=QTY,
                    )
                ),
                Value(ZERO),
                output_field=QTY,
            ),
        )
    )
    return {r["source_id"]: _qty(r["out"]) - _qty(r["back"]) for r in rows}


@dataclass(frozen=True)
class ScanResult:
    kind: str  # product | lot | location
    product: Product | None = None
    lot: Lot | None = None
    location: Location | None = None


def resolve_code(company: Any, code: str) -> ScanResult:
    """What a scanned or typed code is: a location barcode, a product's barcode or SKU, or a lot /
    serial number. NotFound when it is none of them."""
    code = (code or "").strip()
    if not code:
        raise NotFound(gettext("empty code"))
    company_id = _id(company)
    location = Location.objects.filter(company_id=company_id, barcode=code, is_active=True).first()
    if location is not None:
        return ScanResult("location", location=location)
    product = (
        Product.objects.filter(company_id=company_id)
        .filter(Q(barcode=code) | Q(sku__iexact=code))
        .order_by("-is_active", "id")
        .first()
    )
    if product is not None:
        return ScanResult("product", product=product)
    lot = (
        Lot.objects.filter(company_id=company_id, name=code).select_related("product").order_by("-id").first()
    )
    if lot is not None:
        return ScanResult("lot", product=lot.product, lot=lot)
    location = Location.objects.filter(company_id=company_id, full_name__iexact=code).first()
    if location is not None:
        return ScanResult("location", location=location)
    raise NotFound(gettext("%(code)s is not a product, lot, serial number or location") % {"code": code})


def open_operations(company: Any, *, kind: str | None = None) -> QuerySet[Operation]:
    qs = Operation.objects.filter(company_id=_id(company), status__in=list(OPEN_OPERATION_STATUSES))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("scheduled_date", "id")


@dataclass(frozen=True)
class Reconciliation:
    valuation: Decimal  # sum of the open cost layers
    ledger: Decimal  # balance of the inventory account(s)

    @property
    def difference(self) -> Decimal:
        return self.valuation - self.ledger

    @property
    def reconciles(self) -> bool:
        return self.difference == 0


def valuation_reconciliation(company: Any) -> Reconciliation:
    """The stock valuation next to the balance of the account that plays the inventory role."""
    account = account_for(company, "inventory")
    totals = JournalLine.objects.filter(company_id=_id(company), account=account).aggregate(
        debit=Sum("debit"), credit=Sum("credit")
    )
    return Reconciliation(valuation_total(company), _money(totals["debit"]) - _money(totals["credit"]))
