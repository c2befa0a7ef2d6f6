"""Reserving stock: all or nothing by default, partial on request; bins, lots, units."""

import datetime as dt
from decimal import Decimal

import pytest

from kern.catalog.exceptions import IncompatibleUnits
from kern.core.exceptions import InvalidTransition, ValidationFailed
from kern.core.models import AuditEvent
from kern.inventory import selectors, services
from kern.inventory.exceptions import InsufficientStock, InvalidQuantity, NotStockable, UnknownLot
from kern.inventory.models import Move, Operation, Quant
from kern.inventory.services import MoveSpec
from tests.builders import a_product, in_stock

D = Decimal


def quants(product):
    return sorted(
        (q.location.full_name, q.lot.name if q.lot else None, q.quantity, q.reserved)
        for q in Quant.objects.filter(product=product)
    )


@pytest.mark.django_db
def test_a_delivery_reserves_its_lines_at_once(company, wh, customer, chair, desk):
    in_stock(chair, 10)
    in_stock(desk, 4)
    delivery = services.create_delivery(
        company,
        lines=[
            MoveSpec(chair, D("6"), source_type="shop.orderline", source_id=71),
            MoveSpec(desk, D("4"), source_id=72),
        ],
        partner=customer,
        source_type="shop.order",
        source_id=7,
        origin="SO-7",
    )
    assert (delivery.status, delivery.number, delivery.partner_id) == (
        "ready",
        f"OUT/{delivery.scheduled_date.year}/00001",
        customer.pk,
    )
    moves = list(
        delivery.moves.order_by("id").values_list(
            "product__sku", "quantity", "status", "source_type", "source_id"
        )
    )
    assert moves == [
        ("CHAIR", D("6"), "reserved", "shop.orderline", 71),
        ("DESK", D("4"), "reserved", "", 72),
    ]
    assert quants(chair) == [("WH/Stock", None, D("10"), D("6"))]
    level = selectors.stock_levels(company, [chair])[chair.pk]
    assert (level.on_hand, level.reserved, level.available) == (D("10"), D("6"), D("4"))
    assert selectors.available_to_promise(company, [chair, desk]) == {chair.pk: D("4"), desk.pk: D("0")}


@pytest.mark.django_db
def test_a_shortage_refuses_the_whole_delivery_naming_the_product_and_writes_nothing(
    company, customer, chair, desk
):
    in_stock(chair, 10)
    in_stock(desk, 3)
    before = (Operation.objects.count(), Move.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InsufficientStock) as err:
        services.create_delivery(
            company, lines=[MoveSpec(chair, D("2")), MoveSpec(desk, D("4"))], partner=customer
        )
    assert str(err.value) == "DESK Desk: 4 requested, 3 available"
    problem = err.value.as_problem()
    assert (
        problem["status"],
        problem["code"],
        problem["sku"],
        problem["requested"],
        problem["available"],
    ) == (409, "insufficient_stock", "DESK", "4", "3")
    assert (Operation.objects.count(), Move.objects.count(), AuditEvent.objects.count()) == before
    assert quants(chair) == [("WH/Stock", None, D("10"), D("0"))]


@pytest.mark.django_db
def test_partial_reservation_leaves_the_rest_waiting_until_stock_arrives(company, customer, chair):
    in_stock(chair, 4)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("10"), source_id=5)], partner=customer, allow_partial=True
    )
    assert delivery.status == "waiting"
    assert sorted(delivery.moves.values_list("quantity", "status", "source_id")) == [
        (D("4"), "reserved", 5),
        (D("6"), "waiting", 5),
    ]
    assert selectors.stock_levels(company, [chair])[chair.pk].outgoing == D("6")
    in_stock(chair, 20)
    services.reserve_stock(delivery)
    delivery.refresh_from_db()
    assert delivery.status == "ready"
    assert sorted(delivery.moves.values_list("quantity", "status")) == [
        (D("4"), "reserved"),
        (D("6"), "reserved"),
    ]
    assert Quant.objects.get(product=chair).reserved == D("10")


@pytest.mark.django_db
def test_reservation_takes_bins_first_expiring_lots_and_splits_the_line(company, wh, customer):
    wine = a_product(company, "WINE", tracking="lot")
    a = services.create_location(wh.stock_location, name="A")
    b = services.create_location(wh.stock_location, name="B")
    late = services.create_lot(wine, name="L-LATE", expiry_date=dt.date(2031, 1, 1))
    in_stock(wine, 5, location=b, lot=late)
    early = services.create_lot(wine, name="L-EARLY", expiry_date=dt.date(2030, 1, 1))
    in_stock(wine, 3, location=a, lot=early)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(wine, D("6"), source_id=9)], partner=customer
    )
    parts = sorted(
        delivery.moves.values_list("lot__name", "location_from__full_name", "quantity", "source_id")
    )
    assert parts == [("L-EARLY", "WH/Stock/A", D("3"), 9), ("L-LATE", "WH/Stock/B", D("3"), 9)]
    # A named lot is reserved from that lot only; an unknown lot is refused.
    with pytest.raises(InsufficientStock):
        services.create_delivery(company, lines=[MoveSpec(wine, D("3"), lot="L-EARLY")], partner=customer)
    with pytest.raises(UnknownLot):
        services.create_delivery(company, lines=[MoveSpec(wine, D("1"), lot="NOPE")], partner=customer)
    specific = services.create_delivery(
        company, lines=[MoveSpec(wine, D("2"), lot="L-LATE")], partner=customer
    )
    assert list(specific.moves.values_list("lot__name", "quantity")) == [("L-LATE", D("2"))]


@pytest.mark.django_db
def test_serial_numbers_are_reserved_one_unit_per_move(company, customer):
    phone = a_product(company, "PHONE", tracking="serial")
    in_stock(phone, 3, serials=["SN1", "SN2", "SN3"])
    delivery = services.create_delivery(company, lines=[MoveSpec(phone, D("2"))], partner=customer)
    assert sorted(delivery.moves.values_list("lot__name", "quantity")) == [("SN1", D("1")), ("SN2", D("1"))]


@pytest.mark.django_db
def test_quantities_convert_from_the_document_unit(company, customer):
    eggs = a_product(company, "EGG", uom="pcs")
    in_stock(eggs, 60)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(eggs, D("2"), uom="dozen")], partner=customer
    )
    move = delivery.moves.get()
    assert (move.quantity, move.uom.code, move.uom_quantity) == (D("24"), "dozen", D("2"))
    with pytest.raises(IncompatibleUnits) as err:
        services.create_delivery(company, lines=[MoveSpec(eggs, D("2"), uom="h")], partner=customer)
    assert err.value.status == 422 and "uom" in err.value.errors


@pytest.mark.django_db
def test_bad_lines_are_refused_with_422(company, customer, chair):
    in_stock(chair, 5)
    for bad in (D("-1"), D("0")):
        with pytest.raises(InvalidQuantity) as err:
            services.create_delivery(company, lines=[MoveSpec(chair, bad)], partner=customer)
        assert err.value.status == 422 and "CHAIR" in str(err.value)
    service = a_product(company, "ADVICE", type="service", uom="h")
    with pytest.raises(NotStockable):
        services.create_delivery(company, lines=[MoveSpec(service, D("1"))], partner=customer)
    with pytest.raises(ValidationFailed):
        services.create_delivery(company, lines=[], partner=customer)
    with pytest.raises(ValidationFailed):
        services.create_delivery(company, lines=[MoveSpec(999999, D("1"))], partner=customer)
    assert Operation.objects.filter(kind="delivery").count() == 0


@pytest.mark.django_db
def test_consumables_are_always_available_and_not_reserved(company, customer):
    tape = a_product(company, "TAPE", type="consumable")
    delivery = services.create_delivery(company, lines=[MoveSpec(tape, D("3"))], partner=customer)
    assert delivery.status == "ready"
    services.ship_delivery(delivery)
    assert Quant.objects.get(product=tape).quantity == D("-3")


@pytest.mark.django_db
def test_unreserving_and_cancelling_give_the_stock_back(company, customer, chair):
    in_stock(chair, 10)
    delivery = services.create_delivery(company, lines=[MoveSpec(chair, D("7"))], partner=customer)
    services.unreserve_stock(delivery)
    assert (delivery.status, Quant.objects.get(product=chair).reserved) == ("waiting", D("0"))
    assert delivery.moves.get().status == "waiting"
    services.reserve_stock(delivery)
    assert Quant.objects.get(product=chair).reserved == D("7")
    services.cancel_operation(delivery)
    assert (delivery.status, Quant.objects.get(product=chair).reserved) == ("cancelled", D("0"))
    assert delivery.moves.get().status == "cancelled"
    with pytest.raises(InvalidTransition):
        services.reserve_stock(delivery)


@pytest.mark.django_db
def test_a_draft_operation_reserves_when_confirmed(company, customer, chair):
    in_stock(chair, 10)
    draft = services.create_operation(
        company, kind="delivery", lines=[MoveSpec(chair, D("3"))], partner=customer, confirm=False
    )
    assert (draft.status, Quant.objects.get(product=chair).reserved) == ("draft", D("0"))
    services.confirm_operation(draft)
    assert (draft.status, Quant.objects.get(product=chair).reserved) == ("ready", D("3"))


@pytest.mark.django_db
def test_a_line_from_a_bin_takes_stock_from_that_bin_and_its_shelves_only(company, wh, customer, chair):
    hall = services.create_location(wh.stock_location, name="Hall")
    shelf = services.create_location(hall, name="Shelf")
    other = services.create_location(wh.stock_location, name="Other")
    in_stock(chair, 4, location=other)
    in_stock(chair, 2, location=wh.stock_location)
    in_stock(chair, 3, location=shelf)
    in_stock(chair, 1, location=hall)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("4"), location_from=hall)], partner=customer
    )
    taken = sorted(delivery.moves.values_list("location_from__full_name", "quantity"))
    assert taken == [("WH/Stock/Hall", D("1")), ("WH/Stock/Hall/Shelf", D("3"))]
    with pytest.raises(InsufficientStock):
        services.create_delivery(
            company, lines=[MoveSpec(chair, D("1"), location_from=hall)], partner=customer
        )


def test_the_candidate_query_matches_the_subtree_by_equality_so_sqlite_prepares_it_once():
    # A LIKE with a bound pattern makes SQLite re-plan the statement on every execute.
    from kern.inventory.services.reservation import _candidates_query

    sql = str(_candidates_query((1, False, "1/2/"), company_id=1, product_ids=(1,), source_id=3).query)
    assert " LIKE " not in sql.upper()
    assert "SUBSTR" in sql.upper()
