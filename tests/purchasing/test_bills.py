"""Vendor bills: by hand, from an order, the three-way match with its tolerances, the posting and
the payable, variance release with segregation of duties, duplicates, credit notes, cancelling."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kern.core.exceptions import InvalidTransition, ValidationFailed
from kern.core.models import AuditEvent
from kern.core.services import set_exchange_rate
from kern.ledger.models import AccountRole, JournalEntry, JournalLine
from kern.parties.services import create_payment_term
from kern.payments.models import OpenItem
from kern.purchasing import services
from kern.purchasing.exceptions import DuplicateBill, PurchasingConflict, SegregationOfDuties
from kern.purchasing.models import BillStatus, MatchStatus, OrderStatus, VendorBill
from tests.builders import a_product, a_user, a_vendor
from tests.purchasing.helpers import YEAR, D, balance, receive

pytestmark = pytest.mark.django_db
ON = D(3, 10)


def entry_lines(bill):
    """(role of the account, debit, credit, VAT code) of each line of the bill's journal entry."""
    entry = JournalEntry.objects.get(pk=bill.entry_id)
    roles = dict(AccountRole.objects.filter(company_id=bill.company_id).values_list("account_id", "role"))
    return sorted(
        (
            roles.get(ln.account_id, ln.account.code),
            ln.debit,
            ln.credit,
            ln.tax_code.code if ln.tax_code_id else "",
        )
        for ln in JournalLine.objects.filter(entry=entry).select_related("account", "tax_code")
    )


def approved_order(company, vendor, *lines, by):
    order = services.create_order(company, vendor=vendor, lines=list(lines), by=by)
    services.submit_order(order, by=by)
    order.refresh_from_db()
    return order


def test_a_bill_entered_by_hand_is_posted_and_payable(company, vendor, accountant, controller):
    term = create_payment_term(
        company, name="2/10 net 30", net_days=30, discount_days=10, discount_percent=Decimal("2")
    )
    bill = services.create_bill(
        company,
        vendor=vendor,
        by=accountant,
        vendor_reference="2026-0042",
        bill_date=ON,
        payment_term=term,
        lines=[
            {"description": "Office chairs repair", "quantity": 2, "unit_price": "60.00"},
            {"description": "Coffee", "quantity": 1, "unit_price": "30.00", "tax_code": "I9"},
        ],
    )
    assert (bill.status, bill.number, bill.untaxed_amount, bill.tax_amount, bill.total_amount) == (
        BillStatus.DRAFT,
        "",
        Decimal("150.00"),
        Decimal("27.90"),
        Decimal("177.90"),
    )
    services.approve_bill(bill, by=controller)
    bill.refresh_from_db()
    assert (bill.status, bill.number, bill.match_status, bill.due_date, bill.residual) == (
        BillStatus.APPROVED,
        f"BILL-{YEAR}-00001",
        MatchStatus.NO_ORDER,
        D(4, 9),
        Decimal("177.90"),
    )
    assert entry_lines(bill) == [
        ("expense", Decimal("30.00"), Decimal("0.00"), "I9"),
        ("expense", Decimal("120.00"), Decimal("0.00"), "I21"),
        ("payable", Decimal("0.00"), Decimal("177.90"), ""),
        ("vat_input", Decimal("2.70"), Decimal("0.00"), "I9"),
        ("vat_input", Decimal("25.20"), Decimal("0.00"), "I21"),
    ]
    item = OpenItem.objects.get(source_type="purchasing.bill", source_id=bill.pk)
    assert (
        item.kind,
        item.party_id,
        item.amount,
        item.due_date,
        item.discount_date,
        item.discount_amount,
    ) == (
        "payable",
        vendor.pk,
        Decimal("177.90"),
        D(4, 9),
        D(3, 20),
        Decimal("3.56"),
    )
    assert (item.entered_by_id, item.approved_by_id, item.payment_blocked, item.reference) == (
        accountant.pk,
        controller.pk,
        False,
        "2026-0042",
    )


def test_the_same_vendor_bill_number_twice_is_refused_naming_the_first(company, vendor, accountant):
    first = services.create_bill(
        company, vendor=vendor, vendor_reference="INV 77", lines=[{"description": "x", "unit_price": "10"}]
    )
    bills_before, audit_before = VendorBill.objects.count(), AuditEvent.objects.count()
    with pytest.raises(DuplicateBill) as refused:
        services.create_bill(
            company, vendor=vendor, vendor_reference="inv77", lines=[{"description": "x", "unit_price": "10"}]
        )
    assert (
        refused.value.message
        == f"Houthandel Jansen already sent bill inv77: it is recorded as draft #{first.pk}"
    )
    assert refused.value.status == 409 and refused.value.existing == first
    assert (VendorBill.objects.count(), AuditEvent.objects.count()) == (bills_before, audit_before)
    other_vendor = a_vendor(company, "Metaal BV")
    services.create_bill(company, vendor=other_vendor, vendor_reference="INV 77")  # another vendor's number
    services.approve_bill(first, by=accountant)
    with pytest.raises(DuplicateBill) as again:
        services.create_bill(company, vendor=vendor, vendor_reference="INV 77")
    assert again.value.message.endswith(f"it is recorded as BILL-{YEAR}-00001")


def test_a_price_above_the_order_beyond_tolerance_blocks_payment_until_released(
    company, vendor, chair, buyer, accountant, controller
):
    order = approved_order(company, vendor, {"product": chair, "quantity": 10, "unit_price": "40"}, by=buyer)
    receive(order, {"CHAIR": 10})
    bill = services.create_bill_from_order(order, by=accountant, vendor_reference="F-100", bill_date=ON)
    services.update_bill_line(bill.lines.get(), unit_price="44.00", by=accountant)
    services.check_bill(bill, by=accountant)
    assert bill.match_status == MatchStatus.VARIANCE
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    reason = "line 1 (CHAIR): unit price 44 EUR is 4 (10.0%) above the order's 40 (tolerance 2%): 40.00 EUR on 10 pcs"
    assert (bill.status, bill.match_status, bill.payment_blocked, bill.block_reason) == (
        BillStatus.APPROVED,
        MatchStatus.VARIANCE,
        True,
        reason,
    )
    assert bill.match_findings[0]["variance"] == "40.00" and bill.match_findings[0]["kind"] == "price"
    item = OpenItem.objects.get(source_type="purchasing.bill", source_id=bill.pk)
    assert (item.payment_blocked, item.block_reason) == (True, reason)
    # the goods were received at 400 (GRNI), the bill says 440: 40 is a price difference
    assert entry_lines(bill) == [
        ("grni", Decimal("400.00"), Decimal("0.00"), "I21"),
        ("payable", Decimal("0.00"), Decimal("532.40"), ""),
        ("price_difference", Decimal("40.00"), Decimal("0.00"), "I21"),
        ("vat_input", Decimal("92.40"), Decimal("0.00"), "I21"),
    ]
    assert balance(company, "grni") == Decimal("0.00")
    # whoever entered the bill cannot accept its variance; a role without the right cannot either
    with pytest.raises(SegregationOfDuties):
        services.release_bill(bill, by=accountant, note="ok")
    with pytest.raises(Exception) as forbidden:
        services.release_bill(bill, by=a_user(company, "warehouse"), note="ok")
    assert forbidden.value.status == 403
    item.refresh_from_db()
    assert item.payment_blocked
    services.release_bill(bill, by=controller, note="price increase agreed by phone")
    bill.refresh_from_db()
    item.refresh_from_db()
    assert (bill.match_status, bill.payment_blocked, bill.variance_approved_by_id, item.payment_blocked) == (
        MatchStatus.RELEASED,
        False,
        controller.pk,
        False,
    )


def test_small_variances_within_tolerance_pass(company, vendor, chair, buyer, accountant):
    order = approved_order(company, vendor, {"product": chair, "quantity": 10, "unit_price": "40"}, by=buyer)
    receive(order)
    bill = services.create_bill_from_order(order, by=accountant, vendor_reference="F-1")
    services.update_bill_line(bill.lines.get(), unit_price="40.60")  # 1.5 %
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    assert (bill.match_status, bill.payment_blocked) == (MatchStatus.MATCHED, False)
    assert balance(company, "price_difference") == Decimal("6.00")


def test_billing_more_than_was_received_is_blocked(company, vendor, chair, buyer, accountant):
    order = approved_order(company, vendor, {"product": chair, "quantity": 10, "unit_price": "40"}, by=buyer)
    receive(order, {"CHAIR": 6})
    bill = services.create_bill_from_order(
        order, by=accountant, vendor_reference="F-2", quantities={order.lines.get().pk: 8}
    )
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    assert bill.payment_blocked
    assert bill.block_reason == "CHAIR: bills charge 8 pcs, 6 received (tolerance 0%): 2 too many, 80.00 EUR"
    # GRNI: 240 received, the bill takes 240 for the 6 received plus 80 for 2 not (yet) received
    assert balance(company, "grni") == Decimal("80.00")
    receive(order, {"CHAIR": 2})
    order.refresh_from_db()
    line = order.lines.get()
    assert (line.qty_received, line.qty_billed) == (Decimal("8.0000"), Decimal("8.0000"))
    assert balance(company, "grni") == Decimal("0.00")


def test_services_are_matched_against_what_was_ordered(company, vendor, buyer, accountant):
    consulting = a_product(company, "CONSULT", name="Consulting", type="service", cost=Decimal("90"))
    order = approved_order(
        company, vendor, {"product": consulting, "quantity": 8, "unit_price": "90"}, by=buyer
    )
    bill = services.create_bill_from_order(order, by=accountant, vendor_reference="U-1")
    assert [ln.quantity for ln in bill.lines.all()] == [Decimal("8.0000")]
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    order.refresh_from_db()
    assert (bill.match_status, order.status) == (MatchStatus.MATCHED, OrderStatus.DONE)
    assert entry_lines(bill)[0] == ("expense", Decimal("720.00"), Decimal("0.00"), "I21")


def test_a_credit_note_mirrors_a_bill(company, vendor, accountant):
    credit = services.create_bill(
        company,
        vendor=vendor,
        kind="credit_note",
        vendor_reference="CN-5",
        bill_date=ON,
        lines=[{"description": "Returned goods", "quantity": 1, "unit_price": "100"}],
    )
    services.approve_bill(credit, by=accountant)
    credit.refresh_from_db()
    assert credit.number == f"VCN-{YEAR}-00001"
    assert entry_lines(credit) == [
        ("expense", Decimal("0.00"), Decimal("100.00"), "I21"),
        ("payable", Decimal("121.00"), Decimal("0.00"), ""),
        ("vat_input", Decimal("0.00"), Decimal("21.00"), "I21"),
    ]
    assert OpenItem.objects.get(source_id=credit.pk, source_type="purchasing.bill").amount == Decimal(
        "-121.00"
    )


def test_a_bill_in_another_currency_is_booked_at_the_days_rate(company, buyer, accountant, chair):
    set_exchange_rate("USD", "1.2500", on=D(1, 1))
    us = a_vendor(company, "Acme Inc", currency="USD")
    order = approved_order(
        company, us, {"product": chair, "quantity": 10, "unit_price": "50", "tax_code": "I0"}, by=buyer
    )
    receive(order)
    assert order.lines.get().received_value == Decimal("400.00")  # 500 USD at 1.25
    bill = services.create_bill_from_order(order, by=accountant, vendor_reference="US-1", bill_date=ON)
    services.approve_bill(bill, by=accountant)
    bill.refresh_from_db()
    entry = JournalEntry.objects.get(pk=bill.entry_id)
    payable = JournalLine.objects.get(entry=entry, account__roles__role="payable")
    assert (payable.credit, payable.amount_currency, payable.currency) == (
        Decimal("400.00"),
        Decimal("-500.00"),
        "USD",
    )
    item = OpenItem.objects.get(source_id=bill.pk, source_type="purchasing.bill")
    assert (item.currency_id, item.amount, item.amount_company) == (
        "USD",
        Decimal("500.00"),
        Decimal("400.00"),
    )
    assert balance(company, "grni") == Decimal("0.00")


def test_cancelling_an_unpaid_bill_reverses_it_and_gives_the_order_back(
    company, vendor, chair, buyer, accountant
):
    order = approved_order(company, vendor, {"product": chair, "quantity": 5, "unit_price": "40"}, by=buyer)
    receive(order)
    bill = services.create_bill_from_order(order, by=accountant, vendor_reference="F-9")
    services.approve_bill(bill, by=accountant)
    order.refresh_from_db()
    assert order.status == OrderStatus.DONE
    with pytest.raises(ValidationFailed):
        services.cancel_bill(bill, by=accountant)  # an approved bill needs a reason
    services.cancel_bill(bill, by=accountant, reason="sent twice by the vendor")
    bill.refresh_from_db()
    order.refresh_from_db()
    line = order.lines.get()
    assert (bill.status, order.status, line.qty_billed, line.billed_grni_value) == (
        BillStatus.CANCELLED,
        OrderStatus.RECEIVED,
        Decimal("0.0000"),
        Decimal("0.00"),
    )
    assert balance(company, "grni") == Decimal("-200.00")
    assert balance(company, "payable") == Decimal("0.00")
    assert OpenItem.objects.get(source_id=bill.pk, source_type="purchasing.bill").residual == Decimal("0.00")
    again = services.create_bill_from_order(
        order, by=accountant, vendor_reference="F-9"
    )  # the number is free again
    assert again.total_amount == Decimal("242.00")


def test_only_drafts_are_changed_and_approving_needs_the_vendors_number(company, vendor, accountant):
    bill = services.create_bill(company, vendor=vendor, lines=[{"description": "x", "unit_price": "10"}])
    with pytest.raises(ValidationFailed) as refused:
        services.approve_bill(bill, by=accountant)
    assert refused.value.errors == {"vendor_reference": ["enter the vendor's bill number before approving"]}
    assert VendorBill.objects.get(pk=bill.pk).status == BillStatus.DRAFT
    services.update_bill(bill, vendor_reference="A-1")
    services.approve_bill(bill, by=accountant)
    with pytest.raises(PurchasingConflict):
        services.update_bill(bill, notes="too late")
    with pytest.raises(InvalidTransition):
        services.approve_bill(bill, by=accountant)
