"""UBL 2.1 / Peppol BIS Billing 3.0 e-invoices, checked by the shared validator (XSD + EN 16931 +
Peppol schematron): domestic 21 % / 9 % / 0 %, domestic reverse charge, intra-EU goods and
services, export, and credit notes — zero fatal findings for each."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from kern.core.services import update_company
from kern.parties import services as parties
from kern.sales import selectors, services
from kern.sales.ubl import ExportRefused
from tests.builders import a_customer, a_product

VALIDATOR = Path("/work/shared/tools/validate_ubl.py")
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}

pytestmark = pytest.mark.django_db


def _validate(paths: list[Path]) -> dict[str, dict]:
    if not VALIDATOR.exists():
        pytest.skip(f"the shared UBL validator is not here ({VALIDATOR}); cannot check the e-invoices")
    run = subprocess.run(
        [sys.executable, str(VALIDATOR), "--json", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode in (0, 1), run.stderr
    return {Path(r["file"]).name: r for r in json.loads(run.stdout)}


@pytest.fixture
def seller(company):
    return update_company(
        company,
        vat_id="NL123456782B01",
        iban="NL91ABNA0417164300",
        bic="ABNANL2A",
        email="facturen@acme.test",
        phone="+31 20 123 4567",
    )


def _customer(
    company, name, *, country, vat_id="", kvk="", street="Main street 1", postcode="1000", city="City"
):
    customer = a_customer(
        company, name, vat_id=vat_id, kvk_number=kvk, email=f"ap@{name.split()[0].lower()}.test"
    )
    parties.add_address(
        customer, kind="billing", street=street, postcode=postcode, city=city, country=country
    )
    return customer


def test_every_kind_of_invoice_and_credit_note_passes_the_peppol_validator(seller, tmp_path):
    company = seller
    nl = _customer(
        company,
        "Jansen BV",
        country="NL",
        vat_id="NL123456794B01",
        kvk="12345678",
        street="Kerkstraat 1",
        postcode="3511 AB",
        city="Utrecht",
    )
    be = _customer(
        company,
        "Dupont SA",
        country="BE",
        vat_id="BE0403019261",
        street="Rue Royale 10",
        postcode="1000",
        city="Bruxelles",
    )
    ch = _customer(
        company,
        "Berner AG",
        country="CH",
        vat_id="CHE-116.281.710 MWST",
        street="Bahnhofstrasse 1",
        postcode="8001",
        city="Zürich",
    )
    chair = a_product(company, "UBL-CHAIR", name="Chair", sale_price=Decimal("100.00"))
    book = a_product(
        company, "UBL-BOOK", name="Handbook", sale_price=Decimal("35.50"), tax_category="reduced"
    )
    export_good = a_product(
        company, "UBL-EXP", name="Printed matter", sale_price=Decimal("12.34"), tax_category="zero"
    )
    advice = a_product(company, "UBL-ADV", name="Advice", type="service", sale_price=Decimal("95.00"))

    domestic = services.create_invoice(
        company,
        customer=nl,
        lines=[
            {"product": chair.pk, "quantity": 3, "discount_percent": "10"},
            {"product": book.pk, "quantity": "2.5"},
            {"product": export_good.pk, "quantity": 7},
            {"description": "Delivery costs", "quantity": 1, "unit_price": "12.50"},
        ],
        customer_reference="PO-4711",
        post=True,
    )
    reverse_charge = services.create_invoice(
        company,
        customer=nl,
        lines=[
            {
                "description": "Subcontracted construction work",
                "quantity": 8,
                "unit_price": "55",
                "tax_code": "VVR",
            }
        ],
        post=True,
    )
    intra_eu_goods = services.create_invoice(
        company, customer=be, lines=[{"product": chair.pk, "quantity": 4}], post=True
    )
    intra_eu_services = services.create_invoice(
        company, customer=be, lines=[{"product": advice.pk, "quantity": 6}], post=True
    )
    export = services.create_invoice(
        company, customer=ch, lines=[{"product": chair.pk, "quantity": 2}], post=True
    )
    full_credit = services.credit_invoice(domestic, reason="Returned in full")
    partial_credit = services.credit_invoice(
        intra_eu_goods, lines=[{"line": intra_eu_goods.lines.get().pk, "quantity": 1}]
    )

    documents = {
        "domestic": domestic,
        "reverse-charge": reverse_charge,
        "intra-eu-goods": intra_eu_goods,
        "intra-eu-services": intra_eu_services,
        "export": export,
        "credit-full": full_credit,
        "credit-partial": partial_credit,
    }
    paths = []
    for name, invoice in documents.items():
        path = tmp_path / f"{name}.xml"
        path.write_bytes(selectors.ubl_for(invoice))
        paths.append(path)

    report = _validate(paths)

    for path in paths:
        fatal = [
            f"{f['id']}: {f['text']}"
            for f in report[path.name]["findings"]
            if f["flag"] in ("fatal", "error")
        ]
        assert report[path.name]["fatal"] == 0, f"{path.name}: {fatal}"

    categories = {
        name: sorted(
            etree.parse(str(tmp_path / f"{name}.xml")).xpath(
                "//cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:ID/text()", namespaces=NS
            )
        )
        for name in documents
    }
    assert categories == {
        "domestic": ["S", "S", "Z"],
        "reverse-charge": ["AE"],
        "intra-eu-goods": ["K"],
        "intra-eu-services": ["AE"],
        "export": ["G"],
        "credit-full": ["S", "S", "Z"],
        "credit-partial": ["K"],
    }
    doc = etree.parse(str(tmp_path / "domestic.xml"))
    assert doc.xpath("string(//cbc:ID[1])", namespaces=NS) == domestic.number
    assert doc.xpath("string(//cac:LegalMonetaryTotal/cbc:PayableAmount)", namespaces=NS) == str(
        domestic.total
    )
    assert (domestic.net_total, domestic.tax_total, domestic.total) == (
        Decimal("457.63"),
        Decimal("67.32"),
        Decimal("524.95"),
    )
    assert doc.xpath("string(//cbc:BuyerReference)", namespaces=NS) == "PO-4711"
    assert doc.xpath("string(//cac:PaymentMeans/cbc:PaymentID)", namespaces=NS) == domestic.payment_reference
    credit = etree.parse(str(tmp_path / "credit-full.xml"))
    assert credit.getroot().tag.endswith("CreditNote")
    assert (
        credit.xpath("string(//cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID)", namespaces=NS)
        == domestic.number
    )


def test_missing_master_data_is_named_instead_of_producing_an_invalid_file(company):
    customer = a_customer(company, "Zonder Gegevens")
    invoice = services.create_invoice(
        company,
        customer=customer,
        lines=[{"description": "Work", "quantity": 1, "unit_price": "10"}],
        post=True,
    )

    with pytest.raises(ExportRefused) as refused:
        selectors.ubl_for(invoice)

    assert refused.value.status == 409
    assert "the company needs a VAT number (seller VAT identifier)" in refused.value.context["missing"]
    assert "customer Zonder Gegevens needs a billing address" in refused.value.context["missing"]
