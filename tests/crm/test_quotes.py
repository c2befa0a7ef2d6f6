"""Quotes made from an opportunity: sales' CPQ prices them, the CRM links them back."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core.exceptions import InvalidTransition
from kern.crm import selectors, services
from kern.crm.models import OpportunityQuote
from kern.parties import services as parties
from kern.sales.models import Quote, QuoteStatus
from tests.builders import a_customer, a_product, a_user, a_web_client
from tests.crm.factories import an_opportunity

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def deal(company):
    rep = a_user(company, "sales_rep")
    customer = a_customer(company, "Hotel Zeezicht")
    parties.add_address(
        customer, kind="billing", street="Boulevard 1", postcode="2042 QR", city="Zandvoort", country="NL"
    )
    contact = parties.add_contact(customer, first_name="Eva", last_name="Kok", is_primary=True)
    bed = a_product(company, "BED", name="Hotel bed", sale_price=D("400.00"), cost=D("250.00"))
    opp = an_opportunity(company, party=customer, contact=contact, owner=rep, name="Nieuwe bedden", by=rep)
    return {"company": company, "rep": rep, "customer": customer, "contact": contact, "bed": bed, "opp": opp}


def test_a_quote_from_an_opportunity_is_priced_by_sales_and_linked_back(deal):
    opp, rep = deal["opp"], deal["rep"]
    quote = services.create_quote_for_opportunity(
        opp, by=rep, lines=[{"product": deal["bed"].pk, "quantity": 20, "discount_percent": "10"}]
    )
    assert (quote.status, quote.customer_id, quote.contact_id, quote.sales_rep_id) == (
        QuoteStatus.DRAFT,
        deal["customer"].pk,
        deal["contact"].pk,
        rep.pk,
    )
    assert (quote.source_type, quote.source_id, quote.currency_id) == ("crm.opportunity", opp.pk, "EUR")
    assert (quote.net_total, quote.total) == (D("7200.00"), D("8712.00"))
    assert OpportunityQuote.objects.get(quote=quote).opportunity_id == opp.pk
    second = services.create_quote_for_opportunity(
        opp, by=rep, lines=[{"product": deal["bed"].pk, "quantity": 1}]
    )
    assert list(selectors.quotes_for_opportunity(opp)) == [second, quote]


def test_a_closed_opportunity_gets_no_quote_and_nothing_is_written(deal, company):
    opp = deal["opp"]
    services.mark_lost(opp, lost_reason=_a_lost_reason(company))
    with pytest.raises(InvalidTransition):
        services.create_quote_for_opportunity(
            opp, by=deal["rep"], lines=[{"product": deal["bed"].pk, "quantity": 1}]
        )
    assert (Quote.objects.count(), OpportunityQuote.objects.count()) == (0, 0)


def _a_lost_reason(company):
    from kern.crm.models import LostReason

    return LostReason.objects.filter(company=company).first()


def test_quotes_through_the_api(deal, api, company):
    opp = deal["opp"]
    created = api.post_json(
        f"/api/v1/crm/opportunities/{opp.pk}/quotes",
        {"lines": [{"product_id": deal["bed"].pk, "quantity": "2"}], "customer_reference": "PO-77"},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["net_total"], body["source_type"], body["source_id"], body["sales_rep_id"]) == (
        "800.00",
        "crm.opportunity",
        opp.pk,
        deal["rep"].pk,
    )
    listed = api.get(f"/api/v1/crm/opportunities/{opp.pk}/quotes").json()
    assert [q["number"] for q in listed] == [body["number"]]
    bad = api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/quotes", {"lines": [{"product_id": 10**9}]})
    assert bad.status_code == 422, bad.content
    assert bad["Content-Type"].startswith("application/problem+json")
    services.mark_lost(opp, lost_reason=_a_lost_reason(company))
    closed = api.post_json(f"/api/v1/crm/opportunities/{opp.pk}/quotes", {})
    assert closed.status_code == 409, closed.content
    assert Quote.objects.count() == 1


def test_the_opportunity_page_makes_a_quote_and_lists_it(deal):
    opp, rep = deal["opp"], deal["rep"]
    client = a_web_client(rep)
    detail = client.get(f"/crm/opportunities/{opp.pk}/").content.decode()
    assert f'href="/crm/opportunities/{opp.pk}/quote/"' in detail
    assert client.get(f"/crm/opportunities/{opp.pk}/quote/").status_code == 200
    # No product: a form error, nothing made.
    empty = client.post(f"/crm/opportunities/{opp.pk}/quote/", {"quantity_1": "2"})
    assert empty.status_code == 422
    assert Quote.objects.count() == 0
    response = client.post(
        f"/crm/opportunities/{opp.pk}/quote/",
        {"product_1": deal["bed"].pk, "quantity_1": "3", "customer_reference": "Kamer 12"},
    )
    quote = Quote.objects.get()
    assert response.status_code == 302, response.content
    assert response["Location"] == f"/sales/quotes/{quote.pk}/edit/"
    assert (quote.net_total, quote.customer_reference, quote.source_id) == (D("1200.00"), "Kamer 12", opp.pk)
    tab = client.get(f"/crm/opportunities/{opp.pk}/?tab=quotes").content.decode()
    assert quote.number in tab


def test_quoting_a_closed_opportunity_on_the_page_is_a_message_not_an_error(deal, company):
    opp = deal["opp"]
    services.mark_lost(opp, lost_reason=_a_lost_reason(company))
    client = a_web_client(deal["rep"])
    response = client.post(f"/crm/opportunities/{opp.pk}/quote/", {"product_1": deal["bed"].pk})
    assert response.status_code == 422
    assert "reopen it to quote" in response.content.decode()
    assert Quote.objects.count() == 0
