"""Pick, pack and ship; partial shipments and backorders; refusals that change nothing."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from kern.core.exceptions import InvalidTransition
from kern.core.models import AuditEvent, OutboxEvent
from kern.inventory import selectors, services
from kern.inventory.exceptions import InsufficientStock, OverShipment
from kern.inventory.models import Operation, Quant
from kern.inventory.services import MoveSpec, PickLine
from kern.ledger.models import JournalEntry
from tests.builders import a_product, in_stock

D = Decimal


def stock(product):
    q = Quant.objects.get(product=product)
    return q.quantity, q.reserved


@pytest.mark.django_db
def test_shipping_a_reserved_delivery_moves_the_goods_and_tells_the_order(company, customer, chair):
    in_stock(chair, 10)
    delivery = services.create_delivery(
        company,
        lines=[MoveSpec(chair, D("4"), source_type="shop.orderline", source_id=3)],
        partner=customer,
        source_type="shop.order",
        source_id=1,
    )
    services.ship_delivery(delivery, tracking_reference="3SABC123")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.tracking_reference, delivery.backorder_of_id) == (
        "done",
        "3SABC123",
        None,
    )
    assert stock(chair) == (D("6"), D("0"))
    move = delivery.moves.get()
    assert (move.status, move.quantity, move.value, move.unit_cost) == (
        "done",
        D("4"),
        D("160.00"),
        D("40.000000"),
    )
    event = OutboxEvent.objects.get(name="inventory.delivery_done")
    assert event.payload["source_type"] == "shop.order" and event.payload["source_id"] == 1
    assert event.payload["moves"][0]["source_id"] == 3 and event.payload["moves"][0]["quantity"] == "4.0000"
    assert list(
        selectors.move_history(company, product=chair).values_list("operation__kind", "quantity")
    ) == [
        ("delivery", D("4")),
        ("adjustment", D("10")),
    ]
    assert selectors.delivered_quantities(company, "shop.orderline", [3]) == {3: D("4")}


@pytest.mark.django_db
def test_a_partial_shipment_leaves_a_backorder_still_reserved(company, customer, chair, desk):
    in_stock(chair, 10)
    in_stock(desk, 2)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("5")), MoveSpec(desk, D("2"))], partner=customer
    )
    chair_move, _desk_move = delivery.moves.order_by("id")
    services.ship_delivery(delivery, quantities={chair_move.pk: D("3")})
    back = delivery.backorder
    assert back is not None and back.backorder_of_id == delivery.pk and back.status == "ready"
    assert list(delivery.moves.values_list("product__sku", "quantity", "status")) == [
        ("CHAIR", D("3"), "done")
    ]
    assert sorted(back.moves.values_list("product__sku", "quantity", "status")) == [
        ("CHAIR", D("2"), "reserved"),
        ("DESK", D("2"), "reserved"),
    ]
    assert stock(chair) == (D("7"), D("2"))
    services.ship_delivery(back)
    assert stock(chair) == (D("5"), D("0")) and stock(desk) == (D("0"), D("0"))


@pytest.mark.django_db
def test_shipping_more_than_reserved_is_refused_and_changes_nothing(company, customer, chair):
    in_stock(chair, 10)
    delivery = services.create_delivery(company, lines=[MoveSpec(chair, D("4"))], partner=customer)
    move = delivery.moves.get()
    before = (
        stock(chair),
        AuditEvent.objects.count(),
        JournalEntry.objects.count(),
        OutboxEvent.objects.count(),
    )
    with pytest.raises(OverShipment) as err:
        services.ship_delivery(delivery, quantities={move.pk: D("5")})
    assert str(err.value) == "CHAIR Chair: 5 to ship, only 4 reserved" and err.value.status == 409
    with pytest.raises(Exception) as err2:
        services.ship_delivery(delivery, quantities={move.pk: D("-1")})
    assert err2.value.status == 422
    delivery.refresh_from_db()
    assert delivery.status == "ready"
    assert (
        stock(chair),
        AuditEvent.objects.count(),
        JournalEntry.objects.count(),
        OutboxEvent.objects.count(),
    ) == before


@pytest.mark.django_db
def test_pick_pack_ship(company, customer, chair, desk):
    in_stock(chair, 10)
    in_stock(desk, 5)
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("4")), MoveSpec(desk, D("1"))], partner=customer
    )
    chair_move, desk_move = delivery.moves.order_by("id")
    with pytest.raises(OverShipment):
        services.pick(delivery, lines=[PickLine(chair_move.pk, D("5"))])
    services.pick(delivery, lines=[PickLine(chair_move.pk, D("3")), PickLine(desk_move.pk, D("1"))])
    assert delivery.status == "picked"
    first = services.pack(delivery, move_ids=[chair_move.pk], weight_kg=D("12.5"))
    assert delivery.status == "picked" and first.name == f"{delivery.number}/P1"
    services.pack(delivery)
    assert delivery.status == "packed"
    services.ship_delivery(delivery)
    # What was picked was shipped; the unpicked chair waits in a backorder.
    assert stock(chair) == (D("7"), D("1")) and stock(desk) == (D("4"), D("0"))
    assert list(delivery.backorder.moves.values_list("quantity", "status")) == [(D("1"), "reserved")]
    with pytest.raises(InvalidTransition):
        services.ship_delivery(delivery)


@pytest.mark.django_db
def test_scanning_another_lot_while_picking_swaps_the_reservation(company, wh, customer):
    wine = a_product(company, "WINE", tracking="lot")
    in_stock(wine, 5, lot="A")
    in_stock(wine, 5, lot="B")
    delivery = services.create_delivery(company, lines=[MoveSpec(wine, D("2"))], partner=customer)
    move = delivery.moves.get()
    assert move.lot.name == "A"
    from kern.inventory.models import Lot

    services.pick_move(move, quantity=D("2"), lot=Lot.objects.get(name="B"))
    move.refresh_from_db()
    assert (move.lot.name, move.picked) == ("B", D("2"))
    assert sorted((q.lot.name, q.reserved) for q in Quant.objects.filter(product=wine)) == [
        ("A", D("0")),
        ("B", D("2")),
    ]


@pytest.mark.django_db
def test_a_warehouse_allowing_negative_stock_ships_what_is_not_there(company, wh, customer, chair):
    services.update_warehouse(wh, allow_negative_stock=True)
    in_stock(chair, 2, unit_cost="40")
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("5"))], partner=customer, allow_partial=True
    )
    services.ship_delivery(delivery)
    assert sum(Quant.objects.filter(product=chair).values_list("quantity", flat=True)) == D("-3")
    assert selectors.valuation_total(company) == D("-120.00")
    assert selectors.valuation_reconciliation(company).reconciles


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_negative_stock_even_when_code_forgets(company, chair):
    in_stock(chair, 1)
    quant = Quant.objects.get(product=chair)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_quant SET quantity = -1 WHERE id = %s", [quant.pk])
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE inventory_quant SET reserved = 2 WHERE id = %s", [quant.pk])
    assert stock(chair) == (D("1"), D("0"))


@pytest.mark.django_db
def test_shipping_an_unreserved_delivery_is_refused(company, customer, chair):
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("1"))], partner=customer, allow_partial=True
    )
    move = delivery.moves.get()
    with pytest.raises(OverShipment):
        services.ship_delivery(delivery, quantities={move.pk: D("1")})
    with pytest.raises(Exception) as err:
        services.ship_delivery(delivery)
    assert err.value.status == 422  # nothing reserved: nothing to ship
    assert Operation.objects.get(pk=delivery.pk).status == "waiting"
    assert not Quant.objects.filter(product=chair).exists()
    assert isinstance(InsufficientStock(chair, requested=D(1), available=D(0)), Exception)
