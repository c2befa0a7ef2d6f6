"""Service in a real browser: a customer asks a question in the portal (with a script in it that
must not run), an agent answers it on the ticket page, and the customer reads the answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kern.parties import services as parties
from kern.portal.models import PortalAccess
from kern.service import services as service
from kern.service.models import Team, Ticket
from tests.browser.session import PASSWORD, log_in
from tests.builders import a_company, a_customer, a_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_customer_asks_in_the_portal_and_an_agent_answers(browser, seeded, live_server, screenshot):
    base = live_server.url
    company = a_company("Kern Demo BV")
    agent = a_user(company, "service_agent", username="servicedesk", password=PASSWORD)
    service.add_team_member(Team.objects.get(company=company, is_default=True), user=agent)
    customer = a_customer(company, "Bakkerij De Vries")
    contact = parties.add_contact(
        customer, first_name="Anna", last_name="de Vries", email="anna@devries.test"
    )
    article = service.create_article(
        company,
        title="Oven geeft storing",
        body="Zet de oven 10 minuten uit.",
        keywords="oven storing",
        visibility="public",
    )
    service.publish_article(article)
    customer_user = a_user(None, "portal_customer", username="anna", password=PASSWORD)
    PortalAccess.objects.create(company=company, user=customer_user, contact=contact, party=customer)

    context = browser.new_context(viewport={"width": 1300, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status == 404 else None)

    # The customer signs in to the portal and asks a question; the help article is suggested.
    log_in(page, base, "anna", portal=True)
    page.click("text=Ask a question")
    page.fill("#id_subject", "Oven storing")
    expect(page.locator("#kb-suggestions")).to_contain_text("Oven geeft storing")
    page.fill("#id_description", "Hij piept <img src=x onerror=alert(1)><script>alert(2)</script> en stopt.")
    page.click("#new-ticket button[type=submit]")
    expect(page.locator("#ticket-status")).to_have_text("New")
    ticket = Ticket.objects.get(subject="Oven storing")
    assert (ticket.customer, ticket.contact, ticket.assignee, ticket.channel) == (
        customer,
        contact,
        agent,
        "portal",
    )
    screenshot(page, "portal-ticket-new")

    # The agent answers on the ticket page: the customer panel shows who is calling.
    agent_page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    agent_page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    log_in(agent_page, base, "servicedesk")
    agent_page.goto(f"{base}/service/tickets/{ticket.pk}/")
    expect(agent_page.locator("#customer-panel")).to_contain_text("Bakkerij De Vries")
    expect(agent_page.locator("#conversation")).to_contain_text("Hij piept")
    agent_page.fill("#id_body", "Zet de oven tien minuten uit, dan is het over.")
    agent_page.click("#reply-box button[type=submit]")
    expect(agent_page.locator("#ticket-status")).to_have_text("Open")
    expect(agent_page.locator("#conversation")).to_contain_text("tien minuten")
    screenshot(agent_page, "service-ticket-answered")

    # The customer reads the answer in the portal.
    page.goto(f"{base}/portal/tickets/{ticket.pk}/")
    expect(page.locator("#conversation")).to_contain_text("Zet de oven tien minuten uit")
    assert dialogs == [], "a script from the ticket ran in the browser"
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], (errors, missing)
