"""Paying vendors: a payment run picks the due bills (taking an early-payment discount), lists
the vendor without an IBAN as an error, is approved by someone who did not enter the bills,
becomes a SEPA pain.001 file that passes the official schema, and is reconciled when the bank
statement comes back."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from kern.core.services import update_company
from kern.parties import services as party_services
from kern.payments.exceptions import PaymentsConflict, SegregationOfDuties
from kern.payments.formats.pain001 import validate_pain001
from kern.payments.models import Payment, PaymentRun, PaymentRunLine
from kern.payments.services import (
    approve_payment_run,
    create_bank_journal,
    export_payment_run,
    import_bank_statement,
    propose_payment_run,
)
from tests.builders import a_user, a_vendor, an_open_item
from tests.payments.camt import a_camt053, a_line
from tests.payments.helpers import D, balance, refreshed, residuals

pytestmark = pytest.mark.django_db

SHARED = Path("/work/shared")
VALIDATOR = SHARED / "tools" / "validate_xml.py"
OWN_IBAN = "NL91ABNA0417164300"
PAIN = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


@pytest.fixture
def books(company):
    clerk = a_user(company, "accountant")
    controller = a_user(company, "controller")
    create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")
    paper = a_vendor(company, "Papierfabriek Van Dijk")
    party_services.add_bank_account(paper, iban="NL20INGB0001234567", bic="INGBNL2A")
    coffee = a_vendor(company, "Koffiebranderij Smit")
    party_services.add_bank_account(coffee, iban="NL44RABO0123456789")
    nobank = a_vendor(company, "Transportbedrijf Bos")
    return {
        "clerk": clerk,
        "controller": controller,
        "paper_bill": an_open_item(
            company,
            paper,
            "800.00",
            kind="payable",
            on=D(5, 1),
            due_days=14,
            reference="RF18539007547034",
            entered_by=clerk,
        ),
        "paper_credit": an_open_item(company, paper, "-100.00", kind="payable", on=D(5, 3), entered_by=clerk),
        # 2/10 net 30: due 31 May, but the discount is open until 11 May
        "coffee_bill": an_open_item(
            company,
            coffee,
            "500.00",
            kind="payable",
            on=D(5, 1),
            due_days=30,
            discount_days=10,
            discount_percent="2",
            reference="K-2231",
            entered_by=clerk,
        ),
        "late_bill": an_open_item(company, coffee, "50.00", kind="payable", on=D(5, 1), due_days=60),
        "nobank_bill": an_open_item(company, nobank, "300.00", kind="payable", on=D(4, 1), due_days=14),
    }


def test_a_run_from_proposal_to_bank_reconciliation(company, books, tmp_path):
    run = propose_payment_run(company, execution_date=D(5, 10), due_until=D(5, 15), by=books["clerk"])

    lines = {
        ln.open_item.number: ln for ln in PaymentRunLine.objects.filter(run=run).select_related("open_item")
    }
    assert set(lines) == {
        books[k].number for k in ("paper_bill", "paper_credit", "coffee_bill", "nobank_bill")
    }
    assert (lines[books["coffee_bill"].number].amount, lines[books["coffee_bill"].number].discount) == (
        Decimal("490.00"),
        Decimal("10.00"),
    )
    error = lines[books["nobank_bill"].number]
    assert error.status == "error" and "IBAN" in error.error
    assert run.total == Decimal("1190.00")  # 800 − 100 + 490; the vendor without IBAN is left out
    assert run.required_approvals == 1

    with pytest.raises(SegregationOfDuties) as refused:
        approve_payment_run(run, by=books["clerk"])
    assert books["paper_bill"].number in refused.value.message
    assert PaymentRun.objects.get(pk=run.pk).status == "draft"

    approve_payment_run(run, by=books["controller"])
    assert run.status == "approved"

    document = export_payment_run(run, by=books["controller"])

    assert validate_pain001(document) == []
    if VALIDATOR.exists():
        path = tmp_path / "run.xml"
        path.write_bytes(document)
        check = subprocess.run(
            [sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, check=False
        )
        assert check.returncode == 0, check.stdout + check.stderr
    tree = etree.fromstring(document)
    assert tree.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=PAIN) == "1190.00"
    transfers = tree.findall(".//p:CdtTrfTxInf", namespaces=PAIN)
    assert len(transfers) == 2
    refs = {t.findtext(".//p:Cdtr/p:Nm", namespaces=PAIN): t for t in transfers}
    assert refs["Koffiebranderij Smit"].findtext(".//p:InstdAmt", namespaces=PAIN) == "490.00"
    assert refs["Papierfabriek Van Dijk"].findtext(".//p:InstdAmt", namespaces=PAIN) == "700.00"
    assert run.status == "exported"
    assert export_payment_run(run) == document  # the same file again; nothing booked twice
    payments = list(Payment.objects.filter(payment_run=run).order_by("number"))
    assert len(payments) == 2 and not any(p.is_reconciled for p in payments)
    assert [refreshed(books[k]).status for k in ("paper_bill", "paper_credit", "coffee_bill")] == ["paid"] * 3
    assert refreshed(books["late_bill"]).status == "open"
    assert balance(company, "early_payment_discount_received") == Decimal("-10.00")
    assert balance(company, "bank") == Decimal("-1190.00")
    assert balance(company, "payable") == Decimal("-350.00")
    assert -balance(company, "payable") == residuals(company, "payable")

    # The statement comes back with the two transfers, found by their end-to-end ids.
    statement = a_camt053(
        OWN_IBAN,
        D(5, 10),
        *[
            a_line(
                f"-{p.amount}",
                D(5, 10),
                end_to_end_id=p.number,
                counterparty_name="x",
                bank_reference=f"R{p.pk}",
            )
            for p in payments
        ],
    )
    result = import_bank_statement(company, statement)

    assert (result.reconciled, result.unmatched) == (2, 0)
    assert all(p.is_reconciled for p in Payment.objects.filter(payment_run=run))
    assert PaymentRun.objects.get(pk=run.pk).status == "done"
    assert balance(company, "bank") == Decimal("-1190.00")  # reconciling books nothing again


def test_above_the_threshold_two_different_people_approve(company, books):
    update_company(company, settings={"payments": {"dual_approval_threshold": "1000"}})
    run = propose_payment_run(company, execution_date=D(5, 10), due_until=D(5, 15))
    assert run.required_approvals == 2
    first, second = a_user(company, "controller"), books["controller"]

    approve_payment_run(run, by=first)
    assert PaymentRun.objects.get(pk=run.pk).status == "draft"
    with pytest.raises(PaymentsConflict):
        approve_payment_run(run, by=first)
    with pytest.raises(PaymentsConflict):
        export_payment_run(run)
    approve_payment_run(run, by=second)
    assert PaymentRun.objects.get(pk=run.pk).status == "approved"


def test_nothing_due_is_said(company, books):
    with pytest.raises(PaymentsConflict) as refused:
        propose_payment_run(company, execution_date=D(1, 2), due_until=D(1, 2))
    assert refused.value.code == "nothing_to_pay"
    assert not PaymentRun.objects.exists()


def test_a_bill_in_a_run_is_not_proposed_again(company, books):
    propose_payment_run(company, execution_date=D(5, 10), due_until=D(5, 15))
    second = propose_payment_run(company, execution_date=D(7, 1), due_until=D(7, 15))
    # Only what the first run leaves: the later bill, and the bill it could not pay (no IBAN).
    assert sorted(ln.open_item_id for ln in second.lines.all()) == [
        books["late_bill"].pk,
        books["nobank_bill"].pk,
    ]
