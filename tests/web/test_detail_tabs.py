"""The tabs of a detail page show which one is open: the tab named in the URL, or the first one,
carries Bootstrap's `active` class, `aria-selected="true"` and `aria-current="page"` — on a full
page load and after htmx loads another tab's panel (which swaps the panel alone; kern.js moves the
marker). The bar is an ARIA tablist of tabs that control the panel, a tabpanel labelled by the
open tab."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from lxml import html as lxml_html

from tests.builders import a_customer, a_user, a_web_client

pytestmark = pytest.mark.django_db

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture
def party_page(company):
    party = a_customer(company, "Bakkerij De Vries")
    return reverse("parties:party_detail", kwargs={"pk": party.pk})


def marked(page: bytes | str) -> list[tuple[str, bool, str | None]]:
    """Each tab's link, whether it has the `active` class, and its aria-current."""
    tabs = lxml_html.fromstring(page).xpath("//ul[contains(@class, 'nav-tabs')]//a")
    return [(a.get("href"), "active" in a.get("class").split(), a.get("aria-current")) for a in tabs]


def active_tabs(page: bytes | str) -> list[str]:
    return [href for href, active, current in marked(page) if active and current == "page"]


def selected(page: bytes | str) -> list[tuple[str, str | None]]:
    """Each tab's link and its aria-selected."""
    tabs = lxml_html.fromstring(page).xpath("//ul[contains(@class, 'nav-tabs')]//a")
    return [(a.get("href"), a.get("aria-selected")) for a in tabs]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", "?tab=contacts"),  # the first tab when the URL names none
        ("?tab=addresses", "?tab=addresses"),
        ("?tab=history", "?tab=history"),
        ("?tab=nonsense", "?tab=contacts"),  # an unknown tab opens the first one
    ],
)
def test_the_open_tab_and_only_it_carries_the_marker(company, party_page, query, expected):
    page = a_web_client(a_user(company, "administrator")).get(party_page + query).content
    assert active_tabs(page) == [expected]
    assert [(href, active) for href, active, current in marked(page) if href != expected] == [
        (href, False) for href, _a, _c in marked(page) if href != expected
    ]
    assert all(current is None for href, _a, current in marked(page) if href != expected)
    assert selected(page) == [(href, "true" if href == expected else "false") for href, _s in selected(page)]


@pytest.mark.parametrize("query", ["", "?tab=addresses", "?tab=history"])
def test_the_bar_is_a_tablist_of_tabs_controlling_a_panel_labelled_by_the_open_tab(
    company, party_page, query
):
    web = a_web_client(a_user(company, "administrator"))
    page = lxml_html.fromstring(web.get(party_page + query).content)
    [bar] = page.xpath("//ul[contains(@class, 'nav-tabs')]")
    assert bar.get("role") == "tablist"
    assert {li.get("role") for li in bar.xpath("li")} == {"presentation"}
    tabs = bar.xpath(".//a")
    assert len(tabs) > 2 and {a.get("role") for a in tabs} == {"tab"}
    assert {a.get("aria-controls") for a in tabs} == {"tab-panel"}
    ids = [a.get("id") for a in tabs]
    assert len(set(ids)) == len(ids) and all(ids)
    [open_tab] = [a for a in tabs if a.get("aria-selected") == "true"]
    [panel] = page.xpath("//*[@id='tab-panel']")
    assert (panel.get("role"), panel.get("aria-labelledby")) == ("tabpanel", open_tab.get("id"))
    assert open_tab.get("href") == (query or "?tab=contacts")
    # the panel htmx fetches alone names the tab it belongs to as well
    alone = web.get(
        party_page + (query or "?tab=contacts"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel"
    )
    [swapped] = lxml_html.fromstring(alone.content).xpath("//*[@id='tab-panel']")
    assert (swapped.get("role"), swapped.get("aria-labelledby")) == ("tabpanel", open_tab.get("id"))


def test_htmx_gets_the_panel_alone_so_the_page_must_move_the_marker(company, party_page):
    web = a_web_client(a_user(company, "administrator"))
    full = web.get(party_page).content.decode()
    tab = next(a for a in lxml_html.fromstring(full).xpath("//a[@href='?tab=addresses']"))
    assert (tab.get("hx-get"), tab.get("hx-target"), tab.get("hx-select")) == (
        "?tab=addresses",
        "#tab-panel",
        "#tab-panel",
    )
    panel = web.get(party_page + "?tab=addresses", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel")
    assert b"nav-tabs" not in panel.content  # hence kern.js (the browser test below)


def _static(path: str) -> bytes:
    found = finders.find(path)
    assert found, path
    with open(found, "rb") as f:
        return f.read()


@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is missing: `make browser` installs it")
def test_in_a_browser_the_marker_follows_the_tab_htmx_opens(company, party_page):
    """The page and the panels htmx asks for come from Django's test client; Chromium gets them
    through Playwright's router (no live server, nothing read from the database meanwhile)."""
    from playwright.sync_api import expect, sync_playwright

    web = a_web_client(a_user(company, "administrator"))
    page_html = web.get(party_page).content
    panels = {
        key: web.get(f"{party_page}?tab={key}", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel").content
        for key in ("addresses", "history", "contacts")
    }
    scripts = {
        "/static/django_htmx/htmx-2.min.js": _static("django_htmx/htmx-2.min.js"),
        "/static/web/kern.js": _static("web/kern.js"),
    }

    def serve(route, request):
        url = urlsplit(request.url)
        if url.path in scripts:
            route.fulfill(body=scripts[url.path], content_type="text/javascript")
        elif url.path.startswith("/static/"):
            route.fulfill(status=204)
        elif request.headers.get("hx-request"):
            route.fulfill(body=panels[url.query.removeprefix("tab=")], content_type="text/html")
        else:
            route.fulfill(body=page_html, content_type="text/html")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = chromium.new_page()
            page.route("**/*", serve)
            page.goto(f"http://kern.test{party_page}")
            contacts, addresses = (
                page.locator("a[href='?tab=contacts']"),
                page.locator("a[href='?tab=addresses']"),
            )
            expect(contacts).to_have_attribute("aria-current", "page")
            expect(contacts).to_have_attribute("aria-selected", "true")
            expect(addresses).to_have_attribute("aria-selected", "false")
            addresses.click()
            expect(page).to_have_url(f"http://kern.test{party_page}?tab=addresses")
            expect(addresses).to_have_class("nav-link active")
            expect(addresses).to_have_attribute("aria-current", "page")
            expect(contacts).not_to_have_class("nav-link active")
            assert contacts.get_attribute("aria-current") is None
            expect(addresses).to_have_attribute("aria-selected", "true")
            expect(contacts).to_have_attribute("aria-selected", "false")
            expect(page.locator("#tab-panel")).to_have_attribute("aria-labelledby", "tab-addresses")
            assert page.locator(".nav-tabs .nav-link.active").count() == 1
            page.locator("a[href='?tab=history']").click()
            expect(page.locator("a[href='?tab=history']")).to_have_attribute("aria-current", "page")
            assert page.locator(".nav-tabs [aria-current]").count() == 1
            assert page.locator("[role=tab][aria-selected=true]").count() == 1
            expect(page.locator("[role=tab][aria-selected=true]")).to_have_attribute("href", "?tab=history")
            expect(page.locator("[role=tabpanel]")).to_have_attribute("aria-labelledby", "tab-history")
        finally:
            chromium.close()
