"""Parties: one row per organisation or person, in every role it plays."""

from decimal import Decimal

import pytest

from kern.core.exceptions import ValidationFailed
from kern.parties import selectors, services
from kern.parties.models import Party, normalise_name
from tests.builders import a_company


@pytest.mark.django_db
def test_a_customer_gets_a_number_and_keeps_its_details():
    company = a_company()
    term = services.create_payment_term(
        company, name="2/10 net 30", net_days=30, discount_days=10, discount_percent=Decimal("2")
    )
    party = services.create_party(
        company,
        name="De Vries Installatietechniek B.V.",
        is_customer=True,
        vat_id="nl123456782b01",
        kvk_number="12345678",
        payment_term=term,
        credit_limit=Decimal("25000"),
        tags=["Horeca", "Retail"],
    )
    assert party.number == "R00001"
    assert (party.vat_id, party.normalised_name, party.roles) == (
        "NL123456782B01",
        "de vries installatietechniek",
        ["customer"],
    )
    assert sorted(t.name for t in party.tags.all()) == ["Horeca", "Retail"]
    assert services.create_party(company, name="Tweede").number == "R00002"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"vat_id": "NL999999999B99"}, "vat_id"),
        ({"vat_id": "123456782B01"}, "vat_id"),
        ({"kvk_number": "1234"}, "kvk_number"),
        ({"email": "not-an-email"}, "email"),
        ({"currency": "EURO"}, "currency"),
        ({"credit_limit": Decimal("-1")}, "credit_limit"),
    ],
)
def test_bad_identifiers_are_refused_naming_the_field_and_nothing_is_written(fields, field):
    company = a_company()
    with pytest.raises(ValidationFailed) as err:
        services.create_party(company, name="Fout BV", **fields)
    assert field in err.value.errors
    assert not Party.objects.filter(company=company).exists()


@pytest.mark.django_db
def test_an_invalid_iban_is_refused_on_the_bank_account():
    party = services.create_party(a_company(), name="Bank BV")
    with pytest.raises(ValidationFailed) as err:
        services.add_bank_account(party, iban="NL91ABNA0417164301")
    assert list(err.value.errors) == ["iban"]
    account = services.add_bank_account(party, iban="nl91 abna 0417 1643 00")
    assert account.iban == "NL91ABNA0417164300"
    with pytest.raises(ValidationFailed):
        services.add_bank_account(party, iban="NL91ABNA0417164300")  # the same account twice


@pytest.mark.django_db
def test_likely_duplicates_by_vat_id_email_or_normalised_name():
    company = a_company()
    original = services.create_party(
        company, name="Bakkerij Jansen B.V.", vat_id="NL123456782B01", email="info@jansen.nl"
    )
    by_name = selectors.likely_duplicates(company, name="bakkerij jansen bv")
    by_vat = selectors.likely_duplicates(company, name="Iets Anders", vat_id="NL 1234 56782 B01")
    by_email = selectors.likely_duplicates(company, name="Weer Anders", email="INFO@jansen.nl")
    assert [(d.id, d.reason) for d in by_name] == [(original.pk, "same name")]
    assert [(d.id, d.reason) for d in by_vat] == [(original.pk, "same VAT id")]
    assert [(d.id, d.reason) for d in by_email] == [(original.pk, "same e-mail")]
    assert selectors.likely_duplicates(a_company(), name="Bakkerij Jansen") == []
    assert selectors.likely_duplicates(company, name="Bakkerij Jansen BV", exclude=original.pk) == []


def test_normalised_names_ignore_legal_form_case_accents_and_punctuation():
    assert normalise_name("Café De Vries B.V.") == normalise_name("cafe de vries bv") == "cafe de vries"


@pytest.mark.django_db
def test_one_default_address_per_kind_and_one_primary_contact():
    party = services.create_party(a_company(), name="Adres BV")
    first = services.add_address(party, street="Kerkstraat 1", city="Delft")
    second = services.add_address(party, street="Molenweg 2", city="Delft")
    shipping = services.add_address(party, kind="shipping", street="Haven 3", city="Delft")
    first.refresh_from_db()
    assert (first.is_default, second.is_default, shipping.is_default) == (False, True, True)
    anna = services.add_contact(party, first_name="Anna", last_name="Bos", is_primary=True)
    piet = services.add_contact(party, first_name="Piet", last_name="Bos", is_primary=True)
    anna.refresh_from_db()
    assert (anna.is_primary, piet.is_primary) == (False, True)


@pytest.mark.django_db
def test_archiving_keeps_the_party():
    party = services.create_party(a_company(), name="Oud BV", is_customer=True)
    services.archive_party(party)
    assert Party.objects.get(pk=party.pk).is_active is False
