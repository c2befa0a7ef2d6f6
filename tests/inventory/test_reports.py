"""Reports: stock per location, available to promise, ageing, lot trace, to replenish."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from kern.core.exceptions import NotFound
from kern.inventory import selectors, services
from kern.inventory.models import Move
from kern.inventory.services import MoveSpec
from tests.builders import a_customer, a_product, in_stock

D = Decimal


@pytest.mark.django_db
def test_stock_per_location_and_available_to_promise(company, wh, customer, vendor, chair):
    bin_a = services.create_location(wh.stock_location, name="A")
    in_stock(chair, 6, location=bin_a)
    in_stock(chair, 4)
    services.create_delivery(company, lines=[MoveSpec(chair, D("3"))], partner=customer)
    services.create_delivery(company, lines=[MoveSpec(chair, D("9"))], partner=customer, allow_partial=True)
    services.receive(company, lines=[MoveSpec(chair, D("5"))], partner=vendor, validate=False)
    rows = [
        (r.location.full_name, r.quantity, r.reserved, r.available)
        for r in selectors.stock_by_location(company, product=chair)
    ]
    assert rows == [("WH/Stock", D("4"), D("4"), D("0")), ("WH/Stock/A", D("6"), D("6"), D("0"))]
    level = selectors.stock_levels(company, [chair])[chair.pk]
    assert (level.on_hand, level.reserved, level.incoming, level.outgoing, level.forecast) == (
        D("10"),
        D("10"),
        D("5"),
        D("2"),
        D("3"),
    )
    assert selectors.available_to_promise(company, [chair]) == {chair.pk: D("-2")}
    assert selectors.available_to_promise(company, [chair], on=timezone.localdate()) == {chair.pk: D("3")}
    assert selectors.stock_by_location(company, location=bin_a).count() == 1


@pytest.mark.django_db
def test_ageing_matches_stock_to_the_latest_arrivals(company, vendor, chair):
    today = timezone.localdate()
    services.receive(
        company,
        lines=[MoveSpec(chair, D("5"), unit_cost=D("1"))],
        partner=vendor,
        on=today - dt.timedelta(days=100),
    )
    services.receive(
        company,
        lines=[MoveSpec(chair, D("3"), unit_cost=D("1"))],
        partner=vendor,
        on=today - dt.timedelta(days=45),
    )
    services.receive(company, lines=[MoveSpec(chair, D("2"), unit_cost=D("1"))], partner=vendor, on=today)
    services.scrap_stock(company, lines=[MoveSpec(chair, D("4"))])
    (row,) = selectors.stock_ageing(company)
    assert (row.sku, row.quantity, row.buckets) == ("CHAIR", D("6"), [D("2"), D("3"), D("0"), D("1")])


@pytest.mark.django_db
def test_a_lot_is_traced_to_its_supplier_and_its_customers(company, vendor):
    wine = a_product(company, "WINE", tracking="lot")
    services.receive(
        company,
        lines=[MoveSpec(wine, D("10"), lot="L1", source_type="shop.poline", source_id=5)],
        partner=vendor,
        source_type="shop.po",
        source_id=1,
    )
    first, second = a_customer(company, "Café Noord"), a_customer(company, "Café Zuid")
    for customer, n in ((first, 4), (second, 3)):
        services.ship_delivery(
            services.create_delivery(company, lines=[MoveSpec(wine, D(n))], partner=customer)
        )
    lot = wine.lots.get()
    trace = selectors.lot_trace(lot)
    assert [(s.kind, s.partner, s.quantity, s.source_id) for s in trace["upstream"]] == [
        ("receipt", vendor.name, D("10"), 5)
    ]
    assert [(s.kind, s.partner, s.quantity) for s in trace["downstream"]] == [
        ("delivery", "Café Noord", D("4")),
        ("delivery", "Café Zuid", D("3")),
    ]
    assert selectors.move_history(company, lot=lot).count() == 3


@pytest.mark.django_db
def test_to_replenish_lists_rules_below_their_minimum(company, wh, vendor, customer, chair, desk):
    services.set_reorder_rule(
        wh, chair, min_quantity=D("5"), max_quantity=D("20"), multiple=D("6"), vendor=vendor
    )
    services.set_reorder_rule(wh, desk, min_quantity=D("1"), max_quantity=D("4"), method="manufacture")
    in_stock(chair, 6)
    in_stock(desk, 3)
    services.create_delivery(company, lines=[MoveSpec(chair, D("3"))], partner=customer)
    (suggestion,) = selectors.to_replenish(company)
    # forecast 6 − 3 = 3 < 5: order up to 20 → 17, in multiples of 6 → 18
    assert (
        suggestion.sku,
        suggestion.forecast,
        suggestion.quantity,
        suggestion.vendor_id,
        suggestion.method,
    ) == ("CHAIR", D("3"), D("18"), vendor.pk, "buy")
    services.receive(company, lines=[MoveSpec(chair, D("18"))], partner=vendor, validate=False)
    assert selectors.to_replenish(company) == []
    assert selectors.to_replenish(company, method="manufacture") == []


@pytest.mark.django_db
def test_codes_resolve_to_locations_products_and_lots(company, wh):
    bin_a = services.create_location(wh.stock_location, name="A", barcode="8712345000017")
    wine = a_product(company, "WINE", tracking="lot", barcode="8711111111111")
    lot = services.create_lot(wine, name="L-2026")
    assert selectors.resolve_code(company, "8712345000017").location == bin_a
    assert selectors.resolve_code(company, "8711111111111").product == wine
    assert selectors.resolve_code(company, "wine").product == wine
    found = selectors.resolve_code(company, "L-2026")
    assert (found.kind, found.lot, found.product) == ("lot", lot, wine)
    with pytest.raises(NotFound):
        selectors.resolve_code(company, "???")
    assert Move.objects.count() == 0
