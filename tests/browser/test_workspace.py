"""The workspace in a real browser: log in, create a customer (fixing a bad VAT id), find it,
switch to Dutch, filter and export the customer list, and be refused another company's customer."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from kern.parties.models import Party
from tests.browser.session import PASSWORD, log_in
from tests.builders import VALID_NL_VAT, a_company, a_customer, a_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_sales_rep_works_through_the_day(browser, seeded, live_server, screenshot):
    base = live_server.url
    company = a_company("Kern Demo BV")
    a_customer(company, "Bestaande Klant BV")
    a_user(company, "sales_rep", username="verkoop", password=PASSWORD)
    other = a_company("Concurrent BV")
    a_user(other, "sales_rep", username="concurrent", password=PASSWORD)

    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base}/login/")
    screenshot(page, "login")
    log_in(page, base, "verkoop")
    screenshot(page, "home")

    # A customer with an invalid VAT id: the error shows next to the field, the typing is kept.
    page.goto(f"{base}/parties/new/")
    page.fill("#id_name", "Browser Klant BV")
    page.check("#id_is_customer")
    page.fill("#id_vat_id", "NL123456789B99")
    page.click("form.kern-form button[type=submit]")
    error = page.locator("#id_vat_id_error")
    assert "is not a valid VAT id" in error.inner_text()
    assert page.input_value("#id_name") == "Browser Klant BV"
    assert page.get_attribute("#id_vat_id", "aria-invalid") == "true"
    screenshot(page, "party-form-error")
    page.fill("#id_vat_id", VALID_NL_VAT[2])
    page.click("form.kern-form button[type=submit]")
    page.wait_for_url(re.compile(r"/parties/\d+/$"))
    party = Party.objects.get(name="Browser Klant BV")
    assert (party.vat_id, party.is_customer, party.company_id) == (VALID_NL_VAT[2], True, company.pk)
    screenshot(page, "party-detail")

    # Global search, results as you type.
    page.goto(f"{base}/")
    page.locator("#global-search").press_sequentially("Browser Kl", delay=20)
    hit = page.locator("#global-search-results a", has_text="Browser Klant BV")
    hit.wait_for()
    screenshot(page, "global-search")
    hit.click()
    page.wait_for_url(f"{base}/parties/{party.pk}/")

    # Dutch.
    page.click("button[name=language][value=nl]")
    page.wait_for_selector("html[lang=nl]")
    areas = page.locator("#nav-areas > li > a").all_inner_texts()
    assert [a.strip() for a in areas][:2] == ["Verkoop", "CRM"]
    assert "Instellingen" in [a.strip() for a in areas]
    screenshot(page, "party-detail-nl")

    # Filter the customer list (htmx swaps the results) and export what is shown.
    page.goto(f"{base}/parties/?is_customer=true")
    assert page.locator("table.kern-list tbody tr").count() == 2
    page.fill("#list-q", "browser")
    expect(page.locator("table.kern-list tbody tr")).to_have_count(1)
    assert "q=browser" in page.url
    screenshot(page, "customer-list-filtered")
    with page.expect_download() as download_info:
        page.click("text=CSV exporteren")
    path = download_info.value.path()
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[0][:2] == ["Nummer", "Naam"]
    assert [r[1] for r in rows[1:]] == ["Browser Klant BV"]

    # Keyboard: "/" focuses the search box.
    page.keyboard.press("Escape")
    page.locator("body").press("/")
    expect(page.locator("#global-search")).to_be_focused()
    context.close()

    # A user of another company cannot open that customer.
    stranger = browser.new_context()
    other_page = stranger.new_page()
    log_in(other_page, base, "concurrent")
    response = other_page.goto(f"{base}/parties/{party.pk}/")
    assert response.status == 404
    assert "This page does not exist" in other_page.content()
    screenshot(other_page, "other-company-404")
    stranger.close()
    assert not [e for e in errors if "Content Security Policy" in e], errors
