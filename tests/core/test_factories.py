"""The factories make valid rows through the services (and so are audited)."""

import pytest

from kern.core.models import AuditEvent
from tests.catalog.factories import PriceListFactory, ProductFactory
from tests.core.factories import CompanyFactory, UserFactory
from tests.parties.factories import ContactFactory, CustomerFactory, VendorFactory


@pytest.mark.django_db
def test_factories_build_a_small_valid_world():
    company = CompanyFactory()
    user = UserFactory(company=company, roles=["sales_rep"])
    customer = CustomerFactory(company=company)
    vendor = VendorFactory(company=company)
    contact = ContactFactory(party=customer)
    product = ProductFactory(company=company)
    price_list = PriceListFactory(company=company)
    assert user.memberships.get().company == company and user.groups.get().name == "sales_rep"
    assert (customer.is_customer, vendor.is_vendor, contact.party, product.company) == (
        True,
        True,
        customer,
        company,
    )
    assert customer.number and price_list.currency_id == "EUR"
    assert AuditEvent.objects.filter(company_id=company.pk, model="parties.party").count() == 2
