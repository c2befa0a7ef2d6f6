"""Demo data, inventory part: two warehouses with a bin layout, opening stock for every stocked
product (valued, so the valuation reconciles to the ledger), lots with expiry dates, reorder
rules with a few products below their minimum, and operations in every state.

Idempotent: it does nothing once the opening adjustment exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kern.catalog.models import Product, ProductType, TrackingMode
from kern.inventory import selectors, services
from kern.inventory.models import Location, LocationKind, Operation, Warehouse
from kern.inventory.services import MoveSpec, PickLine
from kern.parties.models import Party

OPENING = "DEMO-OPENING"
D = Decimal


def _day(days_ago: int) -> dt.date:
    """A date in the past, but never before this year's 1 January (the open fiscal year)."""
    today = timezone.localdate()
    return max(today - dt.timedelta(days=days_ago), today.replace(month=1, day=1))


def _layout(warehouse: Warehouse) -> list[Location]:
    """Zones A and B, two aisles each, three bins per aisle: WH/Stock/A/01/01 …"""
    bins = []
    for zone in ("A", "B"):
        z = services.create_location(warehouse.stock_location, name=zone, kind=LocationKind.VIEW)
        for aisle in ("01", "02"):
            a = services.create_location(z, name=aisle, kind=LocationKind.VIEW)
            for n in ("01", "02", "03"):
                code = f"{warehouse.code}-{zone}{aisle}{n}"
                bins.append(services.create_location(a, name=n, barcode=code))
    return bins


def load_inventory(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx["company"]
    if Operation.objects.filter(company=company, origin=OPENING).exists():
        return
    warehouse = services.install_defaults(company)
    warehouse = Warehouse.objects.select_related(*selectors.ROUTE_FIELDS).get(pk=warehouse.pk)
    if warehouse.name != "Amsterdam":
        services.update_warehouse(warehouse, name="Amsterdam")
    bins = _layout(warehouse)
    rotterdam = services.create_warehouse(
        company, code="RTM", name="Rotterdam", street="Waalhaven 12", postcode="3089 JH", city="Rotterdam"
    )
    products = list(Product.objects.for_company(company).filter(type=ProductType.STOCKED).order_by("sku"))
    vendors = list(Party.objects.for_company(company).filter(is_vendor=True).order_by("number"))
    customers = list(Party.objects.for_company(company).filter(is_customer=True).order_by("number"))
    if not products:
        return

    # Opening stock: one valued adjustment; tracked goods arrive in two lots with expiry dates.
    lines = []
    for i, product in enumerate(products):
        quantity = D(20 + (i * 37) % 180)
        cost = product.cost or D("1")
        where = bins[i % len(bins)]
        if product.tracking == TrackingMode.LOT:
            year = timezone.localdate().year
            half = (quantity / 2).quantize(D("1"))
            lines.append(
                MoveSpec(
                    product,
                    half,
                    unit_cost=cost,
                    location_to=where,
                    lot=f"{product.sku}-{year}-A",
                    expiry_date=dt.date(year + 1, 3, 31),
                )
            )
            lines.append(
                MoveSpec(
                    product,
                    quantity - half,
                    unit_cost=cost,
                    location_to=where,
                    lot=f"{product.sku}-{year}-B",
                    expiry_date=dt.date(year + 1, 9, 30),
                )
            )
        elif product.tracking == TrackingMode.SERIAL:
            lines.append(
                MoveSpec(
                    product,
                    D(3),
                    unit_cost=cost,
                    location_to=where,
                    serials=[f"{product.sku}-SN{n:04d}" for n in range(1, 4)],
                )
            )
        else:
            lines.append(MoveSpec(product, quantity, unit_cost=cost, location_to=where))
    opening = services.create_operation(
        company,
        kind="adjustment",
        lines=lines,
        warehouse=warehouse,
        origin=OPENING,
        scheduled_date=_day(120),
        notes="Opening stock",
    )
    services.validate_operation(opening, on=_day(120))
    if progress:
        progress(1, 4)

    # Receipts over the last months (for the ageing report), one into Rotterdam.
    vendor = vendors[0] if vendors else None
    for k, days in enumerate((75, 40, 10)):
        product = products[(k * 7) % len(products)]
        if product.tracking != TrackingMode.NONE:
            product = next(p for p in products if p.tracking == TrackingMode.NONE)
        services.receive(
            company,
            lines=[MoveSpec(product, D(24), unit_cost=(product.cost or D(1)) * D("1.05"))],
            partner=vendor,
            warehouse=warehouse,
            on=_day(days),
        )
    plain = [p for p in products if p.tracking == TrackingMode.NONE]
    services.receive(
        company,
        lines=[MoveSpec(plain[1], D(40), unit_cost=plain[1].cost)],
        partner=vendor,
        warehouse=rotterdam,
        on=_day(20),
    )
    if progress:
        progress(2, 4)

    # Reorder rules: most products comfortably stocked, a few below their minimum.
    for i, product in enumerate(plain[:12]):
        on_hand = selectors.on_hand(product, warehouse=warehouse)
        minimum = on_hand + D(10) if i % 4 == 0 else D(10)
        services.set_reorder_rule(
            warehouse,
            product,
            min_quantity=minimum,
            max_quantity=minimum * 3,
            multiple=D(6),
            lead_days=5,
            vendor=vendor,
        )

    # Operations in every state.
    customer = customers[0] if customers else None
    other = customers[1] if len(customers) > 1 else customer
    done = services.create_delivery(
        company,
        lines=[MoveSpec(plain[2], D(3)), MoveSpec(plain[3], D(2))],
        partner=customer,
        warehouse=warehouse,
    )
    services.ship_delivery(done, on=_day(5), tracking_reference="3SKERN0001")
    services.return_operation(done, lines=[(done.moves.order_by("id").first(), D(1))], validate=True)
    services.create_delivery(
        company,
        lines=[MoveSpec(plain[4], D(5)), MoveSpec(plain[5], D(1))],
        partner=other,
        warehouse=warehouse,
    )
    picked = services.create_delivery(
        company, lines=[MoveSpec(plain[6], D(4))], partner=customer, warehouse=warehouse
    )
    services.pick(picked, lines=[PickLine(picked.moves.get().pk, D(4))])
    packed = services.create_delivery(
        company, lines=[MoveSpec(plain[7], D(2))], partner=other, warehouse=warehouse
    )
    services.pick(packed)
    services.pack(packed, weight_kg=D("7.5"))
    short = plain[8]
    available = selectors.stock_levels(company, [short], warehouse=warehouse)[short.pk].available
    services.create_delivery(
        company,
        lines=[MoveSpec(short, available + D(5))],
        partner=customer,
        warehouse=warehouse,
        allow_partial=True,
    )
    cancelled = services.create_delivery(
        company, lines=[MoveSpec(plain[9], D(1))], partner=other, warehouse=warehouse
    )
    services.cancel_operation(cancelled)
    services.receive(
        company,
        lines=[MoveSpec(plain[10], D(30), unit_cost=plain[10].cost)],
        partner=vendor,
        warehouse=warehouse,
        validate=False,
    )
    services.create_operation(
        company,
        kind="internal",
        lines=[MoveSpec(plain[11], D(2))],
        warehouse=warehouse,
        location_from=bins[11 % len(bins)],
        location_to=bins[0],
        confirm=False,
    )
    services.scrap_stock(
        company, lines=[MoveSpec(plain[12 % len(plain)], D(1))], warehouse=warehouse, reason="Transportschade"
    )
    services.transfer_stock(
        company,
        lines=[MoveSpec(plain[1], D(5))],
        location_from=rotterdam.stock_location,
        location_to=warehouse.transit_location,
        warehouse=rotterdam,
    )
    if progress:
        progress(3, 4)

    # A count in progress in one zone, half counted.
    zone_a = Location.objects.get(company=company, full_name=f"{warehouse.code}/Stock/A")
    count = services.start_stock_count(warehouse, location=zone_a)
    for line in list(count.lines.select_related("product", "location", "lot"))[::2]:
        services.record_count(
            count, location=line.location, product=line.product, lot=line.lot, quantity=line.expected
        )
    if progress:
        progress(4, 4)
