"""The markup a detail page's tab strip needs for the WAI-ARIA tabs pattern, as the server renders
it: one tab stop (tabindex 0 on the open tab, -1 on the others; kern.js moves the focus along the
strip with the arrow keys, Home and End — tests/browser/test_tab_keyboard.py), and a tabpanel with
the id the tabs control, labelled by the open tab, itself a tab stop when it does not start with
something focusable."""

from __future__ import annotations

import pytest
from django.urls import reverse
from lxml import html as lxml_html

from tests.builders import a_customer, a_user, a_web_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def party_page(company):
    party = a_customer(company, "Bakkerij De Vries")
    return reverse("parties:party_detail", kwargs={"pk": party.pk})


@pytest.mark.parametrize(
    ("query", "open_tab"),
    [("", "tab-contacts"), ("?tab=addresses", "tab-addresses"), ("?tab=history", "tab-history")],
)
def test_only_the_open_tab_is_a_tab_stop_and_the_panel_is_labelled_by_it(
    company, party_page, query, open_tab
):
    page = lxml_html.fromstring(
        a_web_client(a_user(company, "administrator")).get(party_page + query).content
    )
    tabs = page.xpath("//ul[@role='tablist']//a[@role='tab']")
    assert len(tabs) >= 3
    assert [(a.get("id"), a.get("tabindex")) for a in tabs] == [
        (a.get("id"), "0" if a.get("id") == open_tab else "-1") for a in tabs
    ]
    assert [a.get("id") for a in tabs if a.get("aria-selected") == "true"] == [open_tab]
    [panel] = page.xpath("//*[@role='tabpanel']")
    assert {a.get("aria-controls") for a in tabs} == {panel.get("id")}
    assert panel.get("aria-labelledby") == open_tab


@pytest.mark.parametrize(
    ("query", "tabindex"),
    [
        ("?tab=contacts", None),  # starts with its "Add contact person" link
        ("?tab=history", "0"),  # a timeline, nothing focusable
    ],
)
def test_the_panel_is_a_tab_stop_unless_it_starts_with_a_link(company, party_page, query, tabindex):
    web = a_web_client(a_user(company, "administrator"))
    for response in (
        web.get(party_page + query),
        web.get(party_page + query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="tab-panel"),
    ):
        [panel] = lxml_html.fromstring(response.content).xpath("//*[@id='tab-panel']")
        assert (panel.get("role"), panel.get("tabindex")) == ("tabpanel", tabindex)
        if tabindex is None:
            first = panel.xpath(".//*[self::a or self::button][1]")
            assert first and first[0].get("href"), "the panel starts with something focusable"
