"""The portal's demo step: the demo user `portal_customer` signs in to the portal of the customer
with the most documents and finds quotes, orders, invoices and a ticket there."""

from decimal import Decimal

import pytest
from django.test import Client

from kern.core.services import update_company
from kern.parties import services as parties
from kern.portal.demo import load_portal
from kern.portal.models import PortalAccess
from kern.sales import services as sales
from kern.service.models import Ticket
from tests.builders import a_customer, a_product, a_user
from tests.service.factories import an_agent


@pytest.mark.django_db
def test_the_demo_portal_user_sees_the_documents_of_the_busiest_customer(company, settings):
    update_company(company, vat_id="NL123456782B01", iban="NL91ABNA0417164300", bic="ABNANL2A")
    advice = a_product(company, name="Advies", type="service", sale_price=Decimal("95.00"), cost=Decimal("0"))
    quiet = a_customer(company, "Stille Klant")
    parties.add_contact(quiet, first_name="Piet", last_name="Stil", email="piet@stil.test")
    sales.send_quote(
        sales.create_quote(company, customer=quiet, lines=[{"product": advice.pk, "quantity": 1}])
    )
    busy = a_customer(company, "Drukke Klant")
    parties.add_address(busy, kind="billing", street="Dorpsstraat 1", postcode="3511 AB", city="Utrecht")
    parties.add_contact(busy, first_name="Geen", last_name="Mail", email="")
    contact = parties.add_contact(busy, first_name="Els", last_name="Druk", email="els@druk.test")
    quote = sales.send_quote(
        sales.create_quote(company, customer=busy, lines=[{"product": advice.pk, "quantity": 2}])
    )
    order = sales.create_order(company, customer=busy, lines=[{"product": advice.pk, "quantity": 3}])
    sales.confirm_order(order)
    invoice = sales.create_invoice(
        company, customer=busy, lines=[{"product": advice.pk, "quantity": 1}], post=True
    )
    user = a_user(
        company, "portal_customer", username="portal_customer", password=settings.KERN_DEMO_PASSWORD
    )
    ctx = {"company": company, "users": {"portal_customer": user, "service_agent": an_agent(company)}}

    load_portal(ctx)
    load_portal(ctx)  # idempotent

    access = PortalAccess.objects.get()
    assert (access.user, access.contact, access.party) == (user, contact, busy)
    ticket = Ticket.objects.get(customer=busy)
    assert (ticket.channel, ticket.status, ticket.contact) == ("portal", "pending", contact)
    browser = Client()
    assert (
        browser.post(
            "/portal/login/", {"username": "portal_customer", "password": settings.KERN_DEMO_PASSWORD}
        ).status_code
        == 302
    )
    for url, shows in [
        ("/portal/quotes/", quote.number),
        ("/portal/orders/", order.number),
        ("/portal/invoices/", invoice.number),
        ("/portal/tickets/", ticket.number),
    ]:
        page = browser.get(url)
        assert page.status_code == 200 and shows in page.content.decode(), url
