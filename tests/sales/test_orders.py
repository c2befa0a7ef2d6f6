"""Sales orders: the credit check at confirmation and its release, reservation, shipping (whole,
partial, refused), cancelling, and the statuses that follow the goods."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core.exceptions import PermissionDenied, ValidationFailed
from kern.core.models import AuditEvent
from kern.inventory.models import Operation
from kern.inventory.selectors import stock_levels
from kern.parties import services as parties
from kern.sales import services
from kern.sales.exceptions import SalesCode, SalesConflict
from kern.sales.models import DeliveryStatus, Invoice, OrderStatus, SalesOrder
from kern.sales.selectors import credit_position
from tests.builders import a_product, a_user

pytestmark = pytest.mark.django_db
D = Decimal


def an_order(world, *lines, **fields):
    return services.create_order(
        world.company,
        customer=world.customer,
        lines=list(lines) or [{"product": world.chair.pk, "quantity": 5}],
        by=world.rep,
        **fields,
    )


def test_confirming_reserves_the_goods_and_marks_services_delivered(world):
    order = an_order(
        world, {"product": world.chair.pk, "quantity": 5}, {"product": world.hour.pk, "quantity": 3}
    )

    services.confirm_order(order, by=world.rep)

    order.refresh_from_db()
    chair_line, hour_line = order.lines.order_by("line_no")
    assert (order.status, order.delivery_status, order.confirmed_at is not None) == (
        OrderStatus.CONFIRMED,
        DeliveryStatus.NOTHING,
        True,
    )
    assert (chair_line.qty_delivered, hour_line.qty_delivered) == (D("0"), D("3"))
    assert stock_levels(world.company, [world.chair])[world.chair.pk].reserved == 5
    delivery = Operation.objects.get(source_type="sales.order", source_id=order.pk)
    assert (delivery.kind, delivery.status, delivery.partner_id) == ("delivery", "ready", world.customer.pk)


def test_an_order_over_the_credit_limit_is_blocked_until_released(world):
    parties.update_party(world.customer, credit_limit=D("1000.00"))
    first = an_order(world, {"product": world.desk.pk, "quantity": 1})  # 544.50
    services.confirm_order(first, by=world.rep)
    second = an_order(world, {"product": world.desk.pk, "quantity": 1})

    services.confirm_order(second, by=world.rep)

    second.refresh_from_db()
    assert second.status == OrderStatus.BLOCKED
    assert second.credit_block_reason == (
        "credit limit 1000.00 EUR exceeded: open receivables 0.00 + open orders 544.50 + this order 544.50 = 1089.00 EUR"
    )
    assert stock_levels(world.company, [world.desk])[world.desk.pk].reserved == 1  # only the first
    position = credit_position(world.customer)
    assert (position.limit, position.open_orders, position.available) == (
        D("1000.00"),
        D("544.50"),
        D("455.50"),
    )

    # Shipping or invoicing a blocked order: 409 with the reason, nothing moves.
    with pytest.raises(SalesConflict) as ship:
        services.ship_order(second, by=world.rep)
    assert (ship.value.status, ship.value.code) == (409, SalesCode.ORDER_BLOCKED)
    assert "credit limit 1000.00 EUR exceeded" in ship.value.message
    with pytest.raises(SalesConflict) as invoice:
        services.invoice_order(second, by=world.accountant)
    assert invoice.value.code == SalesCode.ORDER_BLOCKED
    assert not Invoice.objects.exists()

    # A rep may not release; a controller may, and it is in the audit log.
    with pytest.raises(PermissionDenied):
        services.release_order(second, by=world.rep)
    controller = a_user(world.company, "controller")
    services.release_order(second, by=controller)
    second.refresh_from_db()
    assert (second.status, second.released_by) == (OrderStatus.CONFIRMED, controller)
    assert AuditEvent.objects.filter(
        model="sales.salesorder", object_id=str(second.pk), action="release", user_id=controller.pk
    ).exists()
    assert stock_levels(world.company, [world.desk])[world.desk.pk].reserved == 2


def test_a_cancelled_order_cannot_be_invoiced_or_shipped(world):
    order = an_order(world)
    services.confirm_order(order, by=world.rep)

    services.cancel_order(order, reason="Customer changed its mind", by=world.rep)

    assert stock_levels(world.company, [world.chair])[world.chair.pk].reserved == 0
    assert Operation.objects.get(source_id=order.pk).status == "cancelled"
    with pytest.raises(SalesConflict) as refused:
        services.invoice_order(order, by=world.accountant)
    assert (refused.value.status, refused.value.code) == (409, SalesCode.ORDER_CANCELLED)
    assert refused.value.message == (
        f"order {order.number} is cancelled: Customer changed its mind; it cannot be invoiced"
    )
    with pytest.raises(SalesConflict):
        services.ship_order(order, by=world.rep)
    assert not Invoice.objects.exists()


def test_a_delivered_order_cannot_be_cancelled(world):
    order = an_order(world)
    services.confirm_order(order, by=world.rep)
    services.ship_order(order, quantities={order.lines.get().pk: 1}, by=world.rep)

    with pytest.raises(SalesConflict) as refused:
        services.cancel_order(order, by=world.rep)

    assert "return the goods" in refused.value.message
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_shipping_in_parts_follows_the_lines_and_refuses_more_than_open(world):
    order = an_order(
        world, {"product": world.chair.pk, "quantity": 5}, {"product": world.desk.pk, "quantity": 2}
    )
    services.confirm_order(order, by=world.rep)
    chair, desk = order.lines.order_by("line_no")

    services.ship_order(order, quantities={chair.pk: 2}, by=world.rep)
    order.refresh_from_db()
    assert order.delivery_status == DeliveryStatus.PARTLY
    with pytest.raises(SalesConflict) as too_many:
        services.ship_order(order, quantities={chair.pk: 4}, by=world.rep)
    assert too_many.value.message == "CHAIR: 4 to ship, only 3 left open on the deliveries"
    with pytest.raises(ValidationFailed):
        services.ship_order(order, quantities={desk.pk: -1}, by=world.rep)
    with pytest.raises(ValidationFailed):
        services.ship_order(order, quantities={999999: 1}, by=world.rep)

    services.ship_order(order, by=world.rep)

    order.refresh_from_db()
    assert order.delivery_status == DeliveryStatus.FULLY
    assert [ln.qty_delivered for ln in order.lines.order_by("line_no")] == [D("5"), D("2")]
    level = stock_levels(world.company, [world.chair, world.desk])
    assert (level[world.chair.pk].on_hand, level[world.desk.pk].on_hand) == (D("45"), D("8"))
    with pytest.raises(SalesConflict) as nothing:
        services.ship_order(order, by=world.rep)
    assert nothing.value.code == SalesCode.NOTHING_TO_SHIP


def test_shipping_from_the_warehouse_screens_updates_the_order_too(world):
    from kern.inventory import services as inventory

    order = an_order(world)
    services.confirm_order(order, by=world.rep)
    delivery = Operation.objects.get(source_id=order.pk, source_type="sales.order")

    inventory.ship_delivery(delivery, by=a_user(world.company, "warehouse"))

    order.refresh_from_db()
    assert (order.delivery_status, order.lines.get().qty_delivered) == (DeliveryStatus.FULLY, D("5"))


def test_only_a_draft_or_blocked_order_changes(world):
    order = an_order(world)
    services.update_order(order, lines=[{"product": world.chair.pk, "quantity": 7}], by=world.rep)
    assert order.total == D("847.00")
    services.confirm_order(order, by=world.rep)

    with pytest.raises(SalesConflict) as refused:
        services.update_order(order, lines=[{"product": world.chair.pk, "quantity": 1}], by=world.rep)

    assert refused.value.code == SalesCode.NOT_EDITABLE
    assert SalesOrder.objects.get().total == D("847.00")


def test_an_order_in_another_currency_is_priced_at_the_days_rate(world):
    from kern.core.services import set_exchange_rate

    set_exchange_rate("USD", D("1.10"), on=world.chair.created_at.date())
    order = an_order(world, {"product": world.chair.pk, "quantity": 2}, currency="USD")

    line = order.lines.get()
    assert (order.currency_id, line.list_price, order.net_total, order.total) == (
        "USD",
        D("110.0000"),
        D("220.00"),
        D("266.20"),
    )


def test_the_vat_code_is_asked_once_per_kind_of_product_on_a_document(world, monkeypatch):
    from kern.sales.selectors import pricing

    book = a_product(world.company, "BOOK", name="Book", sale_price=D("20.00"), tax_category="reduced")
    asked = []
    real = pricing.tax_code_for

    def counting(company, **kw):
        asked.append((kw["tax_category"], kw["product_type"]))
        return real(company, **kw)

    monkeypatch.setattr(pricing, "tax_code_for", counting)
    order = an_order(
        world,
        {"product": world.chair.pk, "quantity": 1},
        {"product": book.pk, "quantity": 2},
        {"product": world.desk.pk, "quantity": 1},
        {"product": world.hour.pk, "quantity": 3},
        {"product": book.pk, "quantity": 1},
        {"product": world.chair.pk, "quantity": 4},
    )
    assert sorted(asked) == [("reduced", "stocked"), ("standard", "service"), ("standard", "stocked")]
    lines = list(order.lines.order_by("line_no"))
    expected = [
        real(
            world.company,
            tax_category=p.tax_category,
            product_type=p.type,
            direction="sale",
            country="NL",
            vat_id="",
        )
        for p in (world.chair, book, world.desk, world.hour, book, world.chair)
    ]
    assert [(ln.tax_code, ln.tax_rate, ln.tax_kind) for ln in lines] == [
        (t.code, t.rate, t.kind) for t in expected
    ]
    assert lines[1].tax_rate != lines[0].tax_rate
