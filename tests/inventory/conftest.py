"""Fixtures for the inventory tests: the company's main warehouse and a few products."""

from decimal import Decimal

import pytest

from kern.catalog import services as catalog_services
from kern.inventory import selectors
from tests.builders import a_customer, a_product, a_vendor


@pytest.fixture
def wh(company):
    return selectors.default_warehouse(company)


@pytest.fixture
def customer(company):
    return a_customer(company, "Bakker BV")


@pytest.fixture
def vendor(company):
    return a_vendor(company, "Houthandel Jansen")


@pytest.fixture
def fifo(company):
    return catalog_services.create_category(company, name="FIFO goods", costing_method="fifo")


@pytest.fixture
def average(company):
    return catalog_services.create_category(company, name="Average goods", costing_method="average")


@pytest.fixture
def chair(company, average):
    return a_product(company, "CHAIR", name="Chair", cost=Decimal("40.00"), category=average)


@pytest.fixture
def desk(company, fifo):
    return a_product(company, "DESK", name="Desk", cost=Decimal("150.00"), category=fifo)
