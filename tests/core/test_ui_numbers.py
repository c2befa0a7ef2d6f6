"""The generic pages show numbers as the rest of the UI does (floatformat): an amount with its
currency's decimals ("95.20", never "95.2"; a yen amount without), a quantity, price or rate
without decimals when whole and else with its field's places (at most four), a computed number
with the scale it was rounded to — in the user's language ("95,20" in Dutch). On list pages,
the detail page's fields and the tables on its tabs."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation
from lxml import html as lxml_html

from kern.catalog.models import Product
from kern.core import ui
from kern.core.ui import registry
from kern.core.ui.columns import Column, display_value, resolve_columns
from kern.parties.models import ContactPerson, Party, PaymentTerm
from tests.builders import a_customer, a_user, a_web_client

pytestmark = pytest.mark.django_db


def cell(column: str | Column, obj, language: str = "en") -> str:
    [col] = resolve_columns(type(obj), [column])
    with translation.override(language):
        return col.display(obj)


@pytest.mark.parametrize(
    ("currency", "stored", "english", "dutch"),
    [
        ("EUR", "95.2", "95.20", "95,20"),
        ("EUR", "1500", "1500.00", "1500,00"),
        ("EUR", "0", "0.00", "0,00"),
        (None, "95.2", "95.20", "95,20"),  # no currency: the amount field's two places
        ("JPY", "1500.4", "1500", "1500"),  # the yen has no minor unit
        ("KWD", "12.5", "12.500", "12,500"),  # the dinar has three
    ],
)
def test_an_amount_shows_its_currencys_decimals(currency, stored, english, dutch):
    party = Party(credit_limit=Decimal(stored), currency_id=currency)
    assert (cell("credit_limit", party), cell("credit_limit", party, "nl")) == (english, dutch)


def test_an_amount_on_a_related_record_takes_that_records_currency():
    contact = ContactPerson(party=Party(credit_limit=Decimal("7.5"), currency_id="JPY"))
    assert cell("party__credit_limit", contact, "nl") == "8"
    assert cell("party__credit_limit", ContactPerson(party=None)) == ""


@pytest.mark.parametrize(
    ("stored", "english", "dutch"),
    [("2.5", "2.500", "2,500"), ("3.000", "3", "3"), ("0.125", "0.125", "0,125")],
)
def test_a_quantity_field_shows_its_places_or_none_when_whole(stored, english, dutch):
    product = Product(weight_kg=Decimal(stored))  # three places
    assert (cell("weight_kg", product), cell("weight_kg", product, "nl")) == (english, dutch)


def test_prices_and_percentages_are_not_amounts():
    product = Product(sale_price=Decimal("12.5"))  # four places: a unit price
    assert cell("sale_price", product, "nl") == "12,5000"
    assert cell("sale_price", Product(sale_price=Decimal("12")), "nl") == "12"
    term = PaymentTerm(discount_percent=Decimal("2.5"))  # 5 digits, 2 places
    assert cell("discount_percent", term, "nl") == "2,50"
    assert cell("discount_percent", PaymentTerm(discount_percent=Decimal("3")), "nl") == "3"


def test_computed_numbers_keep_their_scale_and_a_column_can_say_it_is_money():
    party = Party(currency_id="JPY")
    for value, english, dutch in [
        (Decimal("95.20"), "95.20", "95,20"),  # an amount rounded to cents
        (Decimal("12.5"), "12.5", "12,5"),  # a percentage rounded to a tenth
        (Decimal("7.0000"), "7", "7"),  # a quantity
        (Decimal("2.5000"), "2.5000", "2,5000"),
        (Decimal("1.23456789"), "1.2346", "1,2346"),
    ]:
        column = Column("x", value=lambda _row, v=value: v)
        assert (cell(column, party), cell(column, party, "nl")) == (english, dutch)
        with translation.override("nl"):
            assert display_value(value) == dutch
    money = Column("x", value=lambda _row: Decimal("1500.40"), money=True)
    assert cell(money, party) == "1500"  # the row's currency
    chosen = Column("x", value=lambda _row: Decimal("1500.4"), money=True, currency=lambda _row: "KWD")
    assert cell(chosen, party, "nl") == "1500,400"
    row = SimpleNamespace(total=Decimal("3"), order=SimpleNamespace(currency_id="JPY"))
    assert Column("total", money=True, currency="order__currency_id").display(row) == "3"
    assert Column("total", money=True, currency="order__nothing").display(row) == "3.00"
    assert Column("total", money=True, currency=lambda _row: "XXY").display(row) == "3.00"  # unknown


def test_other_values_are_unchanged():
    party = Party(name="Anker BV", is_customer=True)
    assert cell("name", party) == "Anker BV"
    assert (cell("is_customer", party), cell("is_customer", party, "nl")) == ("Yes", "Ja")
    assert display_value(Decimal("NaN")) == "NaN" and display_value(None) == ""


# --- the pages ----------------------------------------------------------------------------------


def texts(page: bytes, xpath: str) -> list[str]:
    return [" ".join(e.text_content().split()) for e in lxml_html.fromstring(page).xpath(xpath)]


@pytest.fixture
def parties(company):
    return [
        a_customer(company, "Anker BV", credit_limit=Decimal("95.2")),
        a_customer(company, "Bever BV", credit_limit=Decimal("1500")),
        a_customer(company, "Cobra KK", credit_limit=Decimal("250000"), currency="JPY"),
    ]


@pytest.mark.parametrize(
    ("language", "expected"), [("en", ["95.20", "1500.00", "250000"]), ("nl", ["95,20", "1500,00", "250000"])]
)
def test_the_list_page_shows_amounts_with_their_decimals(company, parties, language, expected):
    web = a_web_client(a_user(company, "sales_manager"), language=language)
    page = web.get("/parties/", {"cols": ["name", "credit_limit"], "sort": "name"})
    assert page.status_code == 200
    assert texts(page.content, "//table[contains(@class, 'kern-list')]//tbody/tr/td[2]") == expected


@pytest.mark.parametrize(("language", "expected"), [("en", "95.20"), ("nl", "95,20")])
def test_the_detail_page_shows_an_amount_with_its_decimals(company, parties, language, expected):
    web = a_web_client(a_user(company, "sales_manager"), language=language)
    page = web.get(ui.document_url(parties[0])).content
    [label] = [
        dt
        for dt in lxml_html.fromstring(page).xpath("//dt")
        if dt.text_content() in ("Credit limit", "Kredietlimiet")
    ]
    assert " ".join(label.getnext().text_content().split()) == expected


SHARES = {"Anker BV": Decimal("12.50"), "Bever BV": Decimal("0.0000")}


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", [["95.20", "12.50"], ["1500.00", "0"]]), ("nl", [["95,20", "12,50"], ["1500,00", "0"]])],
)
def test_a_tab_table_shows_amounts_and_computed_numbers(company, parties, monkeypatch, language, expected):
    monkeypatch.setitem(registry._TABS, "parties.party", list(registry._TABS.get("parties.party", [])))
    ui.register_tab(
        "parties.party",
        ui.Tab(
            "numbers",
            "Numbers",
            rows=lambda party, request: Party.objects.filter(pk__in=[p.pk for p in parties[:2]]).order_by(
                "name"
            ),
            columns=["credit_limit", ui.Column("share", "Share", value=lambda p: SHARES[p.name])],
        ),
        order=0,
    )
    web = a_web_client(a_user(company, "sales_manager"), language=language)
    page = web.get(ui.document_url(parties[0]), {"tab": "numbers"}).content
    rows = lxml_html.fromstring(page).xpath("//div[@id='tab-panel']//tbody/tr")
    assert [[" ".join(td.text_content().split()) for td in tr.xpath("td")][:2] for tr in rows] == expected
