"""Turning what a caller asks for (MoveSpec lines) into moves: products, units, lots, locations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext

from kern.catalog.models import Product, ProductType, TrackingMode, Uom
from kern.catalog.selectors import convert_quantity
from kern.core import audit, context
from kern.core.db import current_unit
from kern.core.exceptions import ValidationFailed
from kern.core.models import Company
from kern.inventory.exceptions import (
    DuplicateSerial,
    InvalidQuantity,
    NotStockable,
    UnknownLot,
)
from kern.inventory.models import (
    INTERNAL_KINDS,
    Location,
    LocationKind,
    Lot,
    Move,
    MoveStatus,
    OperationKind,
    OperationStatus,
    Warehouse,
)

QTY_STEP = Decimal("0.0001")
S = OperationStatus
M = MoveStatus
K = OperationKind
# Where goods come from and go to by default, as attributes of the warehouse.
ROUTES = {
    K.RECEIPT: ("supplier_location", "stock_location"),
    K.DELIVERY: ("stock_location", "customer_location"),
    K.INTERNAL: ("stock_location", "stock_location"),
    K.CUSTOMER_RETURN: ("customer_location", "stock_location"),
    K.SUPPLIER_RETURN: ("stock_location", "supplier_location"),
    K.SCRAP: ("stock_location", "scrap_location"),
    K.ADJUSTMENT: ("adjustment_location", "stock_location"),
    K.PRODUCTION: ("production_location", "stock_location"),
}
ROUTE_FIELDS = (
    "stock_location",
    "supplier_location",
    "customer_location",
    "adjustment_location",
    "scrap_location",
    "production_location",
    "transit_location",
)
# takes them out to it.
SIGNED_KINDS = frozenset({K.ADJUSTMENT, K.PRODUCTION})


@dataclass(frozen=True)
class MoveSpec:
    """One line of an operation, as a higher app (or the API) describes it.

    `quantity` is in `uom` (the document's unit; default the product's). `unit_cost` is per `uom`
    in the company currency and values incoming goods (a receipt at its purchase price).
    `lot` names a lot (created on receipt when new; it must exist when shipping); `serials`
    gives one serial number per unit. `location_from` / `location_to` override the operation's.
    """

    product: Any
    quantity: Decimal
    uom: Any = None
    lot: Any = None
    serials: Sequence[str] = ()
    expiry_date: dt.date | None = None
    unit_cost: Decimal | None = None
    location_from: Any = None
    location_to: Any = None
    source_type: str = ""
    source_id: int | None = None
    origin_move: Any = None


@contextmanager
def _restored_on_error(instance: Any, *attnames: str) -> Iterator[None]:
    """If the block fails, put `attnames` back on the in-memory instance: the database rolled
    back, so the caller's object must not keep the status a refused transition gave it."""
    saved = {name: instance.__dict__.get(name) for name in attnames}
    snapshot = dict(instance.__dict__.get("_audit_snapshot") or {})
    try:
        yield
    except BaseException:
        instance.__dict__.update(saved)
        if snapshot:
            instance.__dict__["_audit_snapshot"] = snapshot
        raise


_FRESH_MOVES = "inventory.fresh_moves"


def _acting(by: Any):
    # Every inventory service that writes opens this: the moves cached by create_operation are
    # current only until the next inventory write, whichever it is.
    unit = current_unit()
    if unit is not None:
        unit.cache.pop(_FRESH_MOVES, None)
    return context.acting(by) if by is not None else context.acting()


def remember_fresh_moves(operation: Any, moves: list[Any], locations: dict[int, Any]) -> None:
    """The moves create_operation just wrote, for a validate in the same transaction."""
    unit = current_unit()
    if unit is not None:
        unit.cache[_FRESH_MOVES] = (operation.pk, moves, locations)


def take_fresh_moves(operation_id: int) -> tuple[list[Any], dict[int, Any]] | None:
    """The operation's moves as create_operation wrote them, if nothing touched inventory since."""
    unit = current_unit()
    if unit is None:
        return None
    hit = unit.cache.pop(_FRESH_MOVES, None)
    if hit is None or hit[0] != operation_id:
        return None
    return hit[1], hit[2]


def _user_id(by: Any) -> int | None:
    if by is not None:
        return getattr(by, "pk", by)
    return context.current().user_id


def _q(value: Decimal) -> Decimal:
    return value.quantize(QTY_STEP, rounding=ROUND_HALF_UP)


def _products(company: Company, specs: Sequence[MoveSpec]) -> dict[int, Product]:
    found: dict[int, Product] = {}
    ids = []
    for spec in specs:
        product = spec.product
        if isinstance(product, Product):
            if product.company_id != company.pk:
                raise ValidationFailed.on(
                    "product", gettext("unknown product %(product)s") % {"product": product.pk}
                )
            found[product.pk] = product
        else:
            ids.append(product)
    if ids:
        try:
            rows = Product.objects.filter(company=company, pk__in=set(ids)).select_related("category")
            found.update({p.pk: p for p in rows})
        except (ValueError, TypeError):
            raise ValidationFailed.on("product", gettext("unknown product")) from None
        missing = [pid for pid in ids if pid not in found]
        if missing:
            raise ValidationFailed.on(
                "product", gettext("unknown product %(product)s") % {"product": missing[0]}
            )
    for product in found.values():
        if product.type == ProductType.SERVICE:
            raise NotStockable(
                gettext("%(sku)s %(name)s is a service and is not kept in stock")
                % {"sku": product.sku, "name": product.name},
                errors={"product": [gettext("%(sku)s is a service") % {"sku": product.sku}]},
            )
    return found


def _product_of(spec: MoveSpec, products: dict[int, Product]) -> Product:
    return products[spec.product.pk if isinstance(spec.product, Product) else spec.product]


def _uoms(specs: Sequence[MoveSpec], products: dict[int, Product]) -> dict[Any, Uom]:
    """Units named by the specs and the products' units where a conversion is needed."""
    codes: set[str] = set()
    ids: set[int] = set()
    cache: dict[Any, Uom] = {}
    for spec in specs:
        product = _product_of(spec, products)
        uom = spec.uom
        if uom is None:
            continue
        if isinstance(uom, Uom):
            cache[uom.pk] = cache[uom.code] = uom
            if uom.pk != product.uom_id:
                ids.add(product.uom_id)
        else:
            codes.add(str(uom))
            ids.add(product.uom_id)
    ids -= {k for k in cache if isinstance(k, int)}
    if codes or ids:
        for uom in Uom.objects.filter(Q(code__in=codes) | Q(pk__in=ids)).select_related("category"):
            cache[uom.pk] = cache[uom.code] = uom
    for code in codes:
        if code not in cache:
            raise ValidationFailed.on("uom", gettext("unknown unit %(unit)s") % {"unit": repr(code)})
    return cache


def _to_product_quantity(
    spec: MoveSpec, product: Product, uoms: dict[Any, Uom], signed: bool
) -> tuple[Decimal, Uom | int, Decimal]:
    """(quantity in the product's unit, document unit, quantity in the document unit)."""
    quantity = spec.quantity
    if not isinstance(quantity, Decimal):
        try:
            quantity = Decimal(str(quantity))
        except Exception:
            raise InvalidQuantity(product, quantity, reason="is not a number") from None
    if not quantity.is_finite() or (quantity <= 0 and not signed) or quantity == 0:
        raise InvalidQuantity(product, quantity)
    magnitude = abs(quantity)
    if spec.uom is None:
        return magnitude, product.uom_id, magnitude
    uom = spec.uom if isinstance(spec.uom, Uom) else uoms[str(spec.uom)]
    if uom.pk == product.uom_id:
        return magnitude, uom, magnitude
    converted = convert_quantity(magnitude, uom, uoms[product.uom_id], round_result=False)
    converted = _q(converted)
    if converted <= 0:
        raise InvalidQuantity(
            product,
            quantity,
            reason=gettext("%(unit)s is less than one %(product_unit)s")
            % {"unit": uom.code, "product_unit": uoms[product.uom_id].code},
        )
    return converted, uom, magnitude


def _location(company: Company, value: Any, field_name: str) -> Location:
    if isinstance(value, Location):
        if value.company_id != company.pk:
            raise ValidationFailed.on(field_name, gettext("unknown location"))
        return value
    found = Location.objects.filter(company=company, pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise ValidationFailed.on(field_name, gettext("unknown location %(location)s") % {"location": value})
    return found


def _lots_for(
    company: Company, product: Product, names: Iterable[str], *, create: bool, expiry: dt.date | None = None
) -> dict[str, Lot]:
    names = [str(n).strip() for n in names]
    if any(not n for n in names):
        raise UnknownLot(
            gettext("%(sku)s: an empty lot number") % {"sku": product.sku},
            errors={"lot": [gettext("lot number is empty")]},
        )
    found = {lot.name: lot for lot in Lot.objects.filter(company=company, product=product, name__in=names)}
    missing = [n for n in dict.fromkeys(names) if n not in found]
    if missing and not create:
        raise UnknownLot(
            gettext("%(sku)s: unknown lot or serial number %(lot)s")
            % {"sku": product.sku, "lot": missing[0]},
            errors={
                "lot": [gettext("unknown lot %(lot)s of %(sku)s") % {"sku": product.sku, "lot": missing[0]}]
            },
        )
    if missing:
        new = [Lot(company=company, product=product, name=n, expiry_date=expiry) for n in missing]
        Lot.objects.bulk_create(new)
        audit.record_created(new)
        found.update({lot.name: lot for lot in new})
    return found


def _route(kind: str, warehouse: Warehouse) -> tuple[int, int]:
    src, dst = ROUTES[kind]
    return getattr(warehouse, f"{src}_id"), getattr(warehouse, f"{dst}_id")


def _build_moves(
    company: Company,
    kind: str,
    warehouse: Warehouse,
    specs: Sequence[MoveSpec],
    location_from: Location | None,
    location_to: Location | None,
    origin_moves: dict[int, Move],
) -> tuple[list[Move], dict[int, Location]]:
    """Unsaved moves for the specs (one per serial for serial-tracked goods), and the locations
    they reference that were loaded."""
    products = _products(company, specs)
    uoms = _uoms(specs, products)
    signed = kind in SIGNED_KINDS
    default_from, default_to = _route(kind, warehouse)
    op_from = location_from.pk if location_from else default_from
    op_to = location_to.pk if location_to else default_to
    locations: dict[int, Location] = {}
    if location_from:
        locations[location_from.pk] = location_from
    if location_to:
        locations[location_to.pk] = location_to
    moves: list[Move] = []
    for i, spec in enumerate(specs):
        product = _product_of(spec, products)
        quantity, uom, uom_quantity = _to_product_quantity(spec, product, uoms, signed)
        negative = signed and spec.quantity < 0
        if signed:
            # In: virtual → the line's (or the warehouse's) stock location; out: the reverse.
            inner = spec.location_to or spec.location_from
            inner_id = (
                _location(company, inner, "location").pk
                if inner is not None
                else (location_to.pk if location_to else default_to)
            )
            if inner is not None:
                locations[inner_id] = _location(company, inner, "location")
            virtual = location_from.pk if location_from else default_from
            src, dst = (inner_id, virtual) if negative else (virtual, inner_id)
        else:
            src, dst = op_from, op_to
            if spec.location_from is not None:
                loc = _location(company, spec.location_from, f"lines.{i}.location_from")
                locations[loc.pk] = loc
                src = loc.pk
            if spec.location_to is not None:
                loc = _location(company, spec.location_to, f"lines.{i}.location_to")
                locations[loc.pk] = loc
                dst = loc.pk
        if src == dst:
            raise ValidationFailed.on("location_to", gettext("goods must move to another location"))
        unit_cost = None
        if spec.unit_cost is not None:
            cost = Decimal(spec.unit_cost)
            if cost < 0:
                raise ValidationFailed.on(f"lines.{i}.unit_cost", gettext("a unit cost cannot be negative"))
            # Per document unit → per product unit.
            unit_cost = (cost * uom_quantity / quantity).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        origin = None
        if spec.origin_move is not None:
            origin = (
                spec.origin_move
                if isinstance(spec.origin_move, Move)
                else origin_moves.get(int(spec.origin_move))
            )
            if origin is None or origin.company_id != company.pk or origin.product_id != product.pk:
                raise ValidationFailed.on(f"lines.{i}.origin_move", gettext("unknown move of this product"))
        base = {
            "company_id": company.pk,
            "product": product,
            "location_from_id": src,
            "location_to_id": dst,
            "uom_id": uom.pk if isinstance(uom, Uom) else uom,
            "source_type": spec.source_type or "",
            "source_id": spec.source_id,
            "unit_cost": unit_cost,
            "origin_move": origin,
            "status": M.DRAFT,
        }
        lot_names: list[str] = []
        if spec.serials:
            if product.tracking != TrackingMode.SERIAL:
                raise ValidationFailed.on(
                    f"lines.{i}.serials",
                    gettext("%(sku)s is not tracked by serial number") % {"sku": product.sku},
                )
            lot_names = [str(s).strip() for s in spec.serials]
            if len(lot_names) != quantity or len(set(lot_names)) != len(lot_names):
                raise DuplicateSerial(
                    gettext("%(sku)s: %(distinct)s distinct serial numbers for %(quantity)s units")
                    % {"sku": product.sku, "distinct": len(set(lot_names)), "quantity": quantity},
                    errors={f"lines.{i}.serials": [gettext("give one distinct serial number per unit")]},
                )
        elif spec.lot is not None and spec.lot != "":
            if product.tracking == TrackingMode.NONE:
                raise ValidationFailed.on(
                    f"lines.{i}.lot", gettext("%(sku)s is not tracked by lot") % {"sku": product.sku}
                )
            if isinstance(spec.lot, Lot):
                if spec.lot.product_id != product.pk:
                    raise UnknownLot(
                        gettext("lot %(lot)s is not a lot of %(sku)s")
                        % {"lot": spec.lot, "sku": product.sku},
                        errors={"lot": [gettext("wrong product")]},
                    )
                base["lot"] = spec.lot
            else:
                lot_names = [str(spec.lot)]
        if lot_names:
            incoming = kind in (K.RECEIPT, K.CUSTOMER_RETURN) or (signed and not negative)
            lots = _lots_for(company, product, lot_names, create=incoming, expiry=spec.expiry_date)
            if product.tracking == TrackingMode.SERIAL and len(lot_names) > 1:
                per = _q(uom_quantity / quantity)
                for name in lot_names:
                    moves.append(Move(**base, lot=lots[name], quantity=Decimal(1), uom_quantity=per))
                continue
            base["lot"] = lots[lot_names[0]]
        moves.append(Move(**base, quantity=quantity, uom_quantity=uom_quantity))
    return moves, locations


def _holds_stock(location_id: int, locations: dict[int, Location]) -> bool:
    loc = locations.get(location_id)
    return loc is not None and loc.kind in INTERNAL_KINDS


def _load_locations(ids: Iterable[int], known: dict[int, Location]) -> dict[int, Location]:
    missing = {i for i in ids if i not in known}
    if missing:
        known.update({loc.pk: loc for loc in Location.objects.filter(pk__in=missing)})
    return known


def _split(move: Move, quantity: Decimal) -> Move:
    """A copy of `move` for `quantity` of it (the document-unit quantity in proportion)."""
    clone = Move(
        company_id=move.company_id,
        operation_id=move.operation_id,
        product=move.product,
        lot_id=move.lot_id,
        location_from_id=move.location_from_id,
        location_to_id=move.location_to_id,
        quantity=quantity,
        uom_id=move.uom_id,
        uom_quantity=quantity
        if move.uom_quantity == move.quantity
        else _q(move.uom_quantity * quantity / move.quantity),
        status=move.status,
        quant_id=move.quant_id,
        source_type=move.source_type,
        source_id=move.source_id,
        origin_move_id=move.origin_move_id,
        unit_cost=move.unit_cost,
    )
    return clone


def _set_quantity_from(move: Move, original: Decimal, quantity: Decimal) -> None:
    if move.uom_quantity != original:
        move.uom_quantity = _q(move.uom_quantity * quantity / original)
    else:
        move.uom_quantity = quantity
    move.quantity = quantity


def _status_of(moves: Iterable[Move]) -> str:
    live = [m for m in moves if m.status not in (M.DONE, M.CANCELLED)]
    if not live:
        return S.DONE
    if all(m.status == M.RESERVED for m in live):
        return S.READY
    return S.WAITING


def _check_locations(moves: list[Move], locations: dict[int, Location], warehouse: Warehouse) -> None:
    for move in moves:
        for loc_id in (move.location_from_id, move.location_to_id):
            loc = locations[loc_id]
            if loc.kind == LocationKind.VIEW:
                raise ValidationFailed.on(
                    "location",
                    gettext("%(location)s is a view: goods cannot be kept there") % {"location": loc},
                )
            if loc.warehouse_id is not None and loc.warehouse_id != warehouse.pk:
                raise ValidationFailed.on(
                    "location",
                    gettext("%(location)s is not in warehouse %(warehouse)s")
                    % {"location": loc, "warehouse": warehouse.code},
                )
