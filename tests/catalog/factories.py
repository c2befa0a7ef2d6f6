"""factory_boy factories for the catalog, creating through kern.catalog.services."""

from __future__ import annotations

from decimal import Decimal

import factory

from kern.catalog import services
from kern.catalog.models import PriceList, Product
from tests.core.factories import CompanyFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    company = factory.SubFactory(CompanyFactory)
    sku = factory.Sequence(lambda n: f"ART-{n:05d}")
    name = factory.Faker("catch_phrase", locale="nl_NL")
    sale_price = factory.Sequence(lambda n: Decimal(10 + n % 90) + Decimal("0.95"))
    cost = factory.LazyAttribute(lambda o: (o.sale_price * Decimal("0.6")).quantize(Decimal("0.01")))
    uom = "pcs"

    @classmethod
    def _create(cls, model_class, *args, company, **kwargs):
        return services.create_product(company, **kwargs)


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Prijslijst {n}")

    @classmethod
    def _create(cls, model_class, *args, company, **kwargs):
        return services.create_price_list(company, **kwargs)
