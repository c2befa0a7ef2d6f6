"""VAT codes for a line, and the one rounding rule: per document per code, half up."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kern.ledger.exceptions import UnknownTaxCode
from kern.ledger.models import JournalLine, TaxCode
from kern.ledger.selectors import TaxableLine, compute_taxes, tax_code_for, vat_return
from kern.ledger.services import LineSpec, post_entry
from kern.parties.services import add_address
from tests.builders import a_company, a_customer, a_vendor

D = Decimal


def test_vat_is_rounded_once_per_code_per_document_half_up(company):
    result = compute_taxes(
        company, [(D("0.05"), "V21"), (D("0.05"), "V21"), (D("0.05"), "V21"), (D("10.00"), "V9")]
    )

    v21, v9 = result.taxes
    assert (v21.tax_code, v21.base, v21.tax) == ("V21", D("0.15"), D("0.03"))  # 0.0315, not 3 × 0.01
    assert (v9.tax_code, v9.base, v9.tax) == ("V9", D("10.00"), D("0.90"))
    assert (result.net_total, result.tax_total, result.gross_total) == (D("10.15"), D("0.93"), D("11.08"))


def test_half_a_cent_rounds_up(company):
    # 0.50 × 21 % = 0.105 → 0.11
    assert compute_taxes(company, [TaxableLine(D("0.50"), "V21")]).taxes[0].tax == D("0.11")


def test_prices_including_vat_are_split_once_per_code(company):
    result = compute_taxes(company, [(D("60.50"), "V21"), (D("60.50"), "V21")], prices_include_tax=True)
    [v21] = result.taxes
    assert (v21.base, v21.tax, result.gross_total) == (D("100.00"), D("21.00"), D("121.00"))


def test_self_assessed_vat_is_not_charged_but_posted_both_ways(company):
    result = compute_taxes(company, [(D("1000.00"), "IICP")])
    assert result.tax_total == 0 and result.gross_total == D("1000.00")
    specs = result.line_specs()
    assert [(s.account, s.debit, s.credit, s.tax_code) for s in specs] == [
        ("1520", D("0"), D("210.00"), "IICP"),
        ("1530", D("210.00"), D("0"), "IICP"),
    ]


def test_line_specs_post_a_sale_and_its_credit_note(company):
    customer = a_customer(company)
    result = compute_taxes(company, [(D("100.00"), "V21"), (D("50.00"), "V9")])
    for credit_note in (False, True):
        vat_lines = result.line_specs(credit_note=credit_note)
        base = [
            LineSpec(account="8000", credit=D("100.00"), tax_code="V21"),
            LineSpec(account="8010", credit=D("50.00"), tax_code="V9"),
        ]
        receivable = LineSpec(role="receivable", debit=result.gross_total, party_id=customer.pk)
        if credit_note:
            base = [LineSpec(account=b.account, debit=b.credit, tax_code=b.tax_code) for b in base]
            receivable = LineSpec(role="receivable", credit=result.gross_total, party_id=customer.pk)
        post_entry(company=company, journal="sale", on=dt.date.today(), lines=[receivable, *base, *vat_lines])
    today = dt.date.today()
    vat = vat_return(company, date_from=today, date_to=today)
    assert (vat.box("1a").turnover, vat.box("1a").vat, vat.box("1b").vat) == (0, 0, 0)
    assert JournalLine.objects.filter(company=company, vat_box="1b", tax_kind="tax").count() == 2


@pytest.fixture
def eu_customer(company):
    party = a_customer(company, "Müller GmbH", vat_id="DE136695976")
    add_address(party, street="Hauptstraße 1", city="Berlin", country="DE")
    return party


@pytest.mark.parametrize(
    ("where", "vat_id", "category", "product_type", "direction", "expected"),
    [
        ("NL", "", "standard", "stocked", "sale", "V21"),
        ("NL", "", "reduced", "stocked", "sale", "V9"),
        ("NL", "", "zero", "service", "sale", "V0"),
        ("NL", "", "exempt", "service", "sale", "VEX"),
        ("DE", "DE136695976", "standard", "stocked", "sale", "VICP"),
        ("DE", "DE136695976", "standard", "service", "sale", "VICD"),
        ("DE", "", "standard", "stocked", "sale", "V21"),
        ("US", "", "standard", "stocked", "sale", "VEXP"),
        ("NL", "", "standard", "stocked", "purchase", "I21"),
        ("NL", "", "reduced", "consumable", "purchase", "I9"),
        ("BE", "BE0403170701", "standard", "stocked", "purchase", "IICP"),
        ("BE", "BE0403170701", "standard", "service", "purchase", "IICD"),
        ("CN", "", "standard", "stocked", "purchase", "IIMP"),
        ("CN", "", "standard", "service", "purchase", "IIMD"),
        ("DE", "DE136695976", "exempt", "service", "sale", "VEX"),
    ],
)
def test_the_tax_code_follows_the_category_and_where_the_party_is(
    company, where, vat_id, category, product_type, direction, expected
):
    code = tax_code_for(
        company,
        tax_category=category,
        direction=direction,
        product_type=product_type,
        country=where,
        vat_id=vat_id,
    )
    assert isinstance(code, TaxCode) and code.code == expected
    assert code.pk == TaxCode.objects.get(company=company, code=expected).pk


def test_the_party_address_and_vat_id_decide(company, eu_customer):
    assert tax_code_for(company, tax_category="standard", party=eu_customer, direction="sale").code == "VICP"
    assert (
        tax_code_for(company, tax_category="standard", party=a_vendor(company), direction="purchase").code
        == "I21"
    )


def test_a_german_company_gets_its_own_rates(db):
    company = a_company("Berlin GmbH", country="DE", kvk_number="")
    [standard] = compute_taxes(company, [(D("100.00"), "S")]).taxes
    assert standard.tax == D("19.00")
    assert tax_code_for(company, tax_category="reduced", direction="sale").code == "S-RED"


def test_unknown_codes_and_categories_are_refused(company):
    with pytest.raises(UnknownTaxCode):
        compute_taxes(company, [(D("1"), "NOPE")])
    with pytest.raises(UnknownTaxCode):
        tax_code_for(company, tax_category="luxury", direction="sale")
