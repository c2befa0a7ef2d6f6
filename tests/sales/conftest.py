"""Fixtures for the sales tests: a company with a customer, stocked products and users per role."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.inventory import services as inventory
from kern.parties import services as parties
from tests.builders import a_customer, a_product, a_user


@pytest.fixture
def world(company):
    """Acme with "Jansen BV" (Dutch, 2/10 net 30), chairs and desks in stock and a consultancy hour."""

    class World:
        pass

    w = World()
    w.company = company
    w.term = parties.create_payment_term(
        company, name="2/10 net 30", net_days=30, discount_days=10, discount_percent=Decimal("2")
    )
    w.customer = a_customer(company, "Jansen BV", payment_term=w.term)
    parties.add_address(
        w.customer, street="Kerkstraat 1", postcode="3511 AB", city="Utrecht", country="NL", kind="billing"
    )
    w.chair = a_product(company, "CHAIR", name="Chair", sale_price=Decimal("100.00"), cost=Decimal("60.00"))
    w.desk = a_product(company, "DESK", name="Desk", sale_price=Decimal("450.00"), cost=Decimal("300.00"))
    w.hour = a_product(
        company,
        "HOUR",
        name="Consultancy hour",
        type="service",
        sale_price=Decimal("95.00"),
        cost=Decimal("0"),
    )
    inventory.adjust_stock(
        company,
        lines=[
            inventory.MoveSpec(w.chair, Decimal("50"), unit_cost=Decimal("60.00")),
            inventory.MoveSpec(w.desk, Decimal("10"), unit_cost=Decimal("300.00")),
        ],
    )
    w.rep = a_user(company, "sales_rep")
    w.manager = a_user(company, "sales_manager")
    w.admin = a_user(company, "administrator")
    w.accountant = a_user(company, "accountant")
    return w
