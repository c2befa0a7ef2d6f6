"""A detail page's tab strip by keyboard (the WAI-ARIA tabs pattern, manual activation): Tab enters
the strip on the open tab and leaves it again, the arrow keys move the focus along it (wrapping
round), Home and End go to the first and last tab, Enter opens the focused tab — htmx loads its
panel and the open tab, the only tab stop, moves with it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from kern.parties import services as parties
from tests.browser.session import PASSWORD, log_in
from tests.builders import a_company, a_customer, a_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_tab_strip_by_keyboard(browser, seeded, live_server):
    base = live_server.url
    company = a_company("Kern Demo BV")
    a_user(company, "sales_rep", username="verkoop", password=PASSWORD)
    party = a_customer(company, "Bakkerij De Vries")
    parties.add_contact(party, first_name="Anna", last_name="de Vries", email="anna@devries.test")

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, base, "verkoop")
    detail = base + reverse("parties:party_detail", kwargs={"pk": party.pk})
    page.goto(detail)

    ids = page.eval_on_selector_all("[role=tablist] [role=tab]", "tabs => tabs.map(t => t.id)")
    assert len(ids) >= 3 and ids[0] == "tab-contacts" and ids[-1] == "tab-history", ids
    panel = page.locator("#tab-panel")
    expect(panel).to_contain_text("Anna")

    def focused() -> str:
        return page.evaluate("document.activeElement.id")

    def tab_stops() -> list[tuple[str, str | None]]:
        return page.eval_on_selector_all(
            "[role=tablist] [role=tab]", "tabs => tabs.map(t => [t.id, t.getAttribute('tabindex')])"
        )

    assert tab_stops() == [[i, "0" if i == "tab-contacts" else "-1"] for i in ids]
    page.locator("#tab-contacts").focus()
    page.keyboard.press("ArrowRight")
    assert focused() == ids[1]
    page.keyboard.press("End")
    assert focused() == ids[-1]
    page.keyboard.press("Home")
    assert focused() == ids[0]
    page.keyboard.press("ArrowLeft")  # from the first tab round to the last
    assert focused() == ids[-1]
    page.keyboard.press("ArrowRight")  # and from the last back to the first
    assert focused() == ids[0]
    # moving the focus opens nothing (manual activation: each tab loads over the network)
    expect(page.locator("#tab-contacts")).to_have_attribute("aria-selected", "true")
    assert page.url == detail

    # Tab leaves the strip for the panel, Shift+Tab comes back to the open tab
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#tab-panel') !== null")
    page.keyboard.press("Shift+Tab")
    assert focused() == "tab-contacts"

    page.keyboard.press("End")
    page.keyboard.press("Enter")
    history = page.locator("#tab-history")
    expect(history).to_have_attribute("aria-selected", "true")
    expect(page).to_have_url(f"{detail}?tab=history")
    expect(panel).to_have_attribute("aria-labelledby", "tab-history")
    expect(panel).not_to_contain_text("Anna")
    expect(panel).to_contain_text("Created")
    expect(history).to_have_attribute("tabindex", "0")
    assert tab_stops() == [[i, "0" if i == "tab-history" else "-1"] for i in ids]
    assert page.locator("[role=tab][aria-selected=true]").count() == 1
    assert focused() == "tab-history"  # the focus stays on the tab that was opened

    # the panel (a timeline, nothing focusable) is itself the next tab stop
    page.keyboard.press("Tab")
    assert focused() == "tab-panel"

    assert not errors, errors
    context.close()
