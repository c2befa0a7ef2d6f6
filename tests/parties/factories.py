"""factory_boy factories for parties, creating through kern.parties.services."""

from __future__ import annotations

import factory

from kern.parties import services
from kern.parties.models import ContactPerson, Party
from tests.core.factories import CompanyFactory


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party

    company = factory.SubFactory(CompanyFactory)
    name = factory.Faker("company", locale="nl_NL")
    is_customer = True
    email = factory.Sequence(lambda n: f"info{n}@klant.example")

    @classmethod
    def _create(cls, model_class, *args, company, **kwargs):
        return services.create_party(company, **kwargs)


class CustomerFactory(PartyFactory):
    is_customer = True


class VendorFactory(PartyFactory):
    is_customer = False
    is_vendor = True


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    party = factory.SubFactory(PartyFactory)
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"contact{n}@klant.example")

    @classmethod
    def _create(cls, model_class, *args, party, **kwargs):
        return services.add_contact(party, **kwargs)
