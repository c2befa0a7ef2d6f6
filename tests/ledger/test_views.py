"""Ledger pages: the entry form with its running difference, reports with drill-down and exports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kern.ledger.models import EntryStatus, JournalEntry
from kern.ledger.services import LineSpec, SourceRef, post_entry
from tests.builders import a_customer, a_user, a_web_client

D = Decimal
TODAY = dt.date.today()


@pytest.fixture
def accountant(company):
    return a_web_client(a_user(company, "accountant"))


@pytest.fixture
def sale(company):
    customer = a_customer(company, "De Vries")
    return post_entry(
        company=company,
        journal="sale",
        on=TODAY,
        source=SourceRef("tests.invoice", 7, "INV-7"),
        lines=[
            LineSpec(role="receivable", debit=D("121.00"), party_id=customer.pk),
            LineSpec(account="8000", credit=D("100.00"), tax_code="V21"),
            LineSpec(account="1500", credit=D("21.00"), tax_code="V21"),
        ],
    )


def lines_post(*rows, journal="MEM", **extra):
    data = {
        "journal": journal,
        "date": TODAY.isoformat(),
        "memo": "Handmatig",
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "2",
        "lines-MAX_NUM_FORMS": "500",
        **extra,
    }
    for i, (account, debit, credit) in enumerate(rows):
        data.update({f"lines-{i}-account": account, f"lines-{i}-debit": debit, f"lines-{i}-credit": credit})
    return data


def test_the_entry_form_saves_an_unbalanced_draft_and_refuses_to_post_it(accountant, company):
    page = accountant.get("/ledger/entries/new/")
    assert page.status_code == 200 and b'id="difference"' in page.content and b"entry_form.js" in page.content

    saved = accountant.post(
        "/ledger/entries/new/", lines_post(("4600", "10.00", ""), ("1100", "", "9.00"), save="1")
    )
    assert saved.status_code == 302
    draft = JournalEntry.objects.get(company=company)
    assert draft.status == EntryStatus.DRAFT and draft.draft_lines.count() == 2

    refused = accountant.post(
        f"/ledger/entries/{draft.pk}/form/", lines_post(("4600", "10.00", ""), ("1100", "", "9.00"), post="1")
    )
    assert refused.status_code == 200
    assert b"debit and credit differ by 1.00" in refused.content
    assert b'<output id="difference" aria-live="polite" class="text-danger">1.00</output>' in refused.content
    assert JournalEntry.objects.get(pk=draft.pk).status == EntryStatus.DRAFT

    posted = accountant.post(
        f"/ledger/entries/{draft.pk}/form/",
        lines_post(("4600", "10.00", ""), ("1100", "", "10.00"), post="1"),
    )
    assert posted.status_code == 302
    entry = JournalEntry.objects.get(pk=draft.pk)
    assert entry.status == EntryStatus.POSTED and entry.number == f"MEM-{TODAY.year}-00001"
    again = accountant.get(f"/ledger/entries/{draft.pk}/form/")
    assert again.status_code == 302  # a posted entry is not edited: it is reversed


def test_the_entry_page_shows_lines_and_reverses(accountant, sale):
    page = accountant.get(f"/ledger/entries/{sale.pk}/")
    assert page.status_code == 200
    assert sale.number.encode() in page.content and b"INV-7" in page.content
    assert b"do/reverse/" in page.content and b"do/post/" not in page.content
    lines = accountant.get(f"/ledger/entries/{sale.pk}/?tab=lines")
    assert b"8000" in lines.content
    done = accountant.post(f"/ledger/entries/{sale.pk}/do/reverse/")
    assert done.status_code == 302
    assert JournalEntry.objects.get(pk=sale.pk).status == EntryStatus.REVERSED


def test_the_trial_balance_drills_down_to_the_lines_and_the_entry(accountant, sale):
    page = accountant.get("/ledger/reports/trial-balance/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "121.00" in text and "/ledger/reports/accounts/" in text
    receivable = sale.lines.get(line_no=1).account_id
    ledger = accountant.get(f"/ledger/reports/accounts/{receivable}/")
    assert ledger.status_code == 200
    assert f"/ledger/entries/{sale.pk}/".encode() in ledger.content
    assert b"De Vries" in ledger.content


@pytest.mark.parametrize(
    "url",
    [
        "/ledger/reports/trial-balance/",
        "/ledger/reports/profit-and-loss/",
        "/ledger/reports/balance-sheet/",
        "/ledger/reports/journal/",
        "/ledger/reports/vat-return/",
        "/ledger/reports/vat-return/1a/",
    ],
)
def test_every_report_exports_csv_xlsx_and_pdf(accountant, sale, url):
    page = accountant.get(url)
    assert page.status_code == 200
    csv = accountant.get(url + "?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and csv.content.startswith("\ufeff".encode())
    xlsx = accountant.get(url + "?format=xlsx")
    assert xlsx.content[:2] == b"PK"
    pdf = accountant.get(url + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_the_vat_return_page_links_each_box_to_its_lines(accountant, sale):
    page = accountant.get(
        f"/ledger/reports/vat-return/?date_from={TODAY.isoformat()}&date_to={TODAY.isoformat()}"
    )
    text = page.content.decode()
    assert "/ledger/reports/vat-return/1a/" in text and "21.00" in text
    box = accountant.get(
        f"/ledger/reports/vat-return/1a/?date_from={TODAY.isoformat()}&date_to={TODAY.isoformat()}"
    )
    assert f"/ledger/entries/{sale.pk}/".encode() in box.content
    assert b"-21.00" in box.content


def test_the_party_page_has_a_statement_tab_and_a_statement_report(accountant, sale, company):
    party = sale.lines.get(line_no=1).party
    tab = accountant.get(f"/parties/{party.pk}/?tab=ledger_statement")
    assert tab.status_code == 200 and b"121" in tab.content
    report = accountant.get(f"/ledger/reports/statements/{party.pk}/")
    assert report.status_code == 200 and b"INV-7" in report.content


def test_the_pages_are_in_dutch(company, sale):
    client = a_web_client(a_user(company, "accountant"), language="nl")
    page = client.get("/ledger/reports/trial-balance/")
    assert "Proefbalans" in page.content.decode()
    assert "Beginsaldo" in page.content.decode()
    assert "Btw-aangifte" in client.get("/ledger/reports/vat-return/").content.decode()


def test_the_chart_and_period_pages(accountant, company):
    assert accountant.get("/ledger/accounts/").status_code == 200
    assert accountant.get("/ledger/journals/").status_code == 200
    assert accountant.get("/ledger/tax-codes/").status_code == 200
    assert accountant.get("/ledger/periods/").status_code == 200
    assert accountant.get("/ledger/fiscal-years/").status_code == 200
    created = accountant.post(
        "/ledger/accounts/new/",
        {"code": "4650", "name": "Reiskosten", "type": "expense", "subtype": "expense", "parent": "40"},
    )
    assert created.status_code == 302


def test_a_role_without_ledger_rights_gets_403(company):
    rep = a_web_client(a_user(company, "sales_rep"))
    assert rep.get("/ledger/reports/trial-balance/").status_code == 403
    assert rep.get("/ledger/entries/new/").status_code == 403


def test_a_dutch_user_reads_why_an_entry_is_refused_in_dutch(company):
    from kern.ledger.models import Period
    from kern.ledger.services import close_period

    client = a_web_client(a_user(company, "accountant"), language="nl")
    unbalanced = client.post(
        "/ledger/entries/new/", lines_post(("4600", "10.00", ""), ("1100", "", "9.00"), post="1")
    )
    assert unbalanced.status_code == 200
    assert "debet en credit verschillen 1.00" in unbalanced.content.decode()

    unknown = client.post(
        "/ledger/entries/new/", lines_post(("9999", "10.00", ""), ("1100", "", "10.00"), post="1")
    )
    assert "onbekende rekening" in unknown.content.decode() or "bestaat niet" in unknown.content.decode()

    close_period(
        Period.objects.get(company=company, kind="regular", start_date__lte=TODAY, end_date__gte=TODAY)
    )
    closed = client.post(
        "/ledger/entries/new/", lines_post(("4600", "10.00", ""), ("1100", "", "10.00"), post="1")
    )
    assert closed.status_code == 200
    assert f"de periode van {TODAY.isoformat()} is afgesloten" in closed.content.decode()
    assert not JournalEntry.objects.filter(company=company).exists()


def test_report_amounts_always_show_two_decimals_in_the_users_language():
    from decimal import Decimal

    from django.utils import translation

    from kern.ledger.views import _col

    debit = _col("debit", "Debit", True)
    assert debit.display({"debit": Decimal("100")}) == "100.00"
    assert debit.display({"debit": Decimal("-12.5")}) == "-12.50"
    with translation.override("nl"):
        assert debit.display({"debit": Decimal("100")}) == "100,00"
    assert _col("code", "Account").display({"code": "8000"}) == "8000"
