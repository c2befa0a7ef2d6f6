"""Prices: the most specific valid list wins; quantity breaks give bulk discounts."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from kern.catalog import selectors, services
from kern.catalog.exceptions import IncompatibleUnits
from kern.catalog.models import PriceListItem, Uom
from kern.core.exceptions import ValidationFailed
from tests.builders import a_company, a_customer, a_product


@pytest.fixture
def shop(db):
    company = a_company()
    chair = a_product(company, "CHAIR", sale_price=Decimal("100.00"))
    general = services.create_price_list(company, name="Staffel", priority=20)
    services.set_price_list_item(general, chair, min_quantity=Decimal("10"), discount_percent=Decimal("5"))
    services.set_price_list_item(general, chair, min_quantity=Decimal("50"), unit_price=Decimal("85.00"))
    return company, chair


def test_quantity_breaks_of_the_general_list(shop):
    _company, chair = shop
    price = lambda q, **kw: selectors.price_for(chair, quantity=Decimal(q), **kw).unit_price  # noqa: E731
    assert (price("1"), price("10"), price("49"), price("50")) == (
        Decimal("100.00"),
        Decimal("95.0000"),
        Decimal("95.0000"),
        Decimal("85.00"),
    )
    assert selectors.price_for(chair, quantity=Decimal("10")).discount_percent == Decimal("5.00")


def test_a_group_list_beats_the_general_one_and_a_customers_own_list_beats_both(shop):
    company, chair = shop
    wholesale = a_customer(company, "Groothandel", tags=["Wholesale"])
    own = a_customer(company, "Vaste klant", tags=["Wholesale"])
    tag = wholesale.tags.get()
    group = services.create_price_list(company, name="Groothandel", party_tag=tag)
    services.set_price_list_item(group, chair, discount_percent=Decimal("12.5"))
    contract = services.create_price_list(company, name="Contract", party=own)
    services.set_price_list_item(contract, chair, unit_price=Decimal("80"))
    assert selectors.price_for(chair, quantity=Decimal("1"), party=wholesale).unit_price == Decimal("87.5000")
    assert selectors.price_for(chair, quantity=Decimal("1"), party=own).unit_price == Decimal("80")
    assert selectors.price_for(chair, quantity=Decimal("1"), party=a_customer(company)).unit_price == Decimal(
        "100.00"
    )


def test_lists_outside_their_validity_or_inactive_are_ignored(shop):
    company, chair = shop
    promo = services.create_price_list(
        company, name="Actie", priority=1, valid_from=dt.date(2026, 6, 1), valid_to=dt.date(2026, 6, 30)
    )
    services.set_price_list_item(promo, chair, unit_price=Decimal("70"))
    assert selectors.price_for(chair, quantity=Decimal("1"), on=dt.date(2026, 6, 15)).unit_price == Decimal(
        "70"
    )
    assert selectors.price_for(chair, quantity=Decimal("1"), on=dt.date(2026, 7, 1)).unit_price == Decimal(
        "100.00"
    )
    services.update_price_list(promo, is_active=False)
    assert selectors.price_for(chair, quantity=Decimal("1"), on=dt.date(2026, 6, 15)).unit_price == Decimal(
        "100.00"
    )


def test_a_price_break_needs_a_price_or_a_discount_not_both(shop):
    company, chair = shop
    price_list = services.create_price_list(company, name="Fout")
    with pytest.raises(ValidationFailed):
        services.set_price_list_item(
            price_list, chair, unit_price=Decimal("1"), discount_percent=Decimal("1")
        )
    with pytest.raises(ValidationFailed):
        services.set_price_list_item(price_list, chair)
    with pytest.raises(ValidationFailed):
        services.create_price_list(
            company, name="Range", valid_from=dt.date(2026, 2, 1), valid_to=dt.date(2026, 1, 1)
        )


@pytest.mark.django_db
def test_units_convert_within_their_category_only():
    pcs, dozen, kg, g, hour = (Uom.objects.get(code=c) for c in ("pcs", "dozen", "kg", "g", "h"))
    assert selectors.convert_quantity(Decimal("3"), dozen, pcs) == Decimal("36")
    assert selectors.convert_quantity(Decimal("250"), g, kg) == Decimal("0.25")
    with pytest.raises(IncompatibleUnits) as err:
        selectors.convert_quantity(Decimal("1"), kg, hour)
    assert err.value.status == 422 and "kg" in err.value.message and "h" in err.value.message


def _reference_prices(company, items, *, party, on, currency):
    """The rule written out the slow way: the valid lists in rank order, then each product's best break."""
    lists = selectors.price_lists_for(company, party=party, on=on, currency=currency)
    out = []
    for product, quantity in items:
        found = None
        for pl in lists:
            rows = PriceListItem.objects.filter(
                price_list=pl, product=product, min_quantity__lte=quantity
            ).order_by("-min_quantity")
            row = rows.first()
            if row is not None:
                price = row.unit_price
                if price is None:
                    price = (product.sale_price * (100 - row.discount_percent) / 100).quantize(
                        Decimal("0.0001")
                    )
                found = (price, pl.pk, row.min_quantity)
                break
        out.append(found or (product.sale_price, None, Decimal("0")))
    return out


def test_a_documents_prices_come_from_one_prepared_query_and_follow_the_rule(shop, django_assert_num_queries):
    company, chair = shop
    table = a_product(company, "TABLE", sale_price=Decimal("300.00"))
    lamp = a_product(company, "LAMP", sale_price=Decimal("40.00"))
    wholesale = a_customer(company, "Groothandel", tags=["Wholesale"])
    own = a_customer(company, "Vaste klant", tags=["Wholesale"])
    tag = wholesale.tags.get()
    group = services.create_price_list(company, name="Groothandel", party_tag=tag, priority=5)
    services.set_price_list_item(group, chair, discount_percent=Decimal("12.5"))
    services.set_price_list_item(group, table, min_quantity=Decimal("3"), unit_price=Decimal("250"))
    contract = services.create_price_list(company, name="Contract", party=own)
    services.set_price_list_item(contract, chair, min_quantity=Decimal("5"), unit_price=Decimal("80"))
    same_rank = services.create_price_list(company, name="Ook algemeen", priority=20)
    services.set_price_list_item(same_rank, lamp, unit_price=Decimal("39"))
    usd = services.create_price_list(company, name="Dollars", currency="USD", priority=1)
    services.set_price_list_item(usd, lamp, unit_price=Decimal("45"))
    on = dt.date.today()
    for party in (None, wholesale, own, a_customer(company, "Los")):
        for quantities in (("1", "1", "1"), ("5", "3", "2"), ("60", "2", "1"), ("10", "10", "10", "1")):
            products = [chair, table, lamp, chair][: len(quantities)]
            items = [(p, Decimal(q)) for p, q in zip(products, quantities, strict=True)]
            with django_assert_num_queries(1):
                prices = selectors.prices_for(company, items, party=party, on=on)
            got = [(p.unit_price, p.price_list_id, p.min_quantity) for p in prices]
            assert got == _reference_prices(company, items, party=party, on=on, currency="EUR")
    # Compiled once per shape and used: not fallen back to building the query on every call.
    assert selectors._CANDIDATES._compiled and all(
        c is not None for c in selectors._CANDIDATES._compiled.values()
    )
    assert selectors.prices_for(company, [(lamp, Decimal("1"))], currency="USD")[0].unit_price == Decimal(
        "45"
    )


def test_a_price_changed_by_another_process_is_seen_on_the_next_call(shop):
    company, chair = shop
    customer = a_customer(company, "Klant", tags=["Retail"])
    price = lambda: selectors.prices_for(company, [(chair, Decimal("10"))], party=customer)[0]  # noqa: E731
    assert price().unit_price == Decimal("95.0000")
    # Another process changes the row under us (no service of this process is told).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE catalog_pricelistitem SET discount_percent = 20 WHERE product_id = %s AND min_quantity = 10",
            [chair.pk],
        )
    assert price().unit_price == Decimal("80.0000")
    # A new list for the customer's group wins from now on; so does a customer's own list.
    group = services.create_price_list(company, name="Retail", party_tag=customer.tags.get())
    services.set_price_list_item(group, chair, unit_price=Decimal("90"))
    assert (price().unit_price, price().price_list_id) == (Decimal("90"), group.pk)
    own = services.create_price_list(company, name="Eigen", party=customer)
    services.set_price_list_item(own, chair, unit_price=Decimal("70"))
    assert price().unit_price == Decimal("70")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_pricelist SET is_active = %s WHERE id = %s", [False, own.pk])
    assert price().unit_price == Decimal("90")
