"""Procure to pay, as the business lives it.

The planner asks for chairs and tables; the buyer asks two vendors for a price and orders from the
cheaper one. The warehouse receives six chairs first, the rest later. The vendor's e-invoice for
the first delivery charges more per chair than agreed: the bill is booked but held back from
payment with the variance shown, until the controller accepts it. The second bill matches. A
payment run pays both (someone who did not enter or approve them approves it), its SEPA file
passes the official schema, the bank statement comes back and is reconciled. In the end the
goods are in stock, goods-received-not-invoiced is empty and nothing is owed.
"""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from lxml import etree

from kern.inventory import selectors as inventory_selectors
from kern.parties import services as party_services
from kern.payments.exceptions import PaymentsConflict, SegregationOfDuties
from kern.payments.formats.pain001 import validate_pain001
from kern.payments.models import OpenItem, Payment, PaymentRun
from kern.payments.services import (
    approve_payment_run,
    create_bank_journal,
    export_payment_run,
    import_bank_statement,
    propose_payment_run,
)
from kern.purchasing import selectors, services
from kern.purchasing.models import BillStatus, MatchStatus, OrderStatus
from tests.builders import a_product, a_user, a_vendor
from tests.payments.camt import a_camt053, a_line
from tests.purchasing.helpers import D, balance, receive
from tests.purchasing.shared import SHARED
from tests.purchasing.ubl_builder import Line, Party, an_invoice

pytestmark = pytest.mark.django_db

OWN_IBAN = "NL91ABNA0417164300"
VALIDATE_XML = SHARED / "tools" / "validate_xml.py"


def test_from_requisition_to_a_reconciled_payment(company, tmp_path):
    planner, buyer = a_user(company, "planner"), a_user(company, "buyer")
    clerk, controller = a_user(company, "accountant"), a_user(company, "controller")
    create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")
    jansen = a_vendor(company, "Houthandel Jansen", vat_id="NL123456794B01", email="verkoop@jansen.example")
    party_services.add_bank_account(jansen, iban="NL20INGB0001234567", bic="INGBNL2A")
    meubel = a_vendor(company, "Meubelfabriek Oost")
    chair = a_product(company, "CHAIR", name="Chair", cost=Decimal("40.00"))
    table = a_product(company, "TABLE", name="Table", cost=Decimal("150.00"))

    # The planner asks; the buyer approves and asks two vendors for their prices.
    requisition = services.create_requisition(
        company, by=planner, lines=[{"product": chair, "quantity": 10}, {"product": table, "quantity": 2}]
    )
    services.submit_requisition(requisition, by=planner)
    services.approve_requisition(requisition, by=buyer)
    rfq = services.create_rfq_from_requisition(requisition, vendors=[jansen, meubel], by=buyer)
    services.send_rfq(rfq, by=buyer)
    chairs, tables = rfq.lines.order_by("position")
    for vendor, chair_price, table_price in ((jansen, "40.00", "150.00"), (meubel, "41.00", "155.00")):
        services.record_quote(
            rfq.vendors.get(vendor=vendor),
            prices=[
                {"line": chairs, "unit_price": chair_price, "lead_time_days": 7},
                {"line": tables, "unit_price": table_price, "lead_time_days": 7},
            ],
        )
    assert selectors.rfq_comparison(rfq).best_total.invitation.vendor == jansen
    [order] = services.award_rfq(rfq, by=buyer)
    assert (order.vendor, order.untaxed_amount, order.total_amount) == (
        jansen,
        Decimal("700.00"),
        Decimal("847.00"),
    )

    # Within the buyer's limit: approved at once; the warehouse expects the goods.
    services.submit_order(order, by=buyer)
    services.send_order(order, by=buyer)
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT

    # Six chairs arrive; the rest stays on a backorder.
    receive(order, {"CHAIR": 6, "TABLE": 0})
    assert order.status == OrderStatus.PARTLY_RECEIVED
    assert balance(company, "grni") == Decimal("-240.00")

    # The vendor's e-invoice for the six chairs says 42.50 a chair: 6.25 % above the order.
    invoice = an_invoice(
        "JAN-2026-311",
        seller=Party("Houthandel Jansen B.V.", vat="NL123456794B01"),
        order_reference=order.number,
        issue_date=D(3, 12),
        lines=[Line("Chair", Decimal("6"), Decimal("42.50"), order_line="1")],
    )
    first = services.import_einvoice(company, invoice.xml(), by=clerk).bill
    assert (first.vendor, first.purchase_order, first.total_amount) == (jansen, order, Decimal("308.55"))
    services.approve_bill(first, by=clerk)
    first.refresh_from_db()
    variance = "line 1 (CHAIR): unit price 42.5 EUR is 2.5 (6.3%) above the order's 40 (tolerance 2%): 15.00 EUR on 6 pcs"
    assert (first.status, first.match_status, first.payment_blocked, first.block_reason) == (
        BillStatus.APPROVED,
        MatchStatus.VARIANCE,
        True,
        variance,
    )
    # Blocked: a payment run now finds nothing to pay.
    with pytest.raises(PaymentsConflict):
        propose_payment_run(company, execution_date=D(12, 31), due_until=D(12, 31))

    # The rest arrives; its bill comes from the order and matches.
    receive(order)
    assert order.status == OrderStatus.PARTLY_BILLED
    second = services.create_bill_from_order(
        order, by=clerk, vendor_reference="JAN-2026-340", bill_date=D(3, 20)
    )
    assert [(ln.product.sku, ln.quantity) for ln in second.lines.all()] == [
        ("CHAIR", Decimal("4.0000")),
        ("TABLE", Decimal("2.0000")),
    ]
    services.approve_bill(second, by=clerk)
    second.refresh_from_db()
    order.refresh_from_db()
    assert (second.match_status, second.payment_blocked, order.status) == (
        MatchStatus.MATCHED,
        False,
        OrderStatus.DONE,
    )

    # The controller accepts the price increase; both bills can now be paid.
    services.release_bill(first, by=controller, note="price increase agreed with the vendor")
    run = propose_payment_run(company, execution_date=D(12, 31), due_until=D(12, 31), by=clerk)
    assert run.total == Decimal("865.15")  # 308.55 for six chairs at 42.50 + 556.60 for the rest
    with pytest.raises(SegregationOfDuties):
        approve_payment_run(run, by=clerk)  # the clerk entered and approved both bills
    approve_payment_run(run, by=controller)
    document = export_payment_run(run, by=controller)
    assert validate_pain001(document) == []
    if VALIDATE_XML.is_file():
        path = tmp_path / "run.xml"
        path.write_bytes(document)
        checked = subprocess.run(
            [sys.executable, str(VALIDATE_XML), str(path)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    tree = etree.fromstring(document)
    assert tree.findtext(".//p:CdtTrfTxInf//p:Cdtr/p:Nm", namespaces=ns) == "Houthandel Jansen"
    assert tree.findtext(".//p:CdtTrfTxInf//p:CdtrAcct//p:IBAN", namespaces=ns) == "NL20INGB0001234567"
    assert tree.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "865.15"
    for bill in (first, second):
        bill.refresh_from_db()
        assert (bill.status, bill.residual) == (BillStatus.PAID, Decimal("0.00"))

    # The bank statement comes back with the transfer and is reconciled.
    [payment] = Payment.objects.filter(payment_run=run)
    statement = a_camt053(
        OWN_IBAN,
        D(12, 31),
        a_line(f"-{payment.amount}", D(12, 31), end_to_end_id=payment.number, bank_reference="B1"),
    )
    result = import_bank_statement(company, statement)
    assert (result.reconciled, result.unmatched) == (1, 0)
    assert PaymentRun.objects.get(pk=run.pk).status == "done"

    # The books: goods in stock at their order price, GRNI empty, the variance in price difference.
    warehouse = inventory_selectors.default_warehouse(company)
    assert inventory_selectors.on_hand(chair, warehouse=warehouse) == Decimal("10")
    assert inventory_selectors.on_hand(table, warehouse=warehouse) == Decimal("2")
    assert balance(company, "inventory") == Decimal("700.00")
    assert balance(company, "grni") == Decimal("0.00")
    assert balance(company, "price_difference") == Decimal("15.00")
    assert balance(company, "vat_input") == Decimal("150.15")
    assert balance(company, "payable") == Decimal("0.00")
    assert balance(company, "bank") == Decimal("-865.15")
    assert not OpenItem.objects.filter(company=company, kind="payable").exclude(residual=0).exists()


def test_a_payment_run_over_purchase_bills_takes_the_discount_and_lists_a_vendor_without_iban(
    company, tmp_path
):
    """Two vendors are due. Jansen gives 2 % for payment within ten days; Zagerij Noord never gave
    its IBAN. The run pays Jansen less the discount, lists Zagerij Noord as an error and keeps the
    rest; above the company's threshold it needs two approvers, neither of whom entered or approved
    the bills; the SEPA file comes from `kern export pain001` and passes the schema."""
    from kern.core.management.commands.export import Command as ExportCommand
    from kern.parties.services import create_payment_term
    from kern.payments.models import PaymentRunLine

    buyer, clerk = a_user(company, "buyer"), a_user(company, "accountant")
    controller, cfo = a_user(company, "controller"), a_user(company, "controller")
    create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")
    jansen = a_vendor(company, "Houthandel Jansen", vat_id="NL123456794B01")
    party_services.add_bank_account(jansen, iban="NL20INGB0001234567", bic="INGBNL2A")
    noord = a_vendor(company, "Zagerij Noord")
    chair = a_product(company, "CHAIR", name="Chair", cost=Decimal("40.00"))
    term = create_payment_term(
        company, name="2/10 net 30", net_days=30, discount_days=10, discount_percent=Decimal("2")
    )

    order = services.create_order(
        company,
        vendor=jansen,
        by=buyer,
        order_date=D(2, 20),
        payment_term=term,
        lines=[{"product": chair, "quantity": 260, "unit_price": "40.00"}],
    )
    services.submit_order(order, by=buyer)  # 10,400.00: above the buyer's limit
    services.approve_order(order, by=controller)
    receive(order)
    big = services.create_bill_from_order(order, by=clerk, vendor_reference="JAN-900", bill_date=D(3, 1))
    services.approve_bill(big, by=clerk)
    small = services.create_bill(
        company,
        vendor=noord,
        by=clerk,
        vendor_reference="N-17",
        bill_date=D(2, 1),
        due_date=D(2, 15),
        lines=[{"description": "Sawing", "unit_price": "250.00"}],
    )
    services.approve_bill(small, by=clerk)
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.total_amount, big.match_status, small.total_amount) == (
        Decimal("12584.00"),
        MatchStatus.MATCHED,
        Decimal("302.50"),
    )

    run = propose_payment_run(company, execution_date=D(3, 8), due_until=D(3, 8), by=clerk)
    lines = {
        ln.open_item.number: ln for ln in PaymentRunLine.objects.filter(run=run).select_related("open_item")
    }
    assert set(lines) == {big.number, small.number}
    assert (lines[big.number].status, lines[big.number].amount, lines[big.number].discount) == (
        "included",
        Decimal("12332.32"),
        Decimal("251.68"),
    )
    assert lines[small.number].status == "error" and "IBAN" in lines[small.number].error
    assert (run.total, run.required_approvals) == (Decimal("12332.32"), 2)

    with pytest.raises(SegregationOfDuties):
        approve_payment_run(run, by=clerk)  # entered and approved both bills
    approve_payment_run(run, by=controller)
    assert PaymentRun.objects.get(pk=run.pk).status == "draft"  # one approval of two
    with pytest.raises(PaymentsConflict):
        approve_payment_run(run, by=controller)  # the same person twice does not count
    approve_payment_run(run, by=cfo)
    assert PaymentRun.objects.get(pk=run.pk).status == "approved"

    path = tmp_path / "run.xml"
    with pytest.raises(SystemExit) as done:
        ExportCommand().run_from_argv(
            ["kern", "export", "pain001", "--run", run.number, "--output", str(path)]
        )
    assert done.value.code == 0
    document = path.read_bytes()
    assert validate_pain001(document) == []
    if VALIDATE_XML.is_file():
        checked = subprocess.run(
            [sys.executable, str(VALIDATE_XML), str(path)], capture_output=True, text=True, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    tree = etree.fromstring(document)
    assert [
        t.findtext(".//p:Cdtr/p:Nm", namespaces=ns) for t in tree.findall(".//p:CdtTrfTxInf", namespaces=ns)
    ] == ["Houthandel Jansen"]
    assert tree.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=ns) == "12332.32"

    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.status, big.residual) == (BillStatus.PAID, Decimal("0.00"))
    assert (small.status, small.residual) == (BillStatus.APPROVED, Decimal("302.50"))
    assert balance(company, "early_payment_discount_received") == Decimal("-251.68")
    assert balance(company, "payable") == Decimal("-302.50")
    assert balance(company, "bank") == Decimal("-12332.32")
    assert balance(company, "grni") == Decimal("0.00")
