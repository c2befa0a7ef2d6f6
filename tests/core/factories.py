"""factory_boy factories for core records. They create through the services, so a factory-made
row has passed the same validation and writes the same audit rows as one a user makes."""

from __future__ import annotations

import factory

from kern.core import services
from kern.core.models import Company


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Bedrijf {n}")
    legal_name = factory.LazyAttribute(lambda o: f"{o.name} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{20000000 + n}")
    base_currency = "EUR"
    street = factory.Faker("street_address", locale="nl_NL")
    postcode = "1012 AB"
    city = factory.Faker("city", locale="nl_NL")
    country = "NL"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.create_company(**kwargs)


class UserFactory(factory.Factory):
    """`UserFactory(company=…, roles=["accountant"])`."""

    class Meta:
        model = dict

    username = factory.Sequence(lambda n: f"gebruiker{n}")
    password = "x-secret-pw-1"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.test")
    roles = factory.LazyFunction(lambda: ["administrator"])
    company = None

    @classmethod
    def _create(cls, model_class, *args, company=None, **kwargs):
        return services.create_user(kwargs.pop("username"), companies=[company] if company else [], **kwargs)
