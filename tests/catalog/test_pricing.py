"""Prices: the most specific valid list wins; quantity breaks give bulk discounts."""

import datetime as dt
from decimal import Decimal

import pytest

from kern.catalog import selectors, services
from kern.catalog.exceptions import IncompatibleUnits
from kern.catalog.models import Uom
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
