"""Inventory API: warehouses and locations, lots and their trace, stock operations (reserve, pick,
pack, validate/ship, cancel, return, scan), moves, stock levels and reports, reorder rules and the
"to replenish" list, stock counts."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kern.catalog.models import Product
from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.core.db import atomic
from kern.core.exceptions import NotFound, ValidationFailed
from kern.core.workflow import allowed_transitions
from kern.inventory import selectors, services
from kern.inventory.exceptions import UnknownCode
from kern.inventory.models import (
    Location,
    Lot,
    Move,
    Operation,
    ReorderRule,
    StockCount,
    StockCountLine,
    Warehouse,
)
from kern.parties.models import Party

router = Router(tags=["inventory"])

Qty = Field(gt=0, max_digits=20, decimal_places=4)
SignedQty = Field(max_digits=20, decimal_places=4)
OperationKindIn = Literal[
    "receipt",
    "delivery",
    "internal",
    "customer_return",
    "supplier_return",
    "scrap",
    "adjustment",
    "production",
]

VIEW_STOCK = "inventory.view_stock"


# --- warehouses and locations ------------------------------------------------------------------


class WarehouseIn(Schema):
    code: str = Field(min_length=1, max_length=8)
    name: str = Field(min_length=1, max_length=100)
    allow_negative_stock: bool = False
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=16)
    city: str = Field("", max_length=100)


class WarehousePatch(Schema):
    code: str | None = Field(None, min_length=1, max_length=8)
    name: str | None = Field(None, min_length=1, max_length=100)
    allow_negative_stock: bool | None = None
    street: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, max_length=16)
    city: str | None = Field(None, max_length=100)
    is_active: bool | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    allow_negative_stock: bool
    street: str
    postcode: str
    city: str
    is_active: bool
    stock_location_id: int | None
    customer_location_id: int | None
    supplier_location_id: int | None


class LocationIn(Schema):
    parent_id: int
    name: str = Field(min_length=1, max_length=60)
    kind: Literal["internal", "view"] = "internal"
    barcode: str = Field("", max_length=40)


class LocationPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=60)
    barcode: str | None = Field(None, max_length=40)
    is_active: bool | None = None


class LocationOut(Schema):
    id: int
    name: str
    full_name: str
    kind: str
    barcode: str
    parent_id: int | None
    warehouse_id: int | None
    is_active: bool


@router.get("/inventory/warehouses", response=list[WarehouseOut])
def list_warehouses(request: HttpRequest, active: bool | None = None):
    require_perm(request, "inventory.view_warehouse")
    qs = scoped(Warehouse, request).order_by("code")
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/inventory/warehouses", response={201: WarehouseOut})
def create_warehouse(request: HttpRequest, payload: WarehouseIn):
    who = require_perm(request, "inventory.add_warehouse")
    warehouse = services.create_warehouse(who.company, by=who.user, **payload.dict())
    return Status(201, warehouse)


@router.get("/inventory/warehouses/{warehouse_id}", response=WarehouseOut)
def get_warehouse(request: HttpRequest, warehouse_id: int):
    require_perm(request, "inventory.view_warehouse")
    return scoped(Warehouse, request, warehouse_id)


@router.patch("/inventory/warehouses/{warehouse_id}", response=WarehouseOut)
def update_warehouse(request: HttpRequest, warehouse_id: int, payload: WarehousePatch):
    who = require_perm(request, "inventory.change_warehouse")
    warehouse = scoped(Warehouse, request, warehouse_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_warehouse(warehouse, by=who.user, **changes)


@router.get("/inventory/locations", response=list[LocationOut])
@paginate(KernCursorPagination)
def list_locations(
    request: HttpRequest,
    warehouse_id: int | None = None,
    kind: str | None = None,
    q: str | None = None,
    active: bool | None = None,
):
    require_perm(request, "inventory.view_location")
    qs = scoped(Location, request)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(Q(full_name__icontains=q) | Q(barcode=q))
    if active is not None:
        qs = qs.filter(is_active=active)
    return qs


@router.post("/inventory/locations", response={201: LocationOut})
def create_location(request: HttpRequest, payload: LocationIn):
    who = require_perm(request, "inventory.add_location")
    parent = scoped(Location, request).filter(pk=payload.parent_id).first()
    if parent is None:
        raise ValidationFailed.on("parent_id", f"unknown location {payload.parent_id}")
    location = services.create_location(
        parent, name=payload.name, kind=payload.kind, barcode=payload.barcode, by=who.user
    )
    return Status(201, location)


@router.get("/inventory/locations/{location_id}", response=LocationOut)
def get_location(request: HttpRequest, location_id: int):
    require_perm(request, "inventory.view_location")
    return scoped(Location, request, location_id)


@router.patch("/inventory/locations/{location_id}", response=LocationOut)
def update_location(request: HttpRequest, location_id: int, payload: LocationPatch):
    who = require_perm(request, "inventory.change_location")
    location = scoped(Location.objects.select_related("parent"), request, location_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_location(location, by=who.user, **changes)


# --- lots --------------------------------------------------------------------------------------


class LotIn(Schema):
    product_id: int
    name: str = Field(min_length=1, max_length=60)
    expiry_date: dt.date | None = None
    notes: str = Field("", max_length=2000)


class LotOut(Schema):
    id: int
    product_id: int
    name: str
    expiry_date: dt.date | None
    notes: str


class TraceStepOut(Schema):
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


class LotTraceOut(Schema):
    lot: LotOut
    upstream: list[TraceStepOut]
    downstream: list[TraceStepOut]


def _product(request: HttpRequest, product_id: int, field: str = "product_id") -> Product:
    product = scoped(Product, request).filter(pk=product_id).first()
    if product is None:
        raise ValidationFailed.on(field, f"unknown product {product_id}")
    return product


@router.get("/inventory/lots", response=list[LotOut])
@paginate(KernCursorPagination)
def list_lots(request: HttpRequest, product_id: int | None = None, q: str | None = None):
    require_perm(request, "inventory.view_lot")
    qs = scoped(Lot, request)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@router.post("/inventory/lots", response={201: LotOut})
def create_lot(request: HttpRequest, payload: LotIn):
    who = require_perm(request, "inventory.add_lot")
    product = _product(request, payload.product_id)
    lot = services.create_lot(
        product, name=payload.name, expiry_date=payload.expiry_date, notes=payload.notes, by=who.user
    )
    return Status(201, lot)


@router.get("/inventory/lots/{lot_id}", response=LotOut)
def get_lot(request: HttpRequest, lot_id: int):
    require_perm(request, "inventory.view_lot")
    return scoped(Lot, request, lot_id)


@router.get("/inventory/lots/{lot_id}/trace", response=LotTraceOut)
def trace_lot(request: HttpRequest, lot_id: int):
    """Where the lot came from (upstream) and where it went (downstream)."""
    require_perm(request, "inventory.view_lot")
    lot = scoped(Lot, request, lot_id)
    trace = selectors.lot_trace(lot)
    return {"lot": lot, "upstream": trace["upstream"], "downstream": trace["downstream"]}


# --- operations --------------------------------------------------------------------------------


class LineIn(Schema):
    product_id: int
    quantity: Decimal = SignedQty
    uom: str | None = Field(None, max_length=12)
    lot: str | None = Field(None, max_length=60)
    serials: list[str] = Field(default_factory=list, max_length=10000)
    expiry_date: dt.date | None = None
    unit_cost: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=6)
    location_from_id: int | None = None
    location_to_id: int | None = None
    source_type: str = Field("", max_length=60)
    source_id: int | None = None


class OperationIn(Schema):
    kind: OperationKindIn
    lines: list[LineIn] = Field(min_length=1, max_length=2000)
    warehouse_id: int | None = None
    partner_id: int | None = None
    location_from_id: int | None = None
    location_to_id: int | None = None
    scheduled_date: dt.date | None = None
    origin: str = Field("", max_length=60)
    notes: str = Field("", max_length=5000)
    source_type: str = Field("", max_length=60)
    source_id: int | None = None
    confirm: bool = True
    allow_partial: bool = True
    validate_now: bool = Field(False, alias="validate")


class MoveOut(Schema):
    id: int
    operation_id: int
    product_id: int
    sku: str
    lot: str | None
    location_from_id: int
    location_from: str
    location_to_id: int
    location_to: str
    quantity: Decimal
    uom: str
    uom_quantity: Decimal
    status: str
    picked: Decimal
    package_id: int | None
    source_type: str
    source_id: int | None
    unit_cost: Decimal | None
    value: Decimal | None
    date: dt.date | None

    @staticmethod
    def resolve_sku(obj: Move) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_lot(obj: Move) -> str | None:
        return obj.lot.name if obj.lot_id else None

    @staticmethod
    def resolve_location_from(obj: Move) -> str:
        return obj.location_from.full_name

    @staticmethod
    def resolve_location_to(obj: Move) -> str:
        return obj.location_to.full_name

    @staticmethod
    def resolve_uom(obj: Move) -> str:
        return obj.uom.code


class PackageOut(Schema):
    id: int
    name: str
    weight_kg: Decimal | None
    tracking_reference: str


class OperationOut(Schema):
    id: int
    number: str
    kind: str
    status: str
    warehouse_id: int
    partner_id: int | None
    location_from_id: int
    location_to_id: int
    scheduled_date: dt.date
    date_done: dt.date | None
    origin: str
    source_type: str
    source_id: int | None
    backorder_of_id: int | None
    return_of_id: int | None
    tracking_reference: str
    notes: str


class OperationDetailOut(OperationOut):
    moves: list[MoveOut]
    packages: list[PackageOut]
    actions: list[str]
    backorder_ids: list[int]

    @staticmethod
    def resolve_moves(obj: Operation) -> list[Move]:
        return list(
            obj.moves.select_related("product", "lot", "location_from", "location_to", "uom").order_by("id")
        )

    @staticmethod
    def resolve_packages(obj: Operation) -> list:
        return list(obj.packages.all())

    @staticmethod
    def resolve_actions(obj: Operation) -> list[str]:
        return allowed_transitions(obj)

    @staticmethod
    def resolve_backorder_ids(obj: Operation) -> list[int]:
        return list(obj.backorders.values_list("pk", flat=True))


class QuantityLine(Schema):
    move_id: int
    quantity: Decimal = Field(ge=0, max_digits=20, decimal_places=4)


class ReserveIn(Schema):
    allow_partial: bool = True


class PickIn(Schema):
    lines: list[QuantityLine] | None = Field(None, max_length=2000)


class PackIn(Schema):
    move_ids: list[int] | None = Field(None, max_length=2000)
    weight_kg: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=3)
    tracking_reference: str = Field("", max_length=80)


class ValidateIn(Schema):
    lines: list[QuantityLine] | None = Field(None, max_length=2000)
    date: dt.date | None = None
    backorder: bool = True
    tracking_reference: str = Field("", max_length=80)


class ReturnIn(Schema):
    lines: list[QuantityLine] | None = Field(None, max_length=2000)
    validate_now: bool = Field(False, alias="validate")


class ScanIn(Schema):
    code: str = Field(min_length=1, max_length=80)
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=20, decimal_places=4)


def _operation(request: HttpRequest, operation_id: int) -> Operation:
    return scoped(Operation.objects.select_related("company", "warehouse"), request, operation_id)


def _location_of(request: HttpRequest, location_id: int | None, field: str) -> Location | None:
    if location_id is None:
        return None
    location = scoped(Location, request).filter(pk=location_id).first()
    if location is None:
        raise ValidationFailed.on(field, f"unknown location {location_id}")
    return location


@router.get("/inventory/operations", response=list[OperationOut])
@paginate(KernCursorPagination)
def list_operations(
    request: HttpRequest,
    kind: OperationKindIn | None = None,
    status: str | None = None,
    warehouse_id: int | None = None,
    partner_id: int | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
    q: str | None = None,
):
    require_perm(request, "inventory.view_operation")
    qs = scoped(Operation, request)
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    if partner_id is not None:
        qs = qs.filter(partner_id=partner_id)
    if source_type:
        qs = qs.filter(source_type=source_type)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(origin__icontains=q))
    return qs


@router.post("/inventory/operations", response={201: OperationDetailOut})
def create_operation(request: HttpRequest, payload: OperationIn):
    """Create a stock operation. Outgoing lines are reserved when it is confirmed; with
    `validate` it is done at once (an adjustment, a scrap, a receipt booked on arrival)."""
    who = require_perm(request, "inventory.add_operation")
    warehouse = (
        scoped(Warehouse, request).filter(pk=payload.warehouse_id).first() if payload.warehouse_id else None
    )
    if payload.warehouse_id and warehouse is None:
        raise ValidationFailed.on("warehouse_id", f"unknown warehouse {payload.warehouse_id}")
    partner = None
    if payload.partner_id is not None:
        partner = scoped(Party, request).filter(pk=payload.partner_id).first()
        if partner is None:
            raise ValidationFailed.on("partner_id", f"unknown partner {payload.partner_id}")
    products = {
        p.pk: p for p in scoped(Product, request).filter(pk__in=[ln.product_id for ln in payload.lines])
    }
    lines = []
    for i, line in enumerate(payload.lines):
        if line.product_id not in products:
            raise ValidationFailed.on(f"lines.{i}.product_id", f"unknown product {line.product_id}")
        lines.append(
            services.MoveSpec(
                product=products[line.product_id],
                quantity=line.quantity,
                uom=line.uom,
                lot=line.lot,
                serials=tuple(line.serials),
                expiry_date=line.expiry_date,
                unit_cost=line.unit_cost,
                location_from=_location_of(request, line.location_from_id, f"lines.{i}.location_from_id"),
                location_to=_location_of(request, line.location_to_id, f"lines.{i}.location_to_id"),
                source_type=line.source_type,
                source_id=line.source_id,
            )
        )
    with atomic():
        operation = services.create_operation(
            who.company,
            kind=payload.kind,
            lines=lines,
            warehouse=warehouse,
            partner=partner,
            location_from=_location_of(request, payload.location_from_id, "location_from_id"),
            location_to=_location_of(request, payload.location_to_id, "location_to_id"),
            scheduled_date=payload.scheduled_date,
            origin=payload.origin,
            notes=payload.notes,
            source_type=payload.source_type,
            source_id=payload.source_id,
            confirm=payload.confirm or payload.validate_now,
            allow_partial=payload.allow_partial,
            by=who.user,
        )
        if payload.validate_now:
            services.validate_operation(operation, by=who.user)
    return Status(201, _operation(request, operation.pk))


@router.get("/inventory/operations/{operation_id}", response=OperationDetailOut)
def get_operation(request: HttpRequest, operation_id: int):
    require_perm(request, "inventory.view_operation")
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/confirm", response=OperationDetailOut)
def confirm_operation(request: HttpRequest, operation_id: int, payload: ReserveIn | None = None):
    who = require_perm(request, "inventory.change_operation")
    operation = _operation(request, operation_id)
    services.confirm_operation(
        operation, allow_partial=payload.allow_partial if payload else True, by=who.user
    )
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/reserve", response=OperationDetailOut)
def reserve_operation(request: HttpRequest, operation_id: int, payload: ReserveIn | None = None):
    who = require_perm(request, "inventory.change_operation")
    operation = _operation(request, operation_id)
    services.reserve_stock(operation, allow_partial=payload.allow_partial if payload else True, by=who.user)
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/unreserve", response=OperationDetailOut)
def unreserve_operation(request: HttpRequest, operation_id: int):
    who = require_perm(request, "inventory.change_operation")
    services.unreserve_stock(_operation(request, operation_id), by=who.user)
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/pick", response=OperationDetailOut)
def pick_operation(request: HttpRequest, operation_id: int, payload: PickIn | None = None):
    """Record what was picked; without lines, everything reserved is picked."""
    who = require_perm(request, "inventory.change_operation")
    lines = None
    if payload is not None and payload.lines is not None:
        lines = [services.PickLine(ln.move_id, ln.quantity) for ln in payload.lines]
    services.pick(_operation(request, operation_id), lines=lines, by=who.user)
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/scan", response=OperationDetailOut)
def scan_operation(request: HttpRequest, operation_id: int, payload: ScanIn):
    """A scan on the pick screen: a product (barcode or SKU), a lot or a serial number adds to
    what was picked of the matching reserved line."""
    who = require_perm(request, "inventory.change_operation")
    operation = _operation(request, operation_id)
    services.scan_pick(operation, payload.code, quantity=payload.quantity, by=who.user)
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/pack", response=OperationDetailOut)
def pack_operation(request: HttpRequest, operation_id: int, payload: PackIn | None = None):
    who = require_perm(request, "inventory.change_operation")
    payload = payload or PackIn()
    services.pack(
        _operation(request, operation_id),
        move_ids=payload.move_ids,
        weight_kg=payload.weight_kg,
        tracking_reference=payload.tracking_reference,
        by=who.user,
    )
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/validate", response=OperationDetailOut)
def validate_operation(request: HttpRequest, operation_id: int, payload: ValidateIn | None = None):
    """Mark the operation done (ship a delivery, book a receipt). Lines done in part leave a
    backorder; shipping more than reserved is refused (409)."""
    who = require_perm(request, "inventory.change_operation")
    payload = payload or ValidateIn()
    quantities = {ln.move_id: ln.quantity for ln in payload.lines} if payload.lines is not None else None
    services.validate_operation(
        _operation(request, operation_id),
        quantities=quantities,
        on=payload.date,
        backorder=payload.backorder,
        tracking_reference=payload.tracking_reference,
        by=who.user,
    )
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/cancel", response=OperationDetailOut)
def cancel_operation(request: HttpRequest, operation_id: int):
    who = require_perm(request, "inventory.change_operation")
    services.cancel_operation(_operation(request, operation_id), by=who.user)
    return _operation(request, operation_id)


@router.post("/inventory/operations/{operation_id}/return", response={201: OperationDetailOut})
def return_operation(request: HttpRequest, operation_id: int, payload: ReturnIn | None = None):
    """Return goods of a done delivery (customer return) or receipt (back to the supplier)."""
    who = require_perm(request, "inventory.add_operation")
    payload = payload or ReturnIn()
    lines = [(ln.move_id, ln.quantity) for ln in payload.lines] if payload.lines is not None else None
    returned = services.return_operation(
        _operation(request, operation_id), lines=lines, validate=payload.validate_now, by=who.user
    )
    return Status(201, _operation(request, returned.pk))


@router.get("/inventory/moves", response=list[MoveOut])
@paginate(KernCursorPagination)
def list_moves(
    request: HttpRequest,
    product_id: int | None = None,
    location_id: int | None = None,
    lot_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    source_type: str | None = None,
    source_id: int | None = None,
):
    """The move history: done moves, newest first."""
    who = require_perm(request, "inventory.view_move")
    location = scoped(Location, request).filter(pk=location_id).first() if location_id is not None else None
    if location_id is not None and location is None:
        return Move.objects.none()
    return selectors.move_history(
        who.company,
        product=product_id,
        location=location,
        lot=lot_id,
        date_from=date_from,
        date_to=date_to,
        source_type=source_type,
        source_id=source_id,
    )


# --- stock levels and reports --------------------------------------------------------------------


class StockRowOut(Schema):
    product_id: int
    sku: str
    location_id: int
    location: str
    lot: str | None
    quantity: Decimal
    reserved: Decimal
    available: Decimal

    @staticmethod
    def resolve_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_location(obj) -> str:
        return obj.location.full_name

    @staticmethod
    def resolve_lot(obj) -> str | None:
        return obj.lot.name if obj.lot_id else None


class StockLevelOut(Schema):
    product_id: int
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    incoming: Decimal
    outgoing: Decimal
    forecast: Decimal
    available_to_promise: Decimal


class ValuationRowOut(Schema):
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    value: Decimal
    unit_cost: Decimal


class ValuationOut(Schema):
    rows: list[ValuationRowOut]
    total: Decimal
    ledger_balance: Decimal
    difference: Decimal


class AgeingRowOut(Schema):
    product_id: int
    sku: str
    name: str
    quantity: Decimal
    buckets: list[Decimal]


class AgeingOut(Schema):
    brackets: list[str]
    rows: list[AgeingRowOut]


class ReplenishOut(Schema):
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
    quantity: Decimal
    order_by: dt.date


def _warehouse_filter(request: HttpRequest, warehouse_id: int | None) -> Warehouse | None:
    if warehouse_id is None:
        return None
    return scoped(Warehouse, request, warehouse_id)


@router.get("/inventory/stock", response=list[StockRowOut])
@paginate(KernCursorPagination, ordering=("id",))
def stock_report(
    request: HttpRequest,
    warehouse_id: int | None = None,
    location_id: int | None = None,
    product_id: int | None = None,
):
    """Stock on hand, reserved and available per product, location and lot."""
    who = require_perm(request, VIEW_STOCK)
    location = scoped(Location, request, location_id) if location_id is not None else None
    rows = selectors.stock_by_location(
        who.company, warehouse=_warehouse_filter(request, warehouse_id), location=location, product=product_id
    )
    return rows.order_by("id")


@router.get("/inventory/stock-levels", response=list[StockLevelOut])
def stock_levels(
    request: HttpRequest,
    product_id: list[int] = Query(..., max_length=500),
    warehouse_id: int | None = None,
    on: dt.date | None = None,
):
    """On hand, reserved, available, incoming, outgoing and available-to-promise per product."""
    who = require_perm(request, VIEW_STOCK)
    products = list(scoped(Product, request).filter(pk__in=product_id).values_list("pk", flat=True))
    warehouse = _warehouse_filter(request, warehouse_id)
    levels = selectors.stock_levels(who.company, products, warehouse=warehouse, on=on)
    atp = selectors.available_to_promise(who.company, products, warehouse=warehouse, on=on)
    return [
        {
            "product_id": pid,
            "on_hand": level.on_hand,
            "reserved": level.reserved,
            "available": level.available,
            "incoming": level.incoming,
            "outgoing": level.outgoing,
            "forecast": level.forecast,
            "available_to_promise": atp[pid],
        }
        for pid, level in sorted(levels.items())
    ]


@router.get("/inventory/valuation", response=ValuationOut)
def valuation(request: HttpRequest, product_id: int | None = None):
    """Stock value per product (perpetual), with the inventory account's balance beside it."""
    who = require_perm(request, "inventory.view_costlayer")
    rows = selectors.stock_valuation(who.company, product=product_id)
    rec = selectors.valuation_reconciliation(who.company)
    return {
        "rows": [
            {
                "product_id": r.product_id,
                "sku": r.sku,
                "name": r.name,
                "quantity": r.quantity,
                "value": r.value,
                "unit_cost": r.unit_cost,
            }
            for r in rows
        ],
        "total": rec.valuation,
        "ledger_balance": rec.ledger,
        "difference": rec.difference,
    }


@router.get("/inventory/ageing", response=AgeingOut)
def ageing(request: HttpRequest, warehouse_id: int | None = None):
    who = require_perm(request, VIEW_STOCK)
    brackets = (30, 60, 90)
    rows = selectors.stock_ageing(
        who.company, warehouse=_warehouse_filter(request, warehouse_id), brackets=brackets
    )
    return {
        "brackets": ["0-30", "31-60", "61-90", ">90"],
        "rows": [
            {
                "product_id": r.product_id,
                "sku": r.sku,
                "name": r.name,
                "quantity": r.quantity,
                "buckets": r.buckets,
            }
            for r in rows
        ],
    }


@router.get("/inventory/to-replenish", response=list[ReplenishOut])
def to_replenish(
    request: HttpRequest, warehouse_id: int | None = None, method: Literal["buy", "manufacture"] | None = None
):
    """Products below their reorder minimum, with the quantity to order."""
    who = require_perm(request, "inventory.view_reorderrule")
    return selectors.to_replenish(
        who.company, warehouse=_warehouse_filter(request, warehouse_id), method=method
    )


# --- reorder rules ---------------------------------------------------------------------------------


class ReorderRuleIn(Schema):
    warehouse_id: int
    product_id: int
    min_quantity: Decimal = Field(ge=0, max_digits=20, decimal_places=4)
    max_quantity: Decimal = Field(ge=0, max_digits=20, decimal_places=4)
    multiple: Decimal = Field(Decimal("1"), gt=0, max_digits=20, decimal_places=4)
    lead_days: int = Field(0, ge=0, le=3650)
    method: Literal["buy", "manufacture"] = "buy"
    vendor_id: int | None = None
    is_active: bool = True


class ReorderRuleOut(Schema):
    id: int
    warehouse_id: int
    product_id: int
    min_quantity: Decimal
    max_quantity: Decimal
    multiple: Decimal
    lead_days: int
    method: str
    vendor_id: int | None
    is_active: bool


@router.get("/inventory/reorder-rules", response=list[ReorderRuleOut])
@paginate(KernCursorPagination)
def list_reorder_rules(request: HttpRequest, warehouse_id: int | None = None, product_id: int | None = None):
    require_perm(request, "inventory.view_reorderrule")
    qs = scoped(ReorderRule, request)
    if warehouse_id is not None:
        qs = qs.filter(warehouse_id=warehouse_id)
    if product_id is not None:
        qs = qs.filter(product_id=product_id)
    return qs


@router.post("/inventory/reorder-rules", response={201: ReorderRuleOut})
def set_reorder_rule(request: HttpRequest, payload: ReorderRuleIn):
    """Create or replace the rule of a product in a warehouse."""
    who = require_perm(request, "inventory.add_reorderrule")
    warehouse = scoped(Warehouse, request).filter(pk=payload.warehouse_id).first()
    if warehouse is None:
        raise ValidationFailed.on("warehouse_id", f"unknown warehouse {payload.warehouse_id}")
    vendor = None
    if payload.vendor_id is not None:
        vendor = scoped(Party, request).filter(pk=payload.vendor_id).first()
        if vendor is None:
            raise ValidationFailed.on("vendor_id", f"unknown vendor {payload.vendor_id}")
    rule = services.set_reorder_rule(
        warehouse,
        _product(request, payload.product_id),
        min_quantity=payload.min_quantity,
        max_quantity=payload.max_quantity,
        multiple=payload.multiple,
        lead_days=payload.lead_days,
        method=payload.method,
        vendor=vendor,
        is_active=payload.is_active,
        by=who.user,
    )
    return Status(201, rule)


@router.delete("/inventory/reorder-rules/{reorder_rule_id}", response={204: None})
def remove_reorder_rule(request: HttpRequest, reorder_rule_id: int):
    who = require_perm(request, "inventory.delete_reorderrule")
    services.remove_reorder_rule(scoped(ReorderRule, request, reorder_rule_id), by=who.user)
    return Status(204, None)


# --- stock counts ------------------------------------------------------------------------------------


class StockCountIn(Schema):
    warehouse_id: int
    location_id: int | None = None
    product_ids: list[int] | None = Field(None, max_length=5000)


class CountLineOut(Schema):
    id: int
    location_id: int
    location: str
    product_id: int
    sku: str
    lot: str | None
    expected: Decimal
    counted: Decimal | None
    difference: Decimal | None

    @staticmethod
    def resolve_location(obj: StockCountLine) -> str:
        return obj.location.full_name

    @staticmethod
    def resolve_sku(obj: StockCountLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_lot(obj: StockCountLine) -> str | None:
        return obj.lot.name if obj.lot_id else None


class StockCountOut(Schema):
    id: int
    number: str
    status: str
    warehouse_id: int
    location_id: int
    date: dt.date
    adjustment_id: int | None


class StockCountDetailOut(StockCountOut):
    lines: list[CountLineOut]

    @staticmethod
    def resolve_lines(obj: StockCount) -> list[StockCountLine]:
        return list(obj.lines.select_related("location", "product", "lot"))


class CountLineIn(Schema):
    location_id: int
    product_id: int
    lot: str | None = Field(None, max_length=60)
    quantity: Decimal = Field(ge=0, max_digits=20, decimal_places=4)
    add: bool = False


class CountScanIn(Schema):
    code: str = Field(min_length=1, max_length=80)
    location_id: int
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=20, decimal_places=4)


def _count(request: HttpRequest, stock_count_id: int) -> StockCount:
    return scoped(
        StockCount.objects.select_related("location", "warehouse", "company"), request, stock_count_id
    )


@router.get("/inventory/stock-counts", response=list[StockCountOut])
@paginate(KernCursorPagination)
def list_stock_counts(request: HttpRequest, status: str | None = None):
    require_perm(request, "inventory.view_stockcount")
    qs = scoped(StockCount, request)
    if status:
        qs = qs.filter(status=status)
    return qs


@router.post("/inventory/stock-counts", response={201: StockCountDetailOut})
def start_stock_count(request: HttpRequest, payload: StockCountIn):
    """Open a count sheet for a location (default: the warehouse's stock) and what is below it."""
    who = require_perm(request, "inventory.add_stockcount")
    warehouse = (
        scoped(Warehouse.objects.select_related("stock_location", "company"), request)
        .filter(pk=payload.warehouse_id)
        .first()
    )
    if warehouse is None:
        raise ValidationFailed.on("warehouse_id", f"unknown warehouse {payload.warehouse_id}")
    location = _location_of(request, payload.location_id, "location_id")
    products = None
    if payload.product_ids is not None:
        products = list(scoped(Product, request).filter(pk__in=payload.product_ids))
    count = services.start_stock_count(warehouse, location=location, products=products, by=who.user)
    return Status(201, _count(request, count.pk))


@router.get("/inventory/stock-counts/{stock_count_id}", response=StockCountDetailOut)
def get_stock_count(request: HttpRequest, stock_count_id: int):
    require_perm(request, "inventory.view_stockcount")
    return _count(request, stock_count_id)


@router.post("/inventory/stock-counts/{stock_count_id}/lines", response=StockCountDetailOut)
def record_count(request: HttpRequest, stock_count_id: int, payload: CountLineIn):
    who = require_perm(request, "inventory.change_stockcount")
    count = _count(request, stock_count_id)
    location = _location_of(request, payload.location_id, "location_id")
    services.record_count(
        count,
        location=location,
        product=_product(request, payload.product_id),
        lot=payload.lot,
        quantity=payload.quantity,
        add=payload.add,
        by=who.user,
    )
    return _count(request, stock_count_id)


@router.post("/inventory/stock-counts/{stock_count_id}/scan", response=StockCountDetailOut)
def scan_count(request: HttpRequest, stock_count_id: int, payload: CountScanIn):
    who = require_perm(request, "inventory.change_stockcount")
    count = _count(request, stock_count_id)
    location = _location_of(request, payload.location_id, "location_id")
    services.scan_count(count, payload.code, location=location, quantity=payload.quantity, by=who.user)
    return _count(request, stock_count_id)


@router.post("/inventory/stock-counts/{stock_count_id}/apply", response=StockCountDetailOut)
def apply_stock_count(request: HttpRequest, stock_count_id: int):
    """Book the differences as one inventory adjustment."""
    who = require_perm(request, "inventory.change_stockcount")
    services.apply_stock_count(_count(request, stock_count_id), by=who.user)
    return _count(request, stock_count_id)


@router.post("/inventory/stock-counts/{stock_count_id}/cancel", response=StockCountDetailOut)
def cancel_stock_count(request: HttpRequest, stock_count_id: int):
    who = require_perm(request, "inventory.change_stockcount")
    services.cancel_stock_count(_count(request, stock_count_id), by=who.user)
    return _count(request, stock_count_id)


# --- scanning --------------------------------------------------------------------------------------


class ScanResultOut(Schema):
    kind: str
    product_id: int | None
    sku: str | None
    lot_id: int | None
    lot: str | None
    location_id: int | None
    location: str | None


@router.get("/inventory/scan", response=ScanResultOut)
def resolve_scan(request: HttpRequest, code: str = Query(..., min_length=1, max_length=80)):
    """What a scanned code is: a location, a product (barcode or SKU), a lot or a serial number."""
    who = require_perm(request, "inventory.view_location")
    try:
        found = selectors.resolve_code(who.company, code)
    except NotFound:
        raise UnknownCode(
            gettext("%(code)s: no product, lot, serial number or location") % {"code": code},
            errors={"code": [gettext("unknown code")]},
        ) from None
    return {
        "kind": found.kind,
        "product_id": found.product.pk if found.product else None,
        "sku": found.product.sku if found.product else None,
        "lot_id": found.lot.pk if found.lot else None,
        "lot": found.lot.name if found.lot else None,
        "location_id": found.location.pk if found.location else None,
        "location": found.location.full_name if found.location else None,
    }
