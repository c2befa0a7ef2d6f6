from __future__ import annotations

from decimal import Decimal

import pytest

from tests.builders import a_product, a_user, a_vendor


@pytest.fixture
def buyer(company):
    return a_user(company, "buyer")


@pytest.fixture
def controller(company):
    return a_user(company, "controller")


@pytest.fixture
def accountant(company):
    return a_user(company, "accountant")


@pytest.fixture
def vendor(company):
    return a_vendor(company, "Houthandel Jansen", email="verkoop@jansen.example", vat_id="NL123456794B01")


@pytest.fixture
def chair(company):
    return a_product(company, "CHAIR", name="Chair", cost=Decimal("40.00"), sale_price=Decimal("80.00"))


@pytest.fixture
def table(company):
    return a_product(company, "TABLE", name="Table", cost=Decimal("150.00"), sale_price=Decimal("300.00"))
