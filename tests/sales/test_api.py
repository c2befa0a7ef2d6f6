"""Sales API: the quote flow with approval and the customer's link, orders with their refusals,
invoices with PDF and UBL, credit notes, returns, teams, and list endpoints that do not grow their
queries with their rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.sales import services
from kern.sales.models import Quote, QuoteStatus, SalesOrder
from tests.builders import an_api_client
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db


def test_the_quote_flow_with_approval_and_the_public_link(world, client):
    rep = an_api_client(world.company, "sales_rep")
    manager = an_api_client(world.company, "sales_manager")
    lines = [{"product_id": world.chair.pk, "quantity": "4", "discount_percent": "20"}]

    preview = rep.post_json("/api/v1/quotes/preview", {"customer_id": world.customer.pk, "lines": lines})
    created = rep.post_json(
        "/api/v1/quotes", {"customer_id": world.customer.pk, "lines": lines, "customer_reference": "PO-1"}
    )

    assert preview.status_code == 200, preview.json()
    body = preview.json()
    assert (body["total"], body["approval_role"], body["may_send"], body["lines"][0]["available"]) == (
        "387.20",
        "sales_manager",
        False,
        "50.0000",
    )
    assert not body["errors"] and not Quote.objects.filter(total=0).exists()
    assert created.status_code == 201, created.json()
    quote = created.json()
    assert (quote["total"], quote["status"], quote["lines"][0]["unit_price"]) == (
        "387.20",
        "draft",
        "80.0000",
    )

    refused = rep.post(f"/api/v1/quotes/{quote['id']}/send")
    assert refused.status_code == 409 and refused.json()["code"] == "approval_required"
    assert rep.post(f"/api/v1/quotes/{quote['id']}/submit").json()["status"] == "to_approve"
    assert rep.post(f"/api/v1/quotes/{quote['id']}/approve").status_code == 403
    assert manager.post(f"/api/v1/quotes/{quote['id']}/approve").json()["status"] == "approved"
    sent = rep.post(f"/api/v1/quotes/{quote['id']}/send")
    assert sent.status_code == 200
    url = sent.json()["acceptance_url"]
    token = url.rstrip("/").rsplit("/", 1)[1]

    altered = client.post(
        f"/api/v1/public/quotes/{token[:-1]}x/accept", data={"name": "Eve"}, content_type="application/json"
    )
    assert altered.status_code == 403 and altered["Content-Type"] == "application/problem+json"
    assert Quote.objects.get(pk=quote["id"]).status == QuoteStatus.SENT
    shown = client.get(f"/api/v1/public/quotes/{token}")
    assert shown.status_code == 200 and shown.json()["total"] == "387.20"
    accepted = client.post(
        f"/api/v1/public/quotes/{token}/accept", data={"name": "P. Jansen"}, content_type="application/json"
    )
    assert accepted.status_code == 200, accepted.json()
    order = SalesOrder.objects.get(number=accepted.json()["order"])
    assert (order.status, order.customer_reference, order.total) == ("confirmed", "PO-1", Decimal("387.20"))
    assert client.get(f"/api/v1/public/quotes/{token}").status_code == 403


def test_orders_refuse_what_their_state_does_not_allow(world):
    api = an_api_client(world.company, "administrator")
    world.customer.credit_limit = Decimal("100.00")
    world.customer.save()
    created = api.post_json(
        "/api/v1/sales-orders",
        {
            "customer_id": world.customer.pk,
            "lines": [{"product_id": world.desk.pk, "quantity": "1"}],
            "confirm": True,
        },
    )
    assert created.status_code == 201, created.json()
    order = created.json()
    assert (order["status"], order["credit_block_reason"]) == (
        "blocked",
        "credit limit 100.00 EUR exceeded: open receivables 0.00 + open orders 0.00 + this order 544.50 = 544.50 EUR",
    )

    shipped = api.post_json(f"/api/v1/sales-orders/{order['id']}/ship", {})
    assert shipped.status_code == 409
    assert (
        shipped.json()["code"] == "order_blocked"
        and "credit limit 100.00 EUR exceeded" in shipped.json()["detail"]
    )
    assert api.post_json(f"/api/v1/sales-orders/{order['id']}/release", {}).json()["status"] == "confirmed"
    assert (
        api.post_json(f"/api/v1/sales-orders/{order['id']}/cancel", {"reason": "Too expensive"}).json()[
            "status"
        ]
        == "cancelled"
    )
    invoiced = api.post_json(f"/api/v1/sales-orders/{order['id']}/invoice", {})
    assert invoiced.status_code == 409
    assert invoiced.json()["code"] == "order_cancelled"
    assert invoiced.json()["detail"].endswith("is cancelled: Too expensive; it cannot be invoiced")


def test_ship_invoice_credit_and_documents(world):
    api = an_api_client(world.company, "administrator")
    order = api.post_json(
        "/api/v1/sales-orders",
        {
            "customer_id": world.customer.pk,
            "lines": [{"product_id": world.chair.pk, "quantity": "3"}],
            "confirm": True,
        },
    ).json()
    line_id = order["lines"][0]["id"]

    shipped = api.post_json(f"/api/v1/sales-orders/{order['id']}/ship", {"quantities": {str(line_id): "2"}})
    assert shipped.status_code == 200, shipped.json()
    assert (
        shipped.json()["order"]["delivery_status"] == "partly"
        and shipped.json()["deliveries"][0]["backorder_id"]
    )
    invoice = api.post_json(f"/api/v1/sales-orders/{order['id']}/invoice", {"post": True})
    assert invoice.status_code == 201, invoice.json()
    invoice = invoice.json()
    assert (invoice["status"], invoice["total"], invoice["lines"][0]["quantity"]) == (
        "posted",
        "242.00",
        "2.0000",
    )

    pdf = api.get(f"/api/v1/customer-invoices/{invoice['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ubl = api.get(f"/api/v1/customer-invoices/{invoice['id']}/ubl")
    assert ubl.status_code == 409 and "VAT number" in ubl.json()["detail"]  # the test company has none

    note = api.post_json(
        f"/api/v1/customer-invoices/{invoice['id']}/credit",
        {"lines": [{"line": invoice["lines"][0]["id"], "quantity": "1"}]},
    )
    assert note.status_code == 201, note.json()
    assert (note.json()["kind"], note.json()["total"], note.json()["original_id"]) == (
        "credit_note",
        "121.00",
        invoice["id"],
    )

    returned = api.post_json(
        f"/api/v1/sales-orders/{order['id']}/returns",
        {"lines": [{"line": line_id, "quantity": "1"}], "authorise": True},
    )
    assert returned.status_code == 201, returned.json()
    rma = returned.json()
    assert rma["status"] == "authorised" and len(rma["receipt_ids"]) == 1
    assert api.post(f"/api/v1/return-authorisations/{rma['id']}/receive").json()["status"] == "received"
    too_many = api.post_json(
        f"/api/v1/sales-orders/{order['id']}/returns", {"lines": [{"line": line_id, "quantity": "5"}]}
    )
    assert too_many.status_code == 409 and too_many.json()["code"] == "over_return"


def test_standalone_invoices_and_bad_input(world):
    api = an_api_client(world.company, "accountant")
    created = api.post_json(
        "/api/v1/customer-invoices",
        {
            "customer_id": world.customer.pk,
            "lines": [
                {"description": "Advice", "quantity": "2", "unit_price": "75", "tax_category": "standard"}
            ],
        },
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["status"], created.json()["number"], created.json()["total"]) == (
        "draft",
        "",
        "181.50",
    )
    posted = api.post(f"/api/v1/customer-invoices/{created.json()['id']}/post")
    assert posted.json()["number"].startswith("INV-")
    assert (
        api.patch_json(f"/api/v1/customer-invoices/{created.json()['id']}", {"notes": "x"}).status_code == 409
    )

    bad = api.post_json(
        "/api/v1/customer-invoices",
        {"customer_id": world.customer.pk, "lines": [{"quantity": "1", "unit_price": "1"}]},
    )
    assert bad.status_code == 422 and "lines[0].description" in bad.json()["errors"]
    negative = api.post_json(
        "/api/v1/quotes",
        {"customer_id": world.customer.pk, "lines": [{"product_id": world.chair.pk, "quantity": "-1"}]},
    )
    assert negative.status_code == 422
    stranger = api.post_json(
        "/api/v1/customer-invoices",
        {"customer_id": 987654, "lines": [{"description": "x", "quantity": "1", "unit_price": "1"}]},
    )
    assert stranger.status_code == 422 and stranger.json()["errors"] == {"customer": ["unknown customer"]}


def test_teams_and_the_credit_position(world):
    api = an_api_client(world.company, "sales_manager")
    team = api.post_json(
        "/api/v1/sales-teams",
        {"name": "Binnendienst", "manager_id": world.manager.pk, "member_ids": [world.rep.pk]},
    )
    assert team.status_code == 201, team.json()
    assert team.json()["member_ids"] == [world.rep.pk]
    assert api.post_json("/api/v1/sales-teams", {"name": "Binnendienst"}).status_code == 422
    quote = services.create_quote(
        world.company,
        customer=world.customer,
        lines=[{"product": world.chair.pk, "quantity": 1}],
        by=world.rep,
    )
    assert quote.team_id == team.json()["id"]
    credit = api.get(f"/api/v1/customers/{world.customer.pk}/credit").json()
    assert credit == {
        "limit": "0.00",
        "receivables": "0.00",
        "open_orders": "0.00",
        "used": "0.00",
        "available": None,
    }


def test_list_endpoints_do_not_grow_queries_with_rows(world):
    api = an_api_client(world.company, "administrator")
    for n in range(6):
        order = services.create_order(
            world.company, customer=world.customer, lines=[{"product": world.chair.pk, "quantity": 1}]
        )
        services.create_quote(
            world.company, customer=world.customer, lines=[{"product": world.hour.pk, "quantity": n + 1}]
        )
        services.confirm_order(order)
        services.create_invoice(
            world.company,
            customer=world.customer,
            lines=[{"description": "Fee", "quantity": 1, "unit_price": "5"}],
        )
    for name, url, rows in (
        ("api.quotes.list", "/api/v1/quotes?page_size=50", 6),
        ("api.sales_orders.list", "/api/v1/sales-orders?page_size=50", 6),
        ("api.customer_invoices.list", "/api/v1/customer-invoices?page_size=50", 6),
    ):
        with query_baseline(__file__, name):
            assert len(api.get(url).json()["results"]) == rows
