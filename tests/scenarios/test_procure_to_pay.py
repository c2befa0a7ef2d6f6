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
