"""Master data of the warehouse: default locations, warehouses, the location tree, lots, reorder rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.utils.translation import gettext as _

from kern.catalog.models import Product, ProductType, TrackingMode
from kern.core import audit, context
from kern.core.db import atomic
from kern.core.exceptions import Conflict, ValidationFailed
from kern.core.models import Company
from kern.core.services import validated
from kern.inventory.models import (
    INTERNAL_KINDS,
    Location,
    LocationKind,
    Lot,
    Quant,
    ReorderRule,
    ReplenishMethod,
    Warehouse,
)
from kern.parties.models import Party

__all__ = [
    "create_location",
    "create_lot",
    "create_warehouse",
    "install_defaults",
    "remove_reorder_rule",
    "set_reorder_rule",
    "update_location",
    "update_warehouse",
]

# The company's virtual locations: (kind, parent view, name).
VIRTUAL_LOCATIONS = [
    (LocationKind.SUPPLIER, "Partners", "Suppliers"),
    (LocationKind.CUSTOMER, "Partners", "Customers"),
    (LocationKind.PRODUCTION, "Virtual", "Production"),
    (LocationKind.ADJUSTMENT, "Virtual", "Inventory adjustment"),
    (LocationKind.SCRAP, "Virtual", "Scrap"),
    (LocationKind.TRANSIT, "Virtual", "Transit"),
]
WAREHOUSE_FIELDS = {"code", "name", "allow_negative_stock", "street", "postcode", "city", "is_active"}


def _acting(by: Any):
    return context.acting(by) if by is not None else context.acting()


def _virtual_locations(company: Company) -> dict[str, Location]:
    """The company's virtual locations by kind, created the first time they are needed."""
    found = {
        loc.kind: loc
        for loc in Location.objects.filter(
            company=company, warehouse__isnull=True, kind__in=[k for k, _p, _n in VIRTUAL_LOCATIONS]
        ).order_by("-id")
    }
    missing = [row for row in VIRTUAL_LOCATIONS if row[0] not in found]
    if not missing:
        return found
    views = {
        loc.name: loc
        for loc in Location.objects.filter(
            company=company, warehouse__isnull=True, parent__isnull=True, kind=LocationKind.VIEW
        )
    }
    new_views = [
        Location(company=company, name=name, full_name=name, kind=LocationKind.VIEW, path="/")
        for name in sorted({parent for _k, parent, _n in missing} - set(views))
    ]
    if new_views:
        Location.objects.bulk_create(new_views)
        audit.record_created(new_views)
        views.update({loc.name: loc for loc in new_views})
    children = []
    for kind, parent, name in missing:
        view = views[parent]
        children.append(
            Location(
                company=company,
                parent=view,
                name=name,
                full_name=f"{view.full_name}/{name}",
                kind=kind,
                path=f"{view.path}{view.pk}/",
            )
        )
    Location.objects.bulk_create(children)
    audit.record_created(children)
    found.update({loc.kind: loc for loc in children})
    return found


def install_defaults(company: Company) -> Warehouse:
    """Give a company its virtual locations and a main warehouse (idempotent); returns the first
    active warehouse. Runs when a company is created (core.company_created)."""
    with atomic():
        _virtual_locations(company)
        warehouse = Warehouse.objects.filter(company=company, is_active=True).order_by("id").first()
        if warehouse is None:
            warehouse = create_warehouse(company, code="WH", name=_("Main warehouse"))
    return warehouse


def create_warehouse(
    company: Company,
    *,
    code: str,
    name: str,
    allow_negative_stock: bool = False,
    by: Any = None,
    **address: Any,
) -> Warehouse:
    """A warehouse with its root view location and its stock location (WH, WH/Stock)."""
    unknown = set(address) - {"street", "postcode", "city"}
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], _("unknown field"))
    code = (code or "").strip().upper()
    warehouse = Warehouse(
        company=company,
        code=code,
        name=(name or "").strip(),
        allow_negative_stock=allow_negative_stock,
        **address,
    )
    if Warehouse.objects.filter(company=company, code=code).exists():
        raise ValidationFailed.on("code", _("a warehouse with code %(code)s exists") % {"code": code})
    validated(warehouse, exclude=["view_location", "stock_location"])
    with atomic(), _acting(by):
        virtual = _virtual_locations(company)
        warehouse.save()
        root = Location.objects.create(
            company=company, warehouse=warehouse, name=code, full_name=code, kind=LocationKind.VIEW, path="/"
        )
        stock = Location.objects.create(
            company=company,
            warehouse=warehouse,
            parent=root,
            name="Stock",
            full_name=f"{code}/Stock",
            kind=LocationKind.INTERNAL,
            path=f"/{root.pk}/",
        )
        warehouse.view_location = root
        warehouse.stock_location = stock
        warehouse.supplier_location = virtual[LocationKind.SUPPLIER]
        warehouse.customer_location = virtual[LocationKind.CUSTOMER]
        warehouse.adjustment_location = virtual[LocationKind.ADJUSTMENT]
        warehouse.scrap_location = virtual[LocationKind.SCRAP]
        warehouse.production_location = virtual[LocationKind.PRODUCTION]
        warehouse.transit_location = virtual[LocationKind.TRANSIT]
        warehouse.save()
    return warehouse


def update_warehouse(warehouse: Warehouse, *, by: Any = None, **fields: Any) -> Warehouse:
    unknown = set(fields) - WAREHOUSE_FIELDS
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], _("unknown field"))
    if "code" in fields:
        fields["code"] = str(fields["code"]).strip().upper()
        if (
            Warehouse.objects.filter(company_id=warehouse.company_id, code=fields["code"])
            .exclude(pk=warehouse.pk)
            .exists()
        ):
            raise ValidationFailed.on(
                "code", _("a warehouse with code %(code)s exists") % {"code": fields["code"]}
            )
    negative_before = warehouse.allow_negative_stock
    for name, value in fields.items():
        setattr(warehouse, name, value)
    validated(warehouse)
    with atomic(), _acting(by):
        warehouse.save()
        if warehouse.allow_negative_stock != negative_before:
            quants = Quant.objects.filter(location__warehouse=warehouse).exclude(
                product__type=ProductType.CONSUMABLE
            )
            if not warehouse.allow_negative_stock:
                short = quants.filter(quantity__lt=0).select_related("product").first()
                if short is not None:
                    raise Conflict(
                        _(
                            "%(sku)s is below zero (%(quantity)s) in this warehouse: "
                            "book the missing stock before refusing negative stock"
                        )
                        % {"sku": short.product.sku, "quantity": short.quantity},
                        code="negative_stock_exists",
                    )
            quants.update(negative_allowed=warehouse.allow_negative_stock)
    return warehouse


def create_location(
    parent: Location, *, name: str, kind: str = LocationKind.INTERNAL, barcode: str = "", by: Any = None
) -> Location:
    """A zone, aisle or bin under `parent` (in the same warehouse)."""
    name = (name or "").strip()
    if "/" in name:
        raise ValidationFailed.on("name", _("a location name cannot contain '/'"))
    if parent.kind not in (LocationKind.VIEW, *INTERNAL_KINDS):
        raise ValidationFailed.on(
            "parent", _("%(location)s cannot have sub-locations") % {"location": parent}
        )
    if parent.warehouse_id and kind not in (LocationKind.VIEW, LocationKind.INTERNAL):
        raise ValidationFailed.on("kind", _("a warehouse location is internal or a view"))
    location = Location(
        company_id=parent.company_id,
        warehouse_id=parent.warehouse_id,
        parent=parent,
        name=name,
        full_name=f"{parent.full_name}/{name}",
        kind=kind,
        barcode=(barcode or "").strip(),
        path=f"{parent.path}{parent.pk}/",
    )
    _check_unique_location(location)
    validated(location)
    with atomic(), _acting(by):
        location.save()
    return location


def _check_unique_location(location: Location) -> None:
    siblings = Location.objects.filter(company_id=location.company_id, full_name=location.full_name)
    if siblings.exclude(pk=location.pk).exists():
        raise ValidationFailed.on("name", _("%(location)s exists") % {"location": location.full_name})
    if location.barcode:
        taken = Location.objects.filter(company_id=location.company_id, barcode=location.barcode)
        if taken.exclude(pk=location.pk).exists():
            raise ValidationFailed.on(
                "barcode", _("barcode %(barcode)s is in use") % {"barcode": location.barcode}
            )


def update_location(location: Location, *, by: Any = None, **fields: Any) -> Location:
    unknown = set(fields) - {"name", "barcode", "is_active"}
    if unknown:
        raise ValidationFailed.on(sorted(unknown)[0], _("unknown field"))
    old_full = location.full_name
    if "name" in fields:
        name = str(fields["name"]).strip()
        if "/" in name:
            raise ValidationFailed.on("name", _("a location name cannot contain '/'"))
        location.name = name
        location.full_name = f"{location.parent.full_name}/{name}" if location.parent_id else name
    if "barcode" in fields:
        location.barcode = str(fields["barcode"] or "").strip()
    if "is_active" in fields:
        location.is_active = bool(fields["is_active"])
        if not location.is_active and Quant.objects.filter(location=location).exclude(quantity=0).exists():
            raise Conflict(
                _("%(location)s still holds stock") % {"location": location}, code="location_not_empty"
            )
    _check_unique_location(location)
    validated(location)
    with atomic(), _acting(by):
        location.save()
        if location.full_name != old_full:
            for child in Location.objects.filter(path__startswith=f"{location.path}{location.pk}/"):
                child.full_name = location.full_name + child.full_name[len(old_full) :]
                child.save(update_fields=["full_name"])
    return location


def create_lot(
    product: Product, *, name: str, expiry_date: dt.date | None = None, notes: str = "", by: Any = None
) -> Lot:
    name = (name or "").strip()
    if product.tracking == TrackingMode.NONE:
        raise ValidationFailed.on(
            "product", _("%(sku)s is not tracked by lot or serial number") % {"sku": product.sku}
        )
    lot = Lot(company_id=product.company_id, product=product, name=name, expiry_date=expiry_date, notes=notes)
    if Lot.objects.filter(company_id=product.company_id, product=product, name=name).exists():
        raise ValidationFailed.on(
            "name", _("%(sku)s already has lot %(lot)s") % {"sku": product.sku, "lot": name}
        )
    validated(lot)
    with atomic(), _acting(by):
        lot.save()
    return lot


def set_reorder_rule(
    warehouse: Warehouse,
    product: Product,
    *,
    min_quantity: Decimal,
    max_quantity: Decimal,
    multiple: Decimal = Decimal("1"),
    lead_days: int = 0,
    method: str = ReplenishMethod.BUY,
    vendor: Party | None = None,
    is_active: bool = True,
    by: Any = None,
) -> ReorderRule:
    """Create or replace the rule of `product` in `warehouse`."""
    if product.company_id != warehouse.company_id:
        raise ValidationFailed.on("product", _("unknown product"))
    if product.type == ProductType.SERVICE:
        raise ValidationFailed.on(
            "product", _("%(sku)s is a service and is not kept in stock") % {"sku": product.sku}
        )
    if vendor is not None and vendor.company_id != warehouse.company_id:
        raise ValidationFailed.on("vendor", _("unknown vendor"))
    if max_quantity < min_quantity:
        raise ValidationFailed.on("max_quantity", _("the maximum must not be below the minimum"))
    with atomic(), _acting(by):
        rule = ReorderRule.objects.filter(warehouse=warehouse, product=product).first() or ReorderRule(
            company_id=warehouse.company_id, warehouse=warehouse, product=product
        )
        rule.min_quantity = min_quantity
        rule.max_quantity = max_quantity
        rule.multiple = multiple
        rule.lead_days = lead_days
        rule.method = method
        rule.vendor = vendor
        rule.is_active = is_active
        validated(rule)
        try:
            rule.save()
        except IntegrityError:
            raise Conflict(_("the rule was changed by someone else; try again")) from None
    return rule


def remove_reorder_rule(rule: ReorderRule, *, by: Any = None) -> None:
    with atomic(), _acting(by):
        rule.delete()
