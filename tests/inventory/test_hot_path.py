"""The O2C hot path reads with queries the ORM builds once per process (`Prepared`): the results
are what the ORM-built queries give, and every call reads the database (a change made anywhere,
in another process too, is seen by the next call)."""

from decimal import Decimal

import pytest
from django.db.models.sql.compiler import SQLCompiler

from kern.inventory import selectors, services
from kern.inventory.models import Location, LocationKind, Quant, Warehouse
from kern.inventory.selectors import ROUTE_FIELDS
from kern.inventory.services import MoveSpec
from tests.builders import a_product, in_stock

D = Decimal


def _fields(obj):
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


@pytest.mark.django_db
@pytest.mark.parametrize("names", [ROUTE_FIELDS, ("stock_location", "customer_location"), ()])
def test_the_default_warehouse_is_the_one_the_orm_reads(company, names):
    expected = Warehouse.objects.filter(company=company, is_active=True).order_by("id").select_related(*names)
    expected = expected.first()
    for _ in range(2):  # compiled, then only executed
        got = selectors.default_warehouse(company, locations=names)
        assert _fields(got) == _fields(expected)
        assert got._state.adding is False and got._state.db == expected._state.db
        for name in names:
            assert name in got._state.fields_cache
            assert _fields(getattr(got, name)) == _fields(getattr(expected, name))
            assert getattr(got, name)._state.adding is False
        assert _fields(got) == _fields(Warehouse.objects.get(pk=got.pk))  # audit snapshot is the row's


@pytest.mark.django_db
def test_a_warehouse_or_location_changed_elsewhere_is_seen_by_the_next_call(company):
    first = selectors.default_warehouse(company)
    # Written with plain UPDATEs, as another process (or the admin) would.
    Location.objects.filter(pk=first.stock_location_id).update(path="/0/", name="Moved")
    assert selectors.default_warehouse(company).stock_location.name == "Moved"
    assert selectors.default_warehouse(company).stock_location.path == "/0/"
    other = Location.objects.create(
        company=company, name="Elsewhere", full_name="Elsewhere", kind=LocationKind.CUSTOMER, path="/"
    )
    Warehouse.objects.filter(pk=first.pk).update(customer_location=other, allow_negative_stock=True)
    again = selectors.default_warehouse(company)
    assert (again.customer_location.pk, again.customer_location.name) == (other.pk, "Elsewhere")
    assert again.allow_negative_stock is True
    Warehouse.objects.filter(pk=first.pk).update(customer_location=None)
    assert selectors.default_warehouse(company).customer_location is None
    second = Warehouse.objects.create(company=company, code="WH2", name="Second")
    Warehouse.objects.filter(pk=first.pk).update(is_active=False)
    assert selectors.default_warehouse(company).pk == second.pk
    Warehouse.objects.filter(pk=second.pk).update(is_active=False)
    with pytest.raises(Exception, match="no warehouse"):
        selectors.default_warehouse(company)


@pytest.fixture
def compiled_models(monkeypatch):
    """The models of the SELECTs the ORM compiles while the fixture is active."""
    seen: list[type] = []
    original = SQLCompiler.as_sql

    def as_sql(self, *args, **kwargs):
        if type(self) is SQLCompiler:
            seen.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", as_sql)
    return seen


@pytest.mark.django_db
def test_reserving_and_shipping_build_their_selects_once(company, compiled_models):
    from kern.inventory.models import CostLayer

    products = [a_product(company, f"HOT{i}", cost=D("5") + i) for i in range(3)]
    for product in products:
        in_stock(product, 100)

    def cycle():
        delivery = services.create_delivery(company, lines=[MoveSpec(p, D("2")) for p in products])
        services.ship_delivery(delivery)
        return delivery

    cycle()
    compiled_models.clear()
    delivery = cycle()
    assert delivery.status == "done"
    assert not {Warehouse, Quant, CostLayer} & set(compiled_models), compiled_models
    assert [q.reserved for q in Quant.objects.filter(product__in=products)] == [D("0")] * 3
    assert sorted(q.quantity for q in Quant.objects.filter(product__in=products)) == [D("96")] * 3


@pytest.mark.django_db
def test_a_quant_changed_elsewhere_is_seen_by_the_next_reservation(company):
    product = a_product(company, "HOTQ")
    in_stock(product, 5)
    services.create_delivery(company, lines=[MoveSpec(product, D("2"))])
    # Another process takes stock with a plain UPDATE: the next reservation must see it.
    Quant.objects.filter(product=product).update(reserved=D("5"))
    delivery = services.create_delivery(company, lines=[MoveSpec(product, D("1"))], allow_partial=True)
    assert delivery.status == "waiting"
    Quant.objects.filter(product=product).update(reserved=D("2"))
    delivery = services.create_delivery(company, lines=[MoveSpec(product, D("3"))])
    assert delivery.status == "ready"
