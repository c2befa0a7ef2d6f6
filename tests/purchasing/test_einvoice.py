"""E-invoices in: a UBL 2.1 / Peppol BIS 3 file becomes a draft bill with the vendor's amounts,
the vendor found (or created and flagged), order lines matched; a bad file is refused with its
findings and nothing is written."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from kern.core.models import Attachment, AuditEvent
from kern.parties.models import Party
from kern.purchasing import services
from kern.purchasing.exceptions import DuplicateBill, EInvoiceRejected
from kern.purchasing.models import BillKind, BillSource, BillStatus, MatchStatus, VendorBill, VendorIdentifier
from kern.purchasing.ubl import check_einvoice
from tests.builders import a_vendor
from tests.purchasing.helpers import D, receive
from tests.purchasing.shared import EXAMPLES, needs_shared
from tests.purchasing.ubl_builder import SELLER, Line, an_invoice

pytestmark = pytest.mark.django_db

OFFICIAL = [
    "peppol/base-example.xml",
    "peppol/Allowance-example.xml",
    "peppol/Vat-category-S.xml",
    "peppol/vat-category-E.xml",
    "peppol/vat-category-O.xml",
    "peppol/vat-category-Z.xml",
    "peppol/sales-order-example.xml",
    "peppol/base-creditnote-correction.xml",
    "peppol/base-negative-inv-correction.xml",
    "nlcius/SI-UBL-2.0_ok_base.xml",
    "nlcius/SI-UBL-2.0_ok_full.xml",
    "nlcius/SI-UBL-2.0_BR-NL-8_ok_381.xml",
    "cen/ubl-tc434-example1.xml",
    "cen/ubl-tc434-example2.xml",
    "cen/ubl-tc434-creditnote1.xml",
]


def snapshot(company):
    return (
        VendorBill.objects.filter(company=company).count(),
        Party.objects.filter(company=company).count(),
        AuditEvent.objects.count(),
    )


@needs_shared
@pytest.mark.parametrize("name", OFFICIAL)
def test_the_official_examples_import_as_bills_with_their_totals(company, accountant, name):
    data = (EXAMPLES / name).read_bytes()
    doc = check_einvoice(data).document
    imported = services.import_einvoice(company, data, by=accountant, filename=name.split("/")[1])
    bill = imported.bill
    flip = -1 if doc.kind == "invoice" and doc.tax_inclusive < 0 else 1
    assert (bill.status, bill.source, bill.vendor_reference, bill.currency_id, bill.bill_date) == (
        BillStatus.DRAFT,
        BillSource.EINVOICE,
        doc.number,
        doc.currency,
        doc.issue_date,
    )
    assert bill.kind == (BillKind.CREDIT_NOTE if doc.kind == "credit_note" or flip < 0 else BillKind.BILL)
    assert (bill.untaxed_amount, bill.tax_amount, bill.total_amount, bill.amount_due) == (
        doc.tax_exclusive * flip,
        doc.tax_total * flip,
        doc.tax_inclusive * flip,
        doc.payable * flip,
    )
    lines = list(bill.lines.all())
    assert sum(ln.net_amount for ln in lines) == bill.untaxed_amount
    assert len(lines) == len(doc.lines)
    assert sum(t.amount for t in bill.taxes.all()) == bill.tax_amount
    assert imported.vendor.is_vendor and imported.vendor_created
    assert (
        Attachment.objects.get(target_model="purchasing.vendorbill", target_id=str(bill.pk)).filename
        == name.split("/")[1]
    )


@needs_shared
def test_the_peppol_base_example_in_detail(company, accountant):
    imported = services.import_einvoice(
        company, (EXAMPLES / "peppol/base-example.xml").read_bytes(), by=accountant
    )
    bill, vendor = imported.bill, imported.vendor
    assert (vendor.name, vendor.vat_id, vendor.kvk_number, [t.name for t in vendor.tags.all()]) == (
        "SupplierOfficialName Ltd",
        "",  # GB1232434 is not a valid VAT number: not recorded, noted
        "",
        [services.REVIEW_TAG],
    )
    assert (vendor.addresses.get().city, vendor.addresses.get().country.code) == ("London", "GB")
    assert sorted(
        VendorIdentifier.objects.filter(vendor=vendor).values_list("scheme", "identifier", "needs_review")
    ) == [
        ("", "99887766", True),
        ("", "GB983294", True),
        ("0088", "9482348239847239874", True),
        ("VAT", "GB1232434", True),
    ]
    assert [
        (ln.description, ln.quantity, ln.unit_price, ln.net_amount, ln.tax_code, ln.tax_rate)
        for ln in bill.lines.all()
    ] == [
        (
            "item name – Description of item",
            Decimal("7.0000"),
            Decimal("400.000000"),
            Decimal("2800.00"),
            "",
            Decimal("25.000"),
        ),
        (
            "item name 2 – Description 2",
            Decimal("-3.0000"),
            Decimal("500.000000"),
            Decimal("-1500.00"),
            "",
            Decimal("25.000"),
        ),
        (
            "Charge: Insurance",
            Decimal("1.0000"),
            Decimal("25.000000"),
            Decimal("25.00"),
            "",
            Decimal("25.000"),
        ),
    ]
    tax = bill.taxes.get()
    assert (tax.category, tax.rate, tax.base, tax.amount, tax.deductible, tax.tax_code) == (
        "S",
        Decimal("25.000"),
        Decimal("1325.00"),
        Decimal("331.25"),
        False,
        "",
    )
    assert {f["rule"] for f in bill.einvoice_findings} == {"KERN-VENDOR", "KERN-BUYER", "KERN-VAT"}
    # the next invoice from the same sender finds the vendor by its Peppol endpoint
    again = services.import_einvoice(
        company, an_invoice("Snippet2", seller=_gb_seller()).xml(), by=accountant
    )
    assert (again.vendor.pk, again.vendor_created) == (vendor.pk, False)


def _gb_seller():
    from tests.purchasing.ubl_builder import Party as P

    return P(
        "SupplierOfficialName Ltd",
        vat="GB1232434",
        country="GB",
        city="London",
        endpoint=("0088", "9482348239847239874"),
    )


def test_an_invoice_for_our_order_is_matched_line_by_line(company, vendor, chair, table, buyer, accountant):
    order = services.create_order(
        company,
        vendor=vendor,
        lines=[
            {"product": chair, "quantity": 10, "unit_price": "40"},
            {"product": table, "quantity": 2, "unit_price": "150"},
        ],
        by=buyer,
    )
    services.submit_order(order, by=buyer)
    receive(order)
    invoice = an_invoice(
        "F2026-100",
        order_reference=order.number,
        lines=[
            Line("Stoel eiken", Decimal("10"), Decimal("40.00"), order_line="1"),
            Line("Tafel", Decimal("2"), Decimal("150.00"), order_line="2"),
        ],
    )
    imported = services.import_einvoice(company, invoice.xml(), by=accountant)
    bill = imported.bill
    assert (imported.vendor.pk, imported.vendor_created, bill.purchase_order_id) == (
        vendor.pk,
        False,
        order.pk,
    )
    assert [
        (ln.order_line.position, ln.product.sku, ln.tax_code, ln.uom.code) for ln in bill.lines.all()
    ] == [
        (1, "CHAIR", "I21", "pcs"),
        (2, "TABLE", "I21", "pcs"),
    ]
    assert (bill.total_amount, bill.taxes.get().tax_code) == (Decimal("847.00"), "I21")
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    order.refresh_from_db()
    assert (bill.match_status, bill.payment_blocked, order.status) == (MatchStatus.MATCHED, False, "done")


def test_a_price_above_the_order_on_an_einvoice_is_blocked_with_the_variance(
    company, vendor, chair, buyer, accountant
):
    order = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 10, "unit_price": "40"}], by=buyer
    )
    services.submit_order(order, by=buyer)
    receive(order)
    invoice = an_invoice(
        "F2026-101",
        order_reference=order.number,
        lines=[Line("Stoel", Decimal("10"), Decimal("46.00"), order_line="1")],
    )
    bill = services.import_einvoice(company, invoice.xml(), by=accountant).bill
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    assert bill.payment_blocked
    assert bill.block_reason == (
        "line 1 (CHAIR): unit price 46 EUR is 6 (15.0%) above the order's 40 (tolerance 2%): 60.00 EUR on 10 pcs"
    )


def test_a_file_failing_validation_is_refused_with_its_findings_and_nothing_is_created(company, accountant):
    before = snapshot(company)
    bad = an_invoice("F-BAD", tamper={"TaxAmount": "10.00", "PayableAmount": "410.00"}).xml()
    with pytest.raises(EInvoiceRejected) as refused:
        services.import_einvoice(company, bad, by=accountant)
    rules = [f["rule"] for f in refused.value.context["findings"]]
    assert rules == ["BR-CO-15", "BR-CO-16", "BR-CO-14"]
    assert refused.value.status == 422
    assert refused.value.errors["file"][0].startswith("[BR-CO-15] Invoice total amount with VAT (BT-112)")
    assert snapshot(company) == before


def test_the_same_einvoice_twice_is_refused_naming_the_bill(company, vendor, accountant):
    data = an_invoice("F2026-7").xml()
    first = services.import_einvoice(company, data, by=accountant).bill
    before = snapshot(company)
    with pytest.raises(DuplicateBill) as refused:
        services.import_einvoice(company, data, by=accountant)
    assert (
        refused.value.message
        == f"Houthandel Jansen already sent bill F2026-7: it is recorded as draft #{first.pk}"
    )
    assert snapshot(company) == before


def test_an_unknown_seller_becomes_a_vendor_to_review(company, accountant):
    data = an_invoice("N-1", seller=SELLER).xml()
    imported = services.import_einvoice(company, data, by=accountant)
    vendor = imported.vendor
    assert imported.vendor_created
    assert (vendor.name, vendor.vat_id, vendor.kvk_number, vendor.email) == (
        "Houthandel Jansen B.V.",
        "NL123456794B01",
        "12345678",
        "facturen@jansen.example",
    )
    assert list(vendor.bank_accounts.values_list("iban", flat=True)) == ["NL91ABNA0417164300"]
    assert sorted(
        VendorIdentifier.objects.filter(vendor=vendor, needs_review=True).values_list("scheme", "identifier")
    ) == [
        ("0106", "12345678"),
        ("VAT", "NL123456794B01"),
    ]
    # an existing party with the same VAT id is found, not duplicated
    other = a_vendor(company, "Ander BV", vat_id="NL123456800B01")
    from tests.purchasing.ubl_builder import Party as P

    found = services.import_einvoice(
        company, an_invoice("N-2", seller=P("Ander B.V.", vat="NL123456800B01")).xml()
    )
    assert (found.vendor.pk, found.vendor_created) == (other.pk, False)


def test_reverse_charge_is_self_assessed_on_approval(company, accountant):
    vendor = a_vendor(company, "Installateur BV", vat_id="NL123456794B01")
    invoice = an_invoice(
        "RC-1", lines=[Line("Installatie", Decimal("1"), Decimal("500.00"), rate=Decimal("0"), category="AE")]
    )
    bill = services.import_einvoice(company, invoice.xml(), by=accountant).bill
    assert (bill.vendor_id, bill.total_amount, bill.taxes.get().tax_code) == (
        vendor.pk,
        Decimal("500.00"),
        "IVR",
    )
    services.approve_bill(bill, by=accountant)
    from kern.ledger.models import JournalLine

    vat = JournalLine.objects.filter(
        entry_id=VendorBill.objects.get(pk=bill.pk).entry_id, tax_code__code="IVR"
    )
    # the 500 cost, 21 % owed and the same deducted: nil to pay, both on the VAT return
    assert sorted((ln.debit, ln.credit) for ln in vat) == [
        (Decimal("0.00"), Decimal("105.00")),
        (Decimal("105.00"), Decimal("0.00")),
        (Decimal("500.00"), Decimal("0.00")),
    ]


def test_kern_import_ubl_prints_json_and_refuses_bad_files(company, tmp_path):
    good = tmp_path / "f.xml"
    good.write_bytes(an_invoice("CLI-1").xml())
    out = io.StringIO()
    call_command("import", "ubl", str(good), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert set(result) >= {"bill", "vendor", "total", "currency"}
    assert (result["total"], result["currency"], result["vendor"]["name"], result["bill"]["status"]) == (
        "484.00",
        "EUR",
        "Houthandel Jansen B.V.",
        "draft",
    )
    bad = tmp_path / "bad.xml"
    bad.write_bytes(an_invoice("CLI-2", tamper={"IssueDate": "2026-13-01"}).xml())
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("import", "ubl", str(bad), stdout=out)
    assert exited.value.code == 1
    assert out.getvalue().startswith(f"refused: {bad} — nothing was imported\n  [error] XSD (line 6):")
    assert VendorBill.objects.filter(company=company).count() == 1


def test_the_api_takes_an_upload(company, api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    good = SimpleUploadedFile("f.xml", an_invoice("API-1").xml(), content_type="application/xml")
    created = api.post("/api/v1/vendor-bills/import", {"file": good})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["total"], body["currency"], body["bill"]["vendor_reference"]) == ("484.00", "EUR", "API-1")
    bad = SimpleUploadedFile("b.xml", an_invoice("API-2", tamper={"LineExtensionAmount": "1.00"}).xml())
    refused = api.post("/api/v1/vendor-bills/import", {"file": bad})
    assert refused.status_code == 422 and refused["Content-Type"] == "application/problem+json"
    problem = refused.json()
    assert (problem["code"], sorted({f["rule"] for f in problem["findings"]})) == (
        "einvoice_rejected",
        ["BR-CO-10", "BR-CO-13"],
    )
    assert VendorBill.objects.filter(company=company).count() == 1


def test_dates_are_kept(company):
    bill = services.import_einvoice(company, an_invoice("D-1", due_date=D(4, 1)).xml()).bill
    assert (bill.bill_date, bill.due_date) == (D(3, 2), D(4, 1))


def test_a_dutch_user_importing_a_bill_for_a_draft_order_gets_the_finding_in_the_stored_language(
    company, vendor, chair, buyer, accountant
):
    """Findings are kept with the import (rule texts are English): the order's status too, whoever imports."""
    from django.utils import translation

    order = services.create_order(
        company, vendor=vendor, lines=[{"product": chair, "quantity": 1, "unit_price": "40"}], by=buyer
    )
    invoice = an_invoice(
        "F2026-101", order_reference=order.number, lines=[Line("Stoel", Decimal("1"), Decimal("40.00"))]
    )
    with translation.override("nl"):
        imported = services.import_einvoice(company, invoice.xml(), by=accountant)
    assert imported.bill.purchase_order_id is None
    assert [f.text for f in imported.findings if f.rule == "KERN-ORDER"] == [f"order {order.number} is draft"]
