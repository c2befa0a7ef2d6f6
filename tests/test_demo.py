"""`kern demo`: a realistic Dutch demo company, loaded once however often it runs."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from kern.catalog.models import PriceList, Product
from kern.core.demo import demo_company
from kern.core.roles import ROLES
from kern.parties.models import Party


def _counts(company):
    parties = Party.objects.filter(company=company)
    return (
        parties.filter(is_customer=True).count(),
        parties.filter(is_vendor=True).count(),
        Product.objects.filter(company=company).count(),
        PriceList.objects.filter(company=company).count(),
        get_user_model().objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_loads_a_dutch_company_once_with_a_user_per_role(capsys, settings):
    call_command("demo")
    company = demo_company()
    first = _counts(company)
    customers, vendors, products, price_lists, users = first
    assert customers >= 50 and vendors >= 20 and products >= 100 and price_lists >= 3
    assert users == len(ROLES)
    out = capsys.readouterr().out
    for role in ROLES:
        assert role in out
        user = authenticate(username=role, password=settings.KERN_DEMO_PASSWORD)
        assert user is not None and user.groups.filter(name=role).exists()
        assert user.memberships.filter(company=company).exists()
    assert company.country == "NL" and company.vat_id.startswith("NL")
    call_command("demo")
    assert _counts(company) == first
