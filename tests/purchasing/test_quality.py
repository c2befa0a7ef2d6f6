"""Receipts into quality hold: the goods arrive beside the stock, are released into it after
inspection, or go back to the vendor — and the order, GRNI and the bill follow."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.inventory import selectors as inventory_selectors
from kern.purchasing import services
from kern.purchasing.exceptions import PurchasingInvalid
from kern.purchasing.models import OrderStatus
from tests.purchasing.helpers import balance, receive

pytestmark = pytest.mark.django_db


def test_goods_wait_in_quality_hold_until_released_or_sent_back(company, vendor, chair, buyer, accountant):
    services.update_policy(company, quality_hold=True)
    order = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 10, "unit_price": "40"}], by=buyer
    )
    services.submit_order(order, by=buyer)
    warehouse = inventory_selectors.default_warehouse(company)
    hold = services.quality_hold_location(warehouse)
    assert hold.full_name.endswith("/Quality hold") and hold.parent_id == warehouse.view_location_id
    receive(order)
    line = order.lines.get()
    assert (order.status, line.qty_received) == (OrderStatus.RECEIVED, Decimal("10.0000"))
    assert inventory_selectors.on_hand(chair, location=hold) == Decimal("10")
    assert inventory_selectors.on_hand(chair, location=warehouse.stock_location) == Decimal("0")
    assert services.held_quantities(order) == {line.pk: Decimal("10.0000")}
    # 8 pass the inspection; asking for more than is held is refused
    with pytest.raises(PurchasingInvalid):
        services.release_from_quality_hold(order, quantities={line.pk: 11})
    services.release_from_quality_hold(order, quantities={line.pk: 8}, by=buyer)
    assert inventory_selectors.on_hand(chair, location=warehouse.stock_location) == Decimal("8")
    # 2 are damaged and go back to the vendor: the order has 8 received now
    services.reject_from_quality_hold(order, by=buyer)
    order.refresh_from_db()
    line.refresh_from_db()
    assert (order.status, line.qty_received, line.received_value) == (
        OrderStatus.PARTLY_RECEIVED,
        Decimal("8.0000"),
        Decimal("320.00"),
    )
    assert services.held_quantities(order) == {}
    assert inventory_selectors.on_hand(chair, location=hold) == Decimal("0")
    assert balance(company, "grni") == Decimal("-320.00")
    bill = services.create_bill_from_order(order, by=accountant, vendor_reference="Q-1")
    assert bill.lines.get().quantity == Decimal("8.0000")
    services.approve_bill(bill, by=accountant)
    assert balance(company, "grni") == Decimal("0.00")


def test_the_quality_hold_page_and_api(company, vendor, chair, buyer):
    from tests.builders import a_web_client, an_api_client

    api = an_api_client(company, "buyer")
    assert api.patch_json("/api/v1/purchasing/policy", {"quality_hold": True}).json()["quality_hold"] is True
    order = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 6, "unit_price": "40"}], by=buyer
    )
    services.submit_order(order, by=buyer)
    receive(order)
    line = order.lines.get()
    held = api.get(f"/api/v1/purchase-orders/{order.pk}/quality-hold").json()
    assert held == [{"order_line_id": line.pk, "sku": "CHAIR", "quantity": "6.0000"}]
    left = api.post_json(
        f"/api/v1/purchase-orders/{order.pk}/quality-hold/release", {"quantities": {line.pk: "4"}}
    ).json()
    assert left == [{"order_line_id": line.pk, "sku": "CHAIR", "quantity": "2.0000"}]
    web = a_web_client(buyer)
    page = web.get(f"/purchasing/orders/{order.pk}/quality-hold/")
    assert page.status_code == 200 and "CHAIR" in page.content.decode()
    too_many = web.post(
        f"/purchasing/orders/{order.pk}/quality-hold/", {f"release_{line.pk}": "2", f"reject_{line.pk}": "1"}
    )
    assert too_many.status_code == 422
    done = web.post(
        f"/purchasing/orders/{order.pk}/quality-hold/", {f"release_{line.pk}": "1", f"reject_{line.pk}": "1"}
    )
    assert done.status_code == 302
    line.refresh_from_db()
    assert (line.qty_received, services.held_quantities(order)) == (Decimal("5.0000"), {})
