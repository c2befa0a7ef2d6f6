"""The CRM in a real browser: moving an opportunity on the kanban board (by mouse and by keyboard)
is saved and audited; a rep opens the customer 360 before a call; a rep makes a quote from an
opportunity and finds it linked on the opportunity."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from kern.core.models import AuditEvent
from kern.crm import services as crm
from kern.crm.models import Opportunity, PipelineStage
from tests.browser.session import PASSWORD, log_in
from tests.builders import a_company, a_customer, a_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _wait_for(check, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the server did not save the move in time"
        time.sleep(0.1)


def test_moving_a_card_on_the_kanban_board_by_mouse_and_keyboard(browser, seeded, live_server, screenshot):
    base = live_server.url
    company = a_company("Kern Demo BV")
    rep = a_user(company, "sales_rep", username="verkoop", password=PASSWORD)
    party = a_customer(company, "Hotel Zeezicht")
    opp = crm.create_opportunity(
        company, by=rep, name="Nieuwe bedden", party=party, owner=rep, expected_revenue=Decimal("8000")
    )
    stages = {s.name: s for s in PipelineStage.objects.filter(company=company)}

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    log_in(page, base, "verkoop")
    page.goto(f"{base}/crm/pipeline/")
    card = page.locator(f"#card-{opp.pk}")
    expect(page.locator(f'.kanban-column[data-stage="{stages["New"].pk}"] #card-{opp.pk}')).to_be_visible()
    screenshot(page, "crm-pipeline")

    # Drag to "Proposal": the card lands there once the server has saved the move.
    card.drag_to(page.locator(f'.kanban-column[data-stage="{stages["Proposal"].pk}"]'))
    expect(
        page.locator(f'.kanban-column[data-stage="{stages["Proposal"].pk}"] #card-{opp.pk}')
    ).to_be_visible()
    _wait_for(lambda: Opportunity.objects.get(pk=opp.pk).stage_id == stages["Proposal"].pk)
    expect(page.locator(f'.kanban-column[data-stage="{stages["Proposal"].pk}"] [data-count]')).to_have_text(
        "1"
    )

    # The keyboard: focus the card and press → to move it one stage on.
    card.focus()
    page.keyboard.press("ArrowRight")
    expect(
        page.locator(f'.kanban-column[data-stage="{stages["Negotiation"].pk}"] #card-{opp.pk}')
    ).to_be_visible()
    _wait_for(lambda: Opportunity.objects.get(pk=opp.pk).stage_id == stages["Negotiation"].pk)
    expect(page.locator("#kanban-status")).to_contain_text("Negotiation")
    screenshot(page, "crm-pipeline-moved")

    moved = Opportunity.objects.get(pk=opp.pk)
    assert moved.probability == 75
    changes = [
        e.changes["stage_id"][1]
        for e in AuditEvent.objects.filter(
            model="crm.opportunity", object_id=str(opp.pk), action="update"
        ).order_by("id")
    ]
    assert changes == [stages["Proposal"].pk, stages["Negotiation"].pk]
    assert set(
        AuditEvent.objects.filter(
            model="crm.opportunity", object_id=str(opp.pk), action="update"
        ).values_list("user_id", flat=True)
    ) == {rep.pk}
    assert not [e for e in errors if "Content Security Policy" in e or "Uncaught" in e], errors
    context.close()


def test_a_rep_opens_the_customer_360_before_a_call(browser, seeded, live_server, screenshot):
    base = live_server.url
    company = a_company("Kern Demo BV")
    rep = a_user(company, "sales_rep", username="verkoop", password=PASSWORD)
    party = a_customer(company, "Brouwerij De Leeuw", credit_limit=Decimal("20000"))
    from kern.parties import services as parties

    parties.add_contact(party, first_name="Eva", last_name="Kok", email="eva@leeuw.example", is_primary=True)
    crm.create_opportunity(
        company, by=rep, name="Tapinstallatie", party=party, owner=rep, expected_revenue=Decimal("12000")
    )
    crm.log_activity(
        company, by=rep, kind="call", subject="Intakegesprek", party=party, outcome="Wil offerte"
    )

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    log_in(page, base, "verkoop")
    page.goto(f"{base}/parties/{party.pk}/?tab=crm360")
    page.click("#open-360")
    page.wait_for_url(re.compile(rf"/crm/customers/{party.pk}/$"))
    expect(page.locator("#c360-contacts")).to_contain_text("Eva Kok")
    expect(page.locator("#c360-opportunities")).to_contain_text("Tapinstallatie")
    expect(page.locator("#c360-activities")).to_contain_text("Intakegesprek")
    expect(page.locator("#c360-credit-status")).to_have_text(re.compile("OK"))
    expect(page.locator("#c360-invoices")).to_contain_text("None.")
    expect(page.locator("#c360-tickets")).to_contain_text("None.")
    screenshot(page, "crm-customer-360")
    context.close()


def test_a_rep_makes_a_quote_from_an_opportunity_and_finds_it_on_the_opportunity(
    browser, seeded, live_server, screenshot
):
    from kern.crm.models import OpportunityQuote
    from kern.parties import services as parties
    from kern.sales.models import Quote
    from tests.builders import a_product

    base = live_server.url
    company = a_company("Kern Demo BV")
    rep = a_user(company, "sales_rep", username="verkoop", password=PASSWORD)
    party = a_customer(company, "Hotel Zeezicht")
    parties.add_address(
        party, kind="billing", street="Boulevard 1", postcode="2042 QR", city="Zandvoort", country="NL"
    )
    bed = a_product(company, "BED", name="Hotel bed", sale_price=Decimal("400.00"), cost=Decimal("250.00"))
    opp = crm.create_opportunity(
        company, by=rep, name="Nieuwe bedden", party=party, owner=rep, expected_revenue=Decimal("8000")
    )

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "verkoop")
    page.goto(f"{base}/crm/opportunities/{opp.pk}/")
    page.click("#create-quote")
    page.wait_for_url(re.compile(rf"/crm/opportunities/{opp.pk}/quote/$"))
    page.select_option("#id_product_1", str(bed.pk))
    page.fill("#id_quantity_1", "20")
    page.fill("#id_customer_reference", "Kamers 1-20")
    screenshot(page, "crm-quote-from-opportunity")
    page.click("main form button[type=submit]")

    # Sales' quote builder opens on the new draft, which points back at the opportunity.
    page.wait_for_url(re.compile(r"/sales/quotes/\d+/edit/$"))
    quote = Quote.objects.get(company=company)
    assert page.url.endswith(f"/sales/quotes/{quote.pk}/edit/")
    expect(page.locator("main")).to_contain_text(quote.number)
    assert (quote.customer_id, quote.sales_rep_id, quote.source_type, quote.source_id) == (
        party.pk,
        rep.pk,
        "crm.opportunity",
        opp.pk,
    )
    assert (quote.net_total, quote.customer_reference) == (Decimal("8000.00"), "Kamers 1-20")
    assert OpportunityQuote.objects.get(quote=quote).opportunity_id == opp.pk

    # Back on the opportunity, its Quotes tab lists the quote with a link to it.
    page.goto(f"{base}/crm/opportunities/{opp.pk}/")
    page.click('a.nav-link[href="?tab=quotes"]')
    expect(page.locator("#tab-panel")).to_contain_text(quote.number)
    screenshot(page, "crm-opportunity-quotes")
    page.locator("#tab-panel").get_by_role("link", name=quote.number).click()
    page.wait_for_url(re.compile(rf"/sales/quotes/{quote.pk}/"))
    assert not errors, errors
    context.close()
