import pytest
from django.contrib.auth.models import Group

from kern.core.exceptions import ValidationFailed
from kern.core.models import Company
from kern.core.roles import ROLES
from kern.core.selectors import companies_of
from kern.core.services import create_company
from tests.builders import a_company, a_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk_number", "1234567"),
        ("kvk_number", "1234567A"),
        ("vat_id", "NL123456789B02"),
        ("iban", "NL00ABNA0123456789"),
    ],
)
def test_invalid_identifiers_are_refused_naming_the_field(field, value):
    before = Company.objects.count()
    with pytest.raises(ValidationFailed) as err:
        create_company(name="X", legal_name="X B.V.", **{field: value})
    assert list(err.value.errors) == [field]
    assert Company.objects.count() == before


@pytest.mark.django_db
def test_a_valid_company_normalises_its_identifiers():
    company = create_company(
        name="Y",
        legal_name="Y B.V.",
        kvk_number="12345678",
        vat_id="nl 1234 56782 B01",
        iban="nl91 abna 0417 1643 00",
    )
    assert (company.vat_id, company.iban, company.base_currency_id) == (
        "NL123456782B01",
        "NL91ABNA0417164300",
        "EUR",
    )


@pytest.mark.django_db
def test_an_unknown_base_currency_is_refused():
    with pytest.raises(ValidationFailed) as err:
        create_company(name="Z", legal_name="Z", base_currency="XYZ")
    assert list(err.value.errors) == ["base_currency"]


@pytest.mark.django_db
def test_every_role_is_a_group_with_the_permissions_its_code_defines():
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    company = a_company()
    accountant = a_user(company, "accountant")
    sales_rep = a_user(company, "sales_rep")
    admin = a_user(company, "administrator")
    assert accountant.has_perm("parties.change_party") and accountant.has_perm("core.add_exchangerate")
    assert not sales_rep.has_perm("core.add_exchangerate")
    assert sales_rep.has_perm("parties.add_party") and not sales_rep.has_perm("parties.delete_party")
    assert admin.has_perm("auth.change_user")
    assert not a_user(company, "portal_customer").is_staff


@pytest.mark.django_db
def test_users_see_only_their_companies():
    mine, theirs = a_company(), a_company()
    user = a_user(mine, "sales_rep")
    assert list(companies_of(user)) == [mine]
    assert theirs not in companies_of(user)
