"""Warehouses, the location tree, lots and reorder rules."""

from decimal import Decimal

import pytest

from kern.core.exceptions import Conflict, ValidationFailed
from kern.inventory import selectors, services
from kern.inventory.models import Location, LocationKind, Quant, Warehouse
from tests.builders import a_company, a_product, a_warehouse, in_stock


@pytest.mark.django_db
def test_a_new_company_gets_virtual_locations_and_a_main_warehouse():
    company = a_company("Nieuw")
    kinds = set(
        Location.objects.filter(company=company, warehouse__isnull=True).values_list("kind", flat=True)
    )
    assert kinds == {"view", "supplier", "customer", "production", "adjustment", "scrap", "transit"}
    wh = selectors.default_warehouse(company)
    assert (wh.code, wh.view_location.full_name, wh.stock_location.full_name) == ("WH", "WH", "WH/Stock")
    assert wh.customer_location.full_name == "Partners/Customers"
    assert wh.supplier_location.kind == LocationKind.SUPPLIER
    # Idempotent: installing again adds nothing.
    before = Location.objects.filter(company=company).count()
    assert services.install_defaults(company) == wh
    assert Location.objects.filter(company=company).count() == before


@pytest.mark.django_db
def test_locations_form_a_tree_with_full_names_and_unique_barcodes(company, wh):
    zone = services.create_location(wh.stock_location, name="A", kind=LocationKind.VIEW)
    aisle = services.create_location(zone, name="01")
    bin_ = services.create_location(aisle, name="03", barcode="BIN-A0103")
    assert bin_.full_name == "WH/Stock/A/01/03"
    assert bin_.warehouse_id == wh.pk
    in_zone = Location.objects.filter(pk=zone.pk) | Location.objects.filter(
        path__startswith=f"{zone.path}{zone.pk}/"
    )
    assert set(in_zone.values_list("pk", flat=True)) == {zone.pk, aisle.pk, bin_.pk}
    with pytest.raises(ValidationFailed) as err:
        services.create_location(aisle, name="04", barcode="BIN-A0103")
    assert "barcode" in err.value.errors
    with pytest.raises(ValidationFailed):
        services.create_location(aisle, name="03")  # the same full name twice
    with pytest.raises(ValidationFailed):
        services.create_location(aisle, name="a/b")
    services.update_location(zone, name="Zone A")
    bin_.refresh_from_db()
    assert bin_.full_name == "WH/Stock/Zone A/01/03"


@pytest.mark.django_db
def test_warehouse_codes_are_unique_per_company(company, wh):
    second = a_warehouse(company, "wh2", name="Rotterdam")
    assert (second.code, second.stock_location.full_name) == ("WH2", "WH2/Stock")
    assert second.customer_location_id == wh.customer_location_id  # the company's virtual locations
    with pytest.raises(ValidationFailed) as err:
        services.create_warehouse(company, code="WH2", name="Dubbel")
    assert "code" in err.value.errors
    assert Warehouse.objects.filter(company=company).count() == 2


@pytest.mark.django_db
def test_refusing_negative_stock_again_is_refused_while_stock_is_below_zero(company, wh, customer):
    product = a_product(company, "NEG")
    services.update_warehouse(wh, allow_negative_stock=True)
    delivery = services.create_delivery(
        company, lines=[services.MoveSpec(product, Decimal("2"))], partner=customer, allow_partial=True
    )
    services.ship_delivery(delivery)
    assert Quant.objects.get(product=product).quantity == Decimal("-2")
    with pytest.raises(Conflict):
        services.update_warehouse(wh, allow_negative_stock=False)
    wh.refresh_from_db()
    assert wh.allow_negative_stock is True
    in_stock(product, 2)
    services.update_warehouse(wh, allow_negative_stock=False)
    assert Quant.objects.get(product=product).negative_allowed is False


@pytest.mark.django_db
def test_lots_belong_to_tracked_products_and_are_unique(company):
    plain = a_product(company, "PLAIN")
    wine = a_product(company, "WINE", tracking="lot")
    lot = services.create_lot(wine, name="2026-A")
    assert str(lot) == "2026-A"
    with pytest.raises(ValidationFailed):
        services.create_lot(wine, name="2026-A")
    with pytest.raises(ValidationFailed):
        services.create_lot(plain, name="X")


@pytest.mark.django_db
def test_reorder_rules_are_one_per_product_and_warehouse(company, wh):
    product = a_product(company, "RULE")
    rule = services.set_reorder_rule(wh, product, min_quantity=Decimal("5"), max_quantity=Decimal("20"))
    again = services.set_reorder_rule(wh, product, min_quantity=Decimal("10"), max_quantity=Decimal("30"))
    assert again.pk == rule.pk and again.min_quantity == Decimal("10")
    with pytest.raises(ValidationFailed) as err:
        services.set_reorder_rule(wh, product, min_quantity=Decimal("10"), max_quantity=Decimal("5"))
    assert "max_quantity" in err.value.errors
    service = a_product(company, "SRV", type="service", uom="h")
    with pytest.raises(ValidationFailed):
        services.set_reorder_rule(wh, service, min_quantity=Decimal("1"), max_quantity=Decimal("2"))
