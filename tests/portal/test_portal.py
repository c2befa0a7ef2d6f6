"""The customer portal as a customer uses it: invited, signs in, asks a question, sees documents."""

import re

import pytest
from django.core import mail
from django.test import Client

from kern.core.exceptions import Conflict
from kern.parties.models import ContactPerson
from kern.portal import services as portal
from kern.portal.models import PortalAccess
from kern.sales.models import QuoteStatus
from kern.service.models import Ticket
from tests.builders import a_customer
from tests.portal.factories import a_portal_customer
from tests.service.factories import an_agent


@pytest.mark.django_db
def test_a_contact_is_invited_by_mail_and_creates_a_login(company, django_capture_on_commit_callbacks):
    from kern.parties import services as parties

    customer = a_customer(company, "Hotel Visser")
    contact = parties.add_contact(customer, first_name="Els", last_name="Visser", email="els@visser.test")
    with django_capture_on_commit_callbacks(execute=True):
        portal.invite_contact(contact)
    link = re.search(r"http://\S+/portal/invitation/(\S+?)/", mail.outbox[-1].body).group(0)
    assert mail.outbox[-1].to == ["els@visser.test"]
    browser = Client()
    weak = browser.post(link, {"password": "kort", "repeat": "kort"})
    assert weak.status_code == 200 and not PortalAccess.objects.exists()
    done = browser.post(link, {"password": "Hotel-Visser-2026!", "repeat": "Hotel-Visser-2026!"})
    assert done.status_code == 302 and done["Location"] == "/portal/"
    access = PortalAccess.objects.get()
    assert (access.contact, access.party, list(access.user.groups.values_list("name", flat=True))) == (
        contact,
        customer,
        ["portal_customer"],
    )
    assert browser.get("/portal/").status_code == 200
    assert Client().get(link).status_code == 404  # used once
    with pytest.raises(Conflict):
        portal.invite_contact(contact)


@pytest.mark.django_db
def test_the_customer_asks_a_question_the_agent_answers_and_the_customer_closes(
    company, django_capture_on_commit_callbacks
):
    agent = an_agent(company)
    w = a_portal_customer(company, documents=False)
    page = w.browser.get("/portal/tickets/new/")
    assert page.status_code == 200
    created = w.browser.post(
        "/portal/tickets/new/",
        {"subject": "Oven stuk", "description": "De oven <script>alert(1)</script>doet het niet"},
    )
    ticket = Ticket.objects.get(subject="Oven stuk")
    assert created.status_code == 302 and (ticket.channel, ticket.customer, ticket.contact) == (
        "portal",
        w.customer,
        w.contact,
    )
    from kern.service import services

    services.add_note(ticket, body="Monteur inplannen", by=agent)
    services.reply_to_ticket(ticket, body="We komen morgen langs.", by=agent)
    detail = w.browser.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert (
        "We komen morgen langs." in detail and "Monteur inplannen" not in detail and "alert(1)" not in detail
    )
    w.browser.post(f"/portal/tickets/{ticket.pk}/", {"body": "Dank!"})
    assert ticket.messages.filter(kind="customer").count() == 2
    w.browser.post(f"/portal/tickets/{ticket.pk}/close/")
    assert Ticket.objects.get(pk=ticket.pk).status == "closed"
    assert w.browser.post(f"/portal/tickets/{ticket.pk}/", {"body": "Nog iets"}).status_code == 200
    assert ticket.messages.filter(kind="customer").count() == 2


@pytest.mark.django_db
def test_documents_downloads_and_accepting_a_quote(company):
    w = a_portal_customer(company)
    for url in [
        "/portal/",
        "/portal/quotes/",
        "/portal/orders/",
        "/portal/invoices/",
        "/portal/statement/",
        "/portal/knowledge/",
        f"/portal/orders/{w.order.pk}/",
    ]:
        assert w.browser.get(url).status_code == 200, url
    invoices = w.browser.get("/portal/invoices/").content.decode()
    assert w.invoice.number in invoices and "Not paid" in invoices
    pdf = w.browser.get(f"/portal/invoices/{w.invoice.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    ubl = w.browser.get(f"/portal/invoices/{w.invoice.pk}/ubl/")
    assert ubl.status_code == 200 and b"<Invoice" in ubl.content
    knowledge = w.browser.get("/portal/knowledge/").content.decode()
    assert w.public_article.title in knowledge and w.internal_article.title not in knowledge
    accepted = w.browser.post(f"/portal/quotes/{w.quote.pk}/", {"name": "Anna de Vries"})
    assert accepted.status_code == 302
    w.quote.refresh_from_db()
    assert (w.quote.status, w.quote.accepted_by_name) == (QuoteStatus.ACCEPTED, "Anna de Vries")


@pytest.mark.django_db
def test_the_contact_updates_their_own_details_only(company):
    w = a_portal_customer(company, documents=False)
    saved = w.browser.post(
        "/portal/profile/",
        {
            "first_name": "Anna",
            "last_name": "Jansen",
            "email": "anna@nieuw.test",
            "phone": "+31 6 1234 5678",
            "language": "en",
            "job_title": "",
        },
    )
    assert saved.status_code == 302
    contact = ContactPerson.objects.get(pk=w.contact.pk)
    assert (contact.last_name, contact.email, contact.language) == ("Jansen", "anna@nieuw.test", "en")
    w.user.refresh_from_db()
    assert w.user.email == "anna@nieuw.test"
    assert contact.party == w.customer
    bad = w.browser.post("/portal/profile/", {"last_name": "", "email": "geen"})
    assert bad.status_code == 200 and ContactPerson.objects.get(pk=w.contact.pk).last_name == "Jansen"


@pytest.mark.django_db
def test_portal_sections_say_none_without_documents(company):
    w = a_portal_customer(company, documents=False)
    for url in [
        "/portal/quotes/",
        "/portal/orders/",
        "/portal/invoices/",
        "/portal/statement/",
        "/portal/tickets/",
    ]:
        page = w.browser.get(url)
        assert page.status_code == 200 and "None" in page.content.decode(), url
