"""A vendor bill's page shows how its payment stands in payments — its open item, the payment
that paid part of it, the payment run that carries the rest — linking each only for users who
may open that page; the purchasing menu reaches the aged payables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from lxml import html as lxml_html

from kern.core import ui
from kern.parties import services as party_services
from kern.payments import services as payments
from kern.payments.models import OpenItem
from kern.purchasing import selectors, services
from tests.builders import a_user, a_web_client
from tests.purchasing.helpers import D

pytestmark = pytest.mark.django_db


def an_approved_bill(company, vendor, *, by, approver, reference="2026-0042"):
    bill = services.create_bill(
        company,
        vendor=vendor,
        by=by,
        vendor_reference=reference,
        bill_date=D(3, 1),
        lines=[{"description": "Office chairs repair", "quantity": 2, "unit_price": "60.00"}],
    )
    services.approve_bill(bill, by=approver)
    bill.refresh_from_db()
    return bill


@pytest.fixture
def paid_in_part(company, vendor, accountant, controller):
    """A bill of 145.20: 50.00 paid by hand, the other 95.20 proposed in a payment run."""
    payments.create_bank_journal(company, name="ABN AMRO", iban="NL91ABNA0417164300", bic="ABNANL2A")
    party_services.add_bank_account(vendor, iban="NL20INGB0001234567", bic="INGBNL2A")
    bill = an_approved_bill(company, vendor, by=accountant, approver=controller)
    item = OpenItem.objects.get(source_type="purchasing.bill", source_id=bill.pk)
    payment = payments.post_payment(
        company,
        direction="outgoing",
        party=vendor,
        amount=Decimal("50.00"),
        on=D(3, 5),
        allocations=[payments.AllocationSpec(item, Decimal("50.00"))],
        by=accountant,
    )
    run = payments.propose_payment_run(company, execution_date=D(12, 31), due_until=D(12, 31), by=accountant)
    return bill, item, payment, run


def payment_tab(page: str) -> list[tuple[list[str], str | None]]:
    """The rows of the payment tab: the cells' text and the first cell's link."""
    tree = lxml_html.fromstring(page)
    rows = []
    for tr in tree.xpath("//*[@id='tab-panel']//tbody/tr"):
        cells = [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
        links = tr.xpath("./td[1]//a")
        rows.append((cells[:5], links[0].get("href") if links else None))
    return rows


def tab_keys(page: str) -> list[str]:
    return [a.get("href") for a in lxml_html.fromstring(page).xpath("//ul[contains(@class, 'nav-tabs')]//a")]


def test_the_selector_gives_the_open_item_what_paid_it_and_its_runs(company, paid_in_part):
    bill, item, payment, run = paid_in_part
    settlement = selectors.payment_of(bill)
    assert (settlement.item, settlement.item.residual, settlement.item.status) == (
        item,
        Decimal("95.20"),
        "partial",
    )
    assert [(a.payment, a.amount, a.date) for a in settlement.allocations] == [
        (payment, Decimal("50.00"), D(3, 5))
    ]
    assert [(line.run, line.amount, line.status) for line in settlement.run_lines] == [
        (run, Decimal("95.20"), "included")
    ]


def test_an_accountant_follows_the_bill_to_its_open_item_payment_and_run(company, paid_in_part, accountant):
    bill, item, payment, run = paid_in_part
    web = a_web_client(accountant)
    page = web.get(f"/purchasing/bills/{bill.pk}/?tab=payment").content.decode()
    assert "?tab=payment" in tab_keys(page)
    assert payment_tab(page) == [
        (
            [item.number, "Left to pay, due", _date(item.due_date), "95.20", "Partly settled"],
            reverse("payments:openitem_detail", kwargs={"pk": item.pk}),
        ),
        (
            [payment.number, "Paid by", _date(D(3, 5)), "50.00", "Posted"],
            reverse("payments:payment_detail", kwargs={"pk": payment.pk}),
        ),
        (
            [run.number, "Payment run", _date(D(12, 31)), "95.20", "Draft · Included"],
            reverse("payments:paymentrun_detail", kwargs={"pk": run.pk}),
        ),
    ]
    # the vendor's statement and the aged payables, and a new run, are one click away
    links = [a.get("href") for a in lxml_html.fromstring(page).xpath("//*[@id='tab-panel']/p//a")]
    assert links == [
        reverse("payments:party_statement", kwargs={"pk": bill.vendor_id}) + "?kind=payable",
        reverse("payments:aged_payables"),
        reverse("payments:propose_run"),
    ]
    for url in [link for _cells, link in payment_tab(page)] + links:
        assert web.get(url).status_code == 200, url


def test_a_buyer_sees_no_payment_tab_and_no_link_into_payments(company, paid_in_part, buyer):
    bill, *_ = paid_in_part
    web = a_web_client(buyer)
    page = web.get(f"/purchasing/bills/{bill.pk}/").content.decode()
    assert tab_keys(page) == ["?tab=lines", "?tab=taxes", "?tab=history"]
    asked = web.get(f"/purchasing/bills/{bill.pk}/?tab=payment").content.decode()
    assert "/payments/" not in asked  # the unknown tab falls back to the lines
    assert "Payment run" not in asked


def test_links_show_only_where_the_user_may_follow_them(company, paid_in_part):
    bill, item, payment, run = paid_in_part
    clerk = a_user(company, "warehouse")  # purchasing.view_*, nothing of payments
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_openitem", content_type__app_label="payments")
    )
    page = a_web_client(clerk).get(f"/purchasing/bills/{bill.pk}/?tab=payment").content.decode()
    assert [(cells[0], link) for cells, link in payment_tab(page)] == [
        (item.number, reverse("payments:openitem_detail", kwargs={"pk": item.pk})),
        (payment.number, None),  # no payments.view_payment
        (run.number, None),  # no payments.view_paymentrun
    ]
    links = [a.get("href") for a in lxml_html.fromstring(page).xpath("//*[@id='tab-panel']/p//a")]
    assert reverse("payments:propose_run") not in links  # no payments.add_paymentrun
    assert reverse("payments:aged_payables") in links


def test_a_draft_bill_says_it_is_registered_for_payment_on_approval(company, vendor, accountant):
    bill = services.create_bill(
        company, vendor=vendor, by=accountant, lines=[{"description": "x", "unit_price": "10"}]
    )
    assert selectors.payment_of(bill) is None
    page = a_web_client(accountant).get(f"/purchasing/bills/{bill.pk}/?tab=payment").content.decode()
    assert payment_tab(page) == []
    assert "The bill is registered for payment when it is approved." in page


def test_the_purchasing_menu_reaches_the_aged_payables_for_who_may_see_them(company, accountant, buyer):
    def purchasing_menu(user):
        areas = {a["area"].key: a["entries"] for a in ui.nav_for(user)}
        return [url for _entry, url in areas.get("purchasing", ())]

    assert reverse("payments:aged_payables") in purchasing_menu(a_user(company, "controller"))
    assert reverse("payments:aged_payables") in purchasing_menu(accountant)
    assert reverse("payments:aged_payables") not in purchasing_menu(buyer)


def _date(day) -> str:
    from django.utils import formats

    return formats.date_format(day, "SHORT_DATE_FORMAT")
