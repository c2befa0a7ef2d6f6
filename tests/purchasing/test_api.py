"""The purchasing API: the whole flow over HTTP, refusals as problem+json, lists without N+1."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.purchasing import services
from kern.purchasing.models import PurchaseOrder, VendorBill
from tests.builders import an_api_client
from tests.purchasing.helpers import receive
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


def test_order_to_bill_over_the_api(company, vendor, chair, table):
    buyer = an_api_client(company, "buyer")
    clerk = an_api_client(company, "accountant")
    controller = an_api_client(company, "controller")
    price = buyer.post_json(
        "/api/v1/vendor-prices",
        {
            "vendor_id": vendor.pk,
            "product_id": chair.pk,
            "unit_price": "39.50",
            "min_quantity": "10",
            "lead_time_days": 4,
        },
    )
    assert price.status_code == 201, price.content
    best = buyer.get(f"/api/v1/vendor-prices/best?product_id={chair.pk}&quantity=12").json()
    assert (best["found"], best["vendor_price"]["unit_price"]) == (True, "39.500000")
    created = buyer.post_json(
        "/api/v1/purchase-orders",
        {
            "vendor_id": vendor.pk,
            "lines": [
                {"product_id": chair.pk, "quantity": "12"},
                {"product_id": table.pk, "quantity": "1", "unit_price": "150"},
            ],
        },
        HTTP_IDEMPOTENCY_KEY="po-1",
    )
    assert created.status_code == 201, created.content
    order = created.json()
    assert (order["status"], order["untaxed_amount"], order["lines"][0]["unit_price"]) == (
        "draft",
        "624.00",
        "39.500000",
    )
    submitted = buyer.post(f"/api/v1/purchase-orders/{order['id']}/submit")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "approved")
    receipts = buyer.get(f"/api/v1/purchase-orders/{order['id']}/receipts").json()
    assert [r["status"] for r in receipts] == ["ready"]
    receive(PurchaseOrder.objects.get(pk=order["id"]))
    bill = clerk.post_json(f"/api/v1/purchase-orders/{order['id']}/bill", {"vendor_reference": "API-77"})
    assert bill.status_code == 201, bill.content
    bill_id = bill.json()["id"]
    line = bill.json()["lines"][0]
    patched = clerk.patch_json(f"/api/v1/vendor-bills/{bill_id}/lines/{line['id']}", {"unit_price": "45"})
    assert patched.status_code == 200, patched.content
    checked = clerk.post(f"/api/v1/vendor-bills/{bill_id}/check").json()
    assert checked["match_status"] == "variance"
    approved = clerk.post(f"/api/v1/vendor-bills/{bill_id}/approve").json()
    assert (approved["status"], approved["payment_blocked"], approved["number"][:5]) == (
        "approved",
        True,
        "BILL-",
    )
    assert approved["block_reason"].startswith(
        "line 1 (CHAIR): unit price 45 EUR is 5.5 (13.9%) above the order's 39.5"
    )
    own = clerk.post_json(f"/api/v1/vendor-bills/{bill_id}/release", {"note": "ok"})
    assert (own.status_code, own.json()["code"]) == (403, "segregation_of_duties")
    released = controller.post_json(f"/api/v1/vendor-bills/{bill_id}/release", {"note": "agreed"})
    assert (released.status_code, released.json()["payment_blocked"]) == (200, False)
    duplicate = clerk.post_json(
        "/api/v1/vendor-bills", {"vendor_id": vendor.pk, "vendor_reference": "api 77"}
    )
    assert duplicate.status_code == 409 and duplicate["Content-Type"] == "application/problem+json"
    assert (duplicate.json()["code"], duplicate.json()["existing_bill"]) == (
        "duplicate_bill",
        approved["number"],
    )
    assert VendorBill.objects.filter(company=company).count() == 1


def test_approval_above_the_limit_is_refused_with_the_amounts(company, vendor, chair):
    buyer = an_api_client(company, "buyer")
    order = buyer.post_json(
        "/api/v1/purchase-orders",
        {"vendor_id": vendor.pk, "lines": [{"product_id": chair.pk, "quantity": "500", "unit_price": "40"}]},
    ).json()
    assert buyer.post(f"/api/v1/purchase-orders/{order['id']}/submit").json()["status"] == "to_approve"
    refused = buyer.post_json(f"/api/v1/purchase-orders/{order['id']}/approve", {})
    problem = refused.json()
    assert (refused.status_code, problem["code"], problem["amount"], problem["limit"]) == (
        403,
        "approval_limit_exceeded",
        "20000.00",
        "10000.00",
    )
    assert PurchaseOrder.objects.get(pk=order["id"]).status == "to_approve"


def test_requisitions_and_rfqs_over_the_api(company, vendor, chair):
    buyer = an_api_client(company, "buyer")
    req = buyer.post_json(
        "/api/v1/requisitions", {"lines": [{"product_id": chair.pk, "quantity": "20"}]}
    ).json()
    buyer.post(f"/api/v1/requisitions/{req['id']}/approve")
    rfq = buyer.post_json(f"/api/v1/requisitions/{req['id']}/rfq", {"vendor_ids": [vendor.pk]})
    assert rfq.status_code == 201, rfq.content
    rfq = rfq.json()
    assert buyer.post(f"/api/v1/rfqs/{rfq['id']}/send").json()["status"] == "sent"
    invitation = rfq["vendors"][0]["id"]
    quoted = buyer.post_json(
        f"/api/v1/rfqs/{rfq['id']}/vendors/{invitation}/quote",
        {"prices": [{"line_id": rfq["lines"][0]["id"], "unit_price": "37.25", "lead_time_days": 6}]},
    )
    assert quoted.status_code == 200, quoted.content
    comparison = buyer.get(f"/api/v1/rfqs/{rfq['id']}/comparison").json()
    assert comparison["lines"][0]["best_invitation_id"] == invitation
    assert comparison["totals"][0]["amount_company"] == "745.00"
    orders = buyer.post_json(f"/api/v1/rfqs/{rfq['id']}/award", {})
    assert orders.status_code == 201, orders.content
    assert [(o["vendor_id"], o["total_amount"]) for o in orders.json()] == [(vendor.pk, "901.45")]
    assert buyer.get(f"/api/v1/requisitions/{req['id']}").json()["status"] == "done"


def test_lists_cost_a_fixed_number_of_queries(company, vendor, chair, buyer, accountant):
    for n in range(3):
        order = services.create_order(
            company, vendor=vendor, lines=[{"product": chair, "quantity": 2, "unit_price": "40"}], by=buyer
        )
        services.submit_order(order, by=buyer)
        receive(order)
        services.create_bill_from_order(order, by=accountant, vendor_reference=f"Q-{n}")
        services.set_vendor_price(
            company, vendor=vendor, product=chair, unit_price=str(40 + n), min_quantity=n
        )
        services.create_requisition(company, lines=[{"product": chair, "quantity": 1}])
        services.create_rfq(company, lines=[{"product": chair, "quantity": 1}], vendors=[vendor])
    api = an_api_client(company, "administrator")
    for name, url in (
        ("api.purchase_orders.list", "/api/v1/purchase-orders"),
        ("api.vendor_bills.list", "/api/v1/vendor-bills"),
        ("api.vendor_prices.list", "/api/v1/vendor-prices"),
        ("api.requisitions.list", "/api/v1/requisitions"),
        ("api.rfqs.list", "/api/v1/rfqs"),
    ):
        with query_baseline(__file__, name):
            response = api.get(url)
        assert response.status_code == 200 and len(response.json()["results"]) == 3, url


def test_pdfs_are_served(company, vendor, chair, api):
    order = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 1, "unit_price": "1"}]
    )
    response = api.get(f"/api/v1/purchase-orders/{order.pk}/pdf")
    assert (response.status_code, response["Content-Type"], response.content[:5]) == (
        200,
        "application/pdf",
        b"%PDF-",
    )
    assert Decimal(order.untaxed_amount) == Decimal("1.00")
