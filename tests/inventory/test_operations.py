"""Receipts, transfers, returns, scrap and adjustments."""

from decimal import Decimal

import pytest

from kern.core.exceptions import ValidationFailed
from kern.core.models import OutboxEvent
from kern.inventory import selectors, services
from kern.inventory.exceptions import DuplicateSerial, InsufficientStock, LotRequired, OverShipment
from kern.inventory.models import Lot, Move, Operation, Quant
from kern.inventory.services import MoveSpec
from kern.ledger.models import JournalLine
from tests.builders import a_product, a_warehouse, in_stock

D = Decimal


def ledger(company, number):
    """{role-ish account code: signed amount} of the entry posted for operation `number`."""
    lines = JournalLine.objects.filter(company=company, entry__source_number=number).select_related("account")
    return sorted((ln.account.code, ln.debit - ln.credit) for ln in lines)


def roles(company):
    from kern.ledger.selectors import account_for

    return {r: account_for(company, r).code for r in ("inventory", "grni", "cogs", "stock_adjustment")}


@pytest.mark.django_db
def test_a_receipt_brings_goods_in_at_the_purchase_price_against_grni(company, vendor, chair):
    receipt = services.receive(
        company,
        lines=[MoveSpec(chair, D("10"), unit_cost=D("42.50"), source_type="shop.poline", source_id=4)],
        partner=vendor,
        source_type="shop.po",
        source_id=2,
    )
    assert receipt.status == "done" and receipt.number.startswith("IN/")
    assert Quant.objects.get(product=chair).quantity == D("10")
    r = roles(company)
    assert ledger(company, receipt.number) == sorted(
        [(r["inventory"], D("425.00")), (r["grni"], D("-425.00"))]
    )
    assert OutboxEvent.objects.filter(name="inventory.receipt_done").count() == 1
    assert selectors.valuation_reconciliation(company).reconciles


@pytest.mark.django_db
def test_a_receipt_in_parts_leaves_a_backorder_and_may_bring_more(company, vendor, chair):
    receipt = services.receive(
        company, lines=[MoveSpec(chair, D("10"), unit_cost=D("40"))], partner=vendor, validate=False
    )
    assert receipt.status == "ready"
    move = receipt.moves.get()
    services.validate_operation(receipt, quantities={move.pk: D("6")})
    back = receipt.backorder
    assert list(back.moves.values_list("quantity", "status")) == [(D("4"), "reserved")]
    services.validate_operation(back, quantities={back.moves.get().pk: D("5")})  # one more than expected
    assert Quant.objects.get(product=chair).quantity == D("11")
    assert back.backorder is None


@pytest.mark.django_db
def test_tracked_goods_need_lots_and_serials_are_unique(company, vendor):
    wine = a_product(company, "WINE", tracking="lot")
    phone = a_product(company, "PHONE", tracking="serial")
    with pytest.raises(LotRequired) as err:
        services.receive(company, lines=[MoveSpec(wine, D("5"))], partner=vendor)
    assert err.value.status == 422
    services.receive(company, lines=[MoveSpec(wine, D("5"), lot="2026-07")], partner=vendor)
    assert Lot.objects.get(product=wine).name == "2026-07"
    services.receive(company, lines=[MoveSpec(phone, D("2"), serials=["SN-1", "SN-2"])], partner=vendor)
    before = (Quant.objects.filter(product=phone).count(), Operation.objects.count())
    with pytest.raises(DuplicateSerial) as err:
        services.receive(company, lines=[MoveSpec(phone, D("1"), serials=["SN-2"])], partner=vendor)
    assert err.value.status == 422 and "SN-2" in str(err.value)
    with pytest.raises(DuplicateSerial):
        services.receive(company, lines=[MoveSpec(phone, D("2"), serials=["SN-3", "SN-3"])], partner=vendor)
    assert (Quant.objects.filter(product=phone).count(), Operation.objects.count()) == before


@pytest.mark.django_db
def test_a_customer_return_comes_back_at_the_cost_it_left_at(company, customer, chair):
    in_stock(chair, 10, unit_cost="40")
    delivery = services.create_delivery(
        company, lines=[MoveSpec(chair, D("4"), source_id=8)], partner=customer
    )
    services.ship_delivery(delivery)
    in_stock(chair, 10, unit_cost="70")  # the average moves up to 58.33…
    returned = services.return_operation(delivery, lines=[(delivery.moves.get(), D("1"))], validate=True)
    assert (returned.kind, returned.return_of_id, returned.status) == ("customer_return", delivery.pk, "done")
    move = returned.moves.get()
    assert (move.value, move.source_id, move.origin_move_id) == (D("40.00"), 8, delivery.moves.get().pk)
    r = roles(company)
    assert ledger(company, returned.number) == sorted(
        [(r["inventory"], D("40.00")), (r["cogs"], D("-40.00"))]
    )
    with pytest.raises(OverShipment):  # 3 left to return
        services.return_operation(delivery, lines=[(delivery.moves.get(), D("4"))])
    assert selectors.delivered_quantities(company, "", [8]) == {8: D("3")}
    assert selectors.valuation_reconciliation(company).reconciles


@pytest.mark.django_db
def test_goods_go_back_to_the_supplier(company, vendor, chair):
    receipt = services.receive(company, lines=[MoveSpec(chair, D("10"), unit_cost=D("40"))], partner=vendor)
    back = services.return_operation(receipt, lines=[(receipt.moves.get(), D("3"))], validate=True)
    assert back.kind == "supplier_return" and Quant.objects.get(product=chair).quantity == D("7")
    r = roles(company)
    assert ledger(company, back.number) == sorted([(r["inventory"], D("-120.00")), (r["grni"], D("120.00"))])


@pytest.mark.django_db
def test_scrap_writes_stock_off_to_stock_adjustment(company, chair):
    in_stock(chair, 5, unit_cost="40")
    scrap = services.scrap_stock(company, lines=[MoveSpec(chair, D("2"))], reason="water damage")
    assert (scrap.status, scrap.notes) == ("done", "water damage")
    assert Quant.objects.get(product=chair).quantity == D("3")
    r = roles(company)
    assert ledger(company, scrap.number) == sorted(
        [(r["inventory"], D("-80.00")), (r["stock_adjustment"], D("80.00"))]
    )
    with pytest.raises(InsufficientStock):
        services.scrap_stock(company, lines=[MoveSpec(chair, D("4"))])


@pytest.mark.django_db
def test_transfers_move_stock_between_bins_and_warehouses_without_posting(company, wh, chair):
    bin_a = services.create_location(wh.stock_location, name="A")
    in_stock(chair, 8)
    transfer = services.transfer_stock(
        company, lines=[MoveSpec(chair, D("5"))], location_from=wh.stock_location, location_to=bin_a
    )
    assert (
        transfer.status == "done"
        and not JournalLine.objects.filter(entry__source_number=transfer.number).exists()
    )
    assert sorted(Quant.objects.filter(product=chair).values_list("location__full_name", "quantity")) == [
        ("WH/Stock", D("3")),
        ("WH/Stock/A", D("5")),
    ]
    # Another warehouse through transit: two steps, each an internal transfer.
    other = a_warehouse(company, "RTM")
    out = services.transfer_stock(
        company,
        lines=[MoveSpec(chair, D("2"))],
        location_from=bin_a,
        location_to=wh.transit_location,
        warehouse=wh,
    )
    assert out.status == "done"
    services.transfer_stock(
        company,
        lines=[MoveSpec(chair, D("2"))],
        location_from=wh.transit_location,
        location_to=other.stock_location,
        warehouse=other,
    )
    assert selectors.on_hand(chair, warehouse=other) == D("2") and selectors.on_hand(chair) == D("8")
    with pytest.raises(ValidationFailed):
        services.transfer_stock(
            company, lines=[MoveSpec(chair, D("1"))], location_from=bin_a, location_to=bin_a
        )


@pytest.mark.django_db
def test_adjustments_book_gains_at_cost_and_losses_from_stock(company, chair):
    gain = services.adjust_stock(company, lines=[MoveSpec(chair, D("5"), unit_cost=D("40"))], reason="found")
    loss = services.adjust_stock(company, lines=[MoveSpec(chair, D("-2"))], reason="lost")
    assert Quant.objects.get(product=chair).quantity == D("3")
    r = roles(company)
    assert ledger(company, gain.number) == sorted(
        [(r["inventory"], D("200.00")), (r["stock_adjustment"], D("-200.00"))]
    )
    assert ledger(company, loss.number) == sorted(
        [(r["inventory"], D("-80.00")), (r["stock_adjustment"], D("80.00"))]
    )
    # A gain without a cost is valued at the current cost.
    services.adjust_stock(company, lines=[MoveSpec(chair, D("1"))])
    assert Move.objects.filter(operation__kind="adjustment").order_by("-id").first().value == D("40.00")
