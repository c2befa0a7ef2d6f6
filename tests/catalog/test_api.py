"""Catalog API: products and price lists."""

from decimal import Decimal

import pytest

from kern.catalog.models import Product
from tests.builders import a_product
from tests.querycounts import query_baseline


@pytest.mark.django_db
def test_product_crud_and_validation(api):
    created = api.post_json(
        "/api/v1/products",
        {"sku": "DESK-1", "name": "Bureau", "sale_price": "299.95", "cost": "150", "uom": "pcs"},
    )
    assert created.status_code == 201, created.json()
    pid = created.json()["id"]
    assert api.post_json("/api/v1/products", {"sku": "DESK-1", "name": "Dubbel"}).status_code == 422
    assert api.post_json("/api/v1/products", {"sku": "X", "name": "X", "uom": "parsec"}).json()["errors"] == {
        "uom": ["unknown unit 'parsec'"]
    }
    assert api.post_json("/api/v1/products", {"sku": "Y", "name": "Y", "sale_price": "-1"}).status_code == 422
    assert (
        api.patch_json(f"/api/v1/products/{pid}", {"sale_price": "279.95"}).json()["sale_price"] == "279.9500"
    )
    assert api.get("/api/v1/products?q=bureau").json()["results"][0]["sku"] == "DESK-1"
    assert api.delete(f"/api/v1/products/{pid}").status_code == 204
    assert Product.objects.get(pk=pid).is_active is False


@pytest.mark.django_db
def test_price_list_with_breaks_and_price_lookup(api, company):
    chair = a_product(company, "CHAIR", sale_price=Decimal("100"))
    created = api.post_json(
        "/api/v1/price-lists",
        {
            "name": "Staffel",
            "items": [{"product_id": chair.pk, "min_quantity": "10", "discount_percent": "10"}],
        },
    )
    assert created.status_code == 201, created.json()
    price = api.get(f"/api/v1/products/{chair.pk}/price?quantity=12").json()
    assert (price["unit_price"], price["discount_percent"], price["price_list_id"]) == (
        "90.0000",
        "10.00",
        created.json()["id"],
    )
    assert api.post_json("/api/v1/price-lists", {"name": "EUR?", "currency": "ZZZ"}).status_code == 422


@pytest.mark.django_db
def test_list_endpoints_do_not_grow_queries_with_rows(api, company):
    for i in range(25):
        a_product(company, f"P{i:03d}")
    with query_baseline(__file__, "api.products.list"):
        assert len(api.get("/api/v1/products?page_size=25").json()["results"]) == 25
    api.post_json("/api/v1/price-lists", {"name": "L1"})
    api.post_json("/api/v1/price-lists", {"name": "L2"})
    with query_baseline(__file__, "api.price_lists.list"):
        assert len(api.get("/api/v1/price-lists").json()["results"]) == 2
