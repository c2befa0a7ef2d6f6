"""A sales refusal reads in the user's language as a whole: the problem+json title (translated
when the problem is rendered, like core's) as well as the detail. `code` and `type` stay the same
in every language, and the class's `title` stays the English source text."""

from __future__ import annotations

import pytest

from kern.sales import exceptions
from tests.builders import an_api_client
from tests.refusals import assert_titles_read_in_dutch, refusals_with_their_own_title

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}

TITLES = {
    exceptions.InvalidConfiguration: ("Invalid product configuration", "Ongeldige productconfiguratie"),
    exceptions.ApprovalRequired: ("Approval required", "Goedkeuring vereist"),
    exceptions.ApprovalNotAllowed: ("Not allowed to approve", "Goedkeuren niet toegestaan"),
    exceptions.LinkInvalid: ("This link is not valid", "Deze link is niet geldig"),
    exceptions.NothingToInvoice: ("Nothing to invoice", "Niets te factureren"),
}


def test_every_sales_refusal_with_its_own_title_has_it_in_dutch():
    assert refusals_with_their_own_title(exceptions) == set(TITLES)
    assert_titles_read_in_dutch(TITLES, untitled_message_is_title=True)


def test_invoicing_an_order_with_nothing_delivered_is_refused_in_dutch_title_and_detail(world):
    api = an_api_client(world.company, "administrator")
    order = api.post_json(
        "/api/v1/sales-orders",
        {
            "customer_id": world.customer.pk,
            "lines": [{"product_id": world.chair.pk, "quantity": "2"}],
            "confirm": True,
        },
    ).json()

    dutch = api.post_json(f"/api/v1/sales-orders/{order['id']}/invoice", {}, **DUTCH)
    english = api.post_json(f"/api/v1/sales-orders/{order['id']}/invoice", {})

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["title"] == "Niets te factureren"
    assert dutch.json()["detail"] == (
        f"order {order['number']} heeft niets te factureren: alles wat geleverd is, is gefactureerd"
        " (die factureert geleverde aantallen)"
    )
    assert english.json()["title"] == "Nothing to invoice"
    assert english.json()["detail"] == (
        f"order {order['number']} has nothing to invoice: everything delivered is invoiced"
        " (it invoices delivered quantities)"
    )
    assert (dutch.json()["code"], dutch.json()["type"]) == (english.json()["code"], english.json()["type"])
    assert dutch.json()["code"] == "nothing_to_invoice"


def test_sending_a_quote_that_needs_approval_is_refused_in_dutch_title_and_detail(world):
    api = an_api_client(world.company, "sales_rep")
    quote = api.post_json(
        "/api/v1/quotes",
        {
            "customer_id": world.customer.pk,
            "lines": [{"product_id": world.chair.pk, "quantity": "1", "discount_percent": "35"}],
        },
    )
    assert quote.status_code == 201, quote.content
    quote = quote.json()

    dutch = api.post_json(f"/api/v1/quotes/{quote['id']}/send", {}, **DUTCH)
    english = api.post_json(f"/api/v1/quotes/{quote['id']}/send", {})

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch.json()["code"] == english.json()["code"] == "approval_required"
    assert dutch.json()["title"] == "Goedkeuring vereist"
    assert dutch.json()["detail"].startswith(
        f"offerte {quote['number']} moet worden goedgekeurd voordat die wordt verstuurd: korting 35%"
    )
    assert english.json()["title"] == "Approval required"
    assert english.json()["detail"].startswith(
        f"quote {quote['number']} needs approval before it is sent: discount 35%"
    )


def test_asking_the_acceptance_link_of_a_quote_not_sent_is_refused_in_dutch(world):
    api = an_api_client(world.company, "sales_rep")
    quote = api.post_json(
        "/api/v1/quotes",
        {"customer_id": world.customer.pk, "lines": [{"product_id": world.chair.pk, "quantity": "1"}]},
    ).json()

    dutch = api.get(f"/api/v1/quotes/{quote['id']}/acceptance-link", **DUTCH)
    english = api.get(f"/api/v1/quotes/{quote['id']}/acceptance-link")

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch.json()["detail"] == f"offerte {quote['number']} is niet verstuurd; verstuur hem eerst"
    assert english.json()["detail"] == f"quote {quote['number']} is not sent; send it first"
