"""Checking e-invoices: the UBL schema and the EN 16931 rules that matter for booking, compared with
the official validator (XSD + CEN schematron) on every official example, valid and broken."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kern.purchasing.ubl import IMPLEMENTED_RULES, check_einvoice
from tests.purchasing.shared import EINVOICING, EXAMPLES, needs_shared, official_findings
from tests.purchasing.ubl_builder import Line, Party, an_invoice


@needs_shared
def test_kern_agrees_with_the_official_validator_on_every_example(tmp_path):
    files = sorted(EXAMPLES.glob("*/*.xml")) + sorted((EINVOICING / "ubl-2.1").glob("*.xml"))
    built = {
        "valid.xml": an_invoice().xml(),
        "credit-note.xml": an_invoice("CN-7", credit_note=True).xml(),
        "two-rates.xml": an_invoice(
            lines=[
                Line("Chair", Decimal("3"), Decimal("0.05")),
                Line("Book", Decimal("2"), Decimal("9.99"), rate=Decimal("9")),
            ]
        ).xml(),
        "wrong-vat-total.xml": an_invoice(tamper={"TaxAmount": "99.00"}).xml(),
        "wrong-payable.xml": an_invoice(tamper={"PayableAmount": "1.00"}).xml(),
        "bad-date.xml": an_invoice(tamper={"IssueDate": "2026-02-30"}).xml(),
    }
    for name, data in built.items():
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    assert len(files) >= 30
    official = official_findings(files, profile="cen")
    verdicts = {}
    for path in files:
        ours = check_einvoice(path.read_bytes())
        theirs = official[str(path)]
        our_fatal = {f.rule for f in ours.fatal}
        verdicts[path.name] = ours.ok
        assert ours.ok == theirs["ok"], (path.name, our_fatal, theirs["fatal"])
        # every rule we report, the official validator reports too …
        assert our_fatal <= theirs["fatal"], (path.name, our_fatal - theirs["fatal"])
        # … and every rule it reports that Kern implements, Kern reports
        assert (theirs["fatal"] & (IMPLEMENTED_RULES | {"XSD"})) <= our_fatal, (path.name, theirs["fatal"])
    # the examples meant to be broken are broken, the others valid
    assert verdicts["base-example-wrong-totals.xml"] is False
    assert verdicts["base-example-xsd-invalid.xml"] is False
    assert verdicts["base-example.xml"] is True
    assert verdicts["wrong-vat-total.xml"] is False
    assert verdicts["bad-date.xml"] is False
    assert sum(verdicts.values()) == len(files) - 7


@needs_shared
def test_the_test_invoices_are_valid_peppol_documents(tmp_path):
    """The invoices the tests build pass the full Peppol validation (CEN + Peppol rules)."""
    paths = []
    for name, invoice in {
        "invoice.xml": an_invoice(order_reference="PO-2026-00001"),
        "credit.xml": an_invoice("CN-1", credit_note=True),
        "reverse-charge.xml": an_invoice(
            lines=[Line("Install", Decimal("1"), Decimal("500"), rate=Decimal("0"), category="AE")]
        ),
    }.items():
        (tmp_path / name).write_bytes(invoice.xml())
        paths.append(tmp_path / name)
    official = official_findings(paths, profile="peppol")
    assert {p.name: official[str(p)]["fatal"] for p in paths} == {p.name: set() for p in paths}


@needs_shared
def test_wrong_totals_are_reported_with_rule_id_and_text():
    result = check_einvoice((EXAMPLES / "broken" / "base-example-wrong-totals.xml").read_bytes())
    assert result.document is None
    by_rule = {f.rule: f.text for f in result.fatal}
    assert sorted(by_rule) == ["BR-CO-10", "BR-CO-13", "BR-CO-15"]
    assert by_rule["BR-CO-10"].startswith(
        "Sum of Invoice line net amount (BT-106) = Σ Invoice line net amount (BT-131)"
    )
    assert "the document says 1299, its lines add up to 1300.00" in by_rule["BR-CO-10"]


@needs_shared
def test_a_file_that_breaks_the_schema_is_not_read_further():
    result = check_einvoice((EXAMPLES / "broken" / "base-example-xsd-invalid.xml").read_bytes())
    assert not result.ok and result.document is None
    assert {f.rule for f in result.findings} == {"XSD"}
    assert any(
        "'31-12-2017' is not a valid value of the atomic type 'xs:date'" in f.text for f in result.findings
    )
    assert any("Colour" in f.text for f in result.findings)


@needs_shared
def test_the_peppol_base_example_is_read():
    doc = check_einvoice((EXAMPLES / "peppol" / "base-example.xml").read_bytes()).document
    assert (doc.kind, doc.number, doc.issue_date, doc.due_date, doc.currency) == (
        "invoice",
        "Snippet1",
        dt.date(2017, 11, 13),
        dt.date(2017, 12, 1),
        "EUR",
    )
    assert (doc.line_total, doc.charge_total, doc.tax_exclusive, doc.tax_total, doc.payable) == (
        Decimal("1300"),
        Decimal("25"),
        Decimal("1325"),
        Decimal("331.25"),
        Decimal("1656.25"),
    )
    assert (doc.seller.name, doc.seller.vat_id, doc.seller.endpoint_scheme, doc.seller.endpoint) == (
        "SupplierOfficialName Ltd",
        "GB1232434",
        "0088",
        "9482348239847239874",
    )
    assert [(ln.line_id, ln.quantity, ln.net_amount, ln.price, ln.tax_rate) for ln in doc.lines] == [
        ("1", Decimal("7"), Decimal("2800"), Decimal("400"), Decimal("25.0")),
        ("2", Decimal("-3"), Decimal("-1500"), Decimal("500"), Decimal("25.0")),
        ("charge-3", Decimal("1"), Decimal("25"), Decimal("25"), Decimal("25.0")),
    ]
    assert doc.lines[2].name == "Charge: Insurance"
    assert doc.ibans == ["IBAN32423940"]


def test_a_built_invoice_is_valid_and_read_back():
    invoice = an_invoice(
        "F-9",
        order_reference="PO-2026-00003",
        lines=[
            Line("Chair", Decimal("3"), Decimal("0.05"), sellers_id="J-1", order_line="1"),
            Line("Book", Decimal("2"), Decimal("9.99"), rate=Decimal("9")),
        ],
    )
    result = check_einvoice(invoice.xml())
    assert result.ok, result.findings
    doc = result.document
    assert (doc.line_total, doc.tax_total, doc.payable) == (
        Decimal("20.13"),
        Decimal("1.83"),
        Decimal("21.96"),
    )
    assert [(t.category, t.rate, t.base, t.amount) for t in doc.taxes] == [
        ("S", Decimal("21"), Decimal("0.15"), Decimal("0.03")),
        ("S", Decimal("9"), Decimal("19.98"), Decimal("1.80")),
    ]
    assert (doc.order_reference, doc.lines[0].order_line_ref, doc.lines[0].sellers_item_id) == (
        "PO-2026-00003",
        "1",
        "J-1",
    )


def test_inconsistent_totals_name_the_amounts():
    result = check_einvoice(an_invoice(tamper={"TaxAmount": "99.00"}).xml())
    assert {f.rule for f in result.fatal} == {"BR-CO-14", "BR-CO-15"}
    text = next(f.text for f in result.fatal if f.rule == "BR-CO-15")
    assert text.endswith("the document says 484.00, which should be 499.00.")


def test_the_seller_must_be_named_and_identified():
    nameless = Party("", vat="", kvk="", endpoint=("0088", "123"))
    result = check_einvoice(an_invoice(seller=nameless).xml())
    assert {f.rule for f in result.fatal} == {"BR-06", "BR-CO-26"}
    unnamed_buyer = check_einvoice(an_invoice(buyer=Party("", kvk="10000001")).xml())
    assert {f.rule for f in unnamed_buyer.fatal} == {"BR-07"}


def test_files_that_are_no_invoice_are_refused():
    assert [f.rule for f in check_einvoice(b"not xml at all").findings] == ["KERN-FILE"]
    doctype = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    refused = check_einvoice(doctype)
    assert (
        refused.document is None
        and refused.findings[0].text == "document type declarations are not allowed in an e-invoice"
    )
    order = b'<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"/>'
    assert check_einvoice(order).findings[0].rule == "XSD"
    assert not check_einvoice(b"x" * (10 * 1024 * 1024 + 1)).ok
