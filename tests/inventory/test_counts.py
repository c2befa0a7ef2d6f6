"""Stock counts: count sheets per location; the differences are booked as one adjustment."""

from decimal import Decimal

import pytest

from kern.core.exceptions import InvalidTransition, ValidationFailed
from kern.inventory import selectors, services
from kern.inventory.exceptions import LotRequired, UnknownCode
from kern.inventory.models import Quant
from kern.inventory.services import MoveSpec
from tests.builders import a_product, in_stock

D = Decimal


@pytest.mark.django_db
def test_a_count_books_the_differences_as_one_valued_adjustment(company, wh, chair, desk):
    bin_a = services.create_location(wh.stock_location, name="A", barcode="LOC-A")
    in_stock(chair, 10, unit_cost="40", location=bin_a)
    in_stock(desk, 2, unit_cost="150")
    count = services.start_stock_count(wh)
    assert count.status == "in_progress" and count.number.startswith("CNT/")
    assert sorted(count.lines.values_list("location__full_name", "product__sku", "expected")) == [
        ("WH/Stock", "DESK", D("2")),
        ("WH/Stock/A", "CHAIR", D("10")),
    ]
    services.record_count(count, location=bin_a, product=chair, quantity=D("8"))
    services.scan_count(count, "DESK", location=wh.stock_location)
    services.scan_count(count, desk.sku.lower(), location=wh.stock_location)
    services.scan_count(count, "DESK", location=wh.stock_location)  # one desk more than the books
    extra = a_product(company, "LAMP", cost=D("12"))
    services.scan_count(count, "LAMP", location=bin_a)  # not in the books at all
    services.apply_stock_count(count)
    assert count.status == "done" and count.adjustment.status == "done"
    assert sorted(
        count.adjustment.moves.values_list("product__sku", "location_from__kind", "quantity", "value")
    ) == [
        ("CHAIR", "internal", D("2"), D("80.00")),
        ("DESK", "adjustment", D("1"), D("150.00")),
        ("LAMP", "adjustment", D("1"), D("12.00")),
    ]
    assert sorted(count.lines.values_list("product__sku", "difference")) == [
        ("CHAIR", D("-2")),
        ("DESK", D("1")),
        ("LAMP", D("1")),
    ]
    assert (
        selectors.on_hand(chair) == D("8")
        and selectors.on_hand(desk) == D("3")
        and selectors.on_hand(extra) == D("1")
    )
    assert selectors.valuation_reconciliation(company).reconciles
    with pytest.raises(InvalidTransition):
        services.apply_stock_count(count)


@pytest.mark.django_db
def test_counting_less_than_is_reserved_moves_the_reservation(company, wh, customer, chair):
    bin_a = services.create_location(wh.stock_location, name="A")
    in_stock(chair, 5, location=bin_a)
    in_stock(chair, 5)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("4"), location_from=bin_a)], partner=customer
    )
    count = services.start_stock_count(wh, location=bin_a)
    services.record_count(count, location=bin_a, product=chair, quantity=D("1"))
    services.apply_stock_count(count)
    delivery.refresh_from_db()
    # Bin A has 1 left; the delivery is reserved again from what is there and elsewhere.
    assert sorted(
        Quant.objects.filter(product=chair).values_list("location__full_name", "quantity", "reserved")
    ) == [
        ("WH/Stock", D("5"), D("3")),
        ("WH/Stock/A", D("1"), D("1")),
    ]
    assert delivery.status == "ready"
    assert sorted(delivery.moves.values_list("location_from__full_name", "quantity")) == [
        ("WH/Stock", D("3")),
        ("WH/Stock/A", D("1")),
    ]


@pytest.mark.django_db
def test_count_refusals(company, wh, chair):
    wine = a_product(company, "WINE", tracking="lot")
    count = services.start_stock_count(wh)
    with pytest.raises(LotRequired):
        services.record_count(count, location=wh.stock_location, product=wine, quantity=D("1"))
    with pytest.raises(UnknownCode):
        services.scan_count(count, "NO-SUCH-CODE", location=wh.stock_location)
    with pytest.raises(ValidationFailed):
        services.record_count(count, location=wh.customer_location, product=chair, quantity=D("1"))
    with pytest.raises(ValidationFailed):
        services.record_count(count, location=wh.stock_location, product=chair, quantity=D("-1"))
    services.cancel_stock_count(count)
    with pytest.raises(InvalidTransition):
        services.record_count(count, location=wh.stock_location, product=chair, quantity=D("1"))
