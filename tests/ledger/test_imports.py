"""A chart and an opening balance (with open items per party) from CSV/XLSX files."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import tablib

from kern.core.imports import get_importer, run_import
from kern.ledger.models import Account, EntryKind, JournalEntry, JournalLine
from kern.ledger.selectors import partner_statement, trial_balance
from kern.ledger.services import import_opening_balance
from kern.ledger.services.imports import run_opening_balance_import
from tests.builders import a_customer, a_vendor

D = Decimal
YEAR = dt.date.today().year

OPENING = """rekening;debet;credit;relatie;factuurnummer;vervaldatum;omschrijving
1100;12.500,00;;;;;Bank
3000;4.000,00;;;;;Voorraad
1300;1.210,00;;De Vries;F-2025-101;{year}-01-20;
1300;605,00;;De Vries;F-2025-107;{year}-02-03;
1600;;968,00;Papier BV;I-88;{year}-01-15;
0500;;15.000,00;;;;Kapitaal
0510;;2.347,00;;;;Reserves
"""


def test_an_opening_balance_posts_one_entry_with_an_item_per_invoice(company, tmp_path):
    customer = a_customer(company, "De Vries")
    vendor = a_vendor(company, "Papier BV")
    data = OPENING.format(year=YEAR).encode()

    dry = import_opening_balance(company, data, filename="ob.csv", dry_run=True)
    assert dry.ok and dry.debit == dry.credit == D("18315.00")
    assert not JournalEntry.objects.filter(company=company).exists()

    report = import_opening_balance(company, data, filename="ob.csv", dry_run=False)
    entry = report.entry
    assert entry.kind == EntryKind.OPENING and entry.date == dt.date(YEAR, 1, 1) and entry.period.number == 0
    items = list(
        JournalLine.objects.filter(entry=entry, party=customer)
        .order_by("line_no")
        .values_list("debit", "description", "due_date")
    )
    assert items == [
        (D("1210.00"), "F-2025-101", dt.date(YEAR, 1, 20)),
        (D("605.00"), "F-2025-107", dt.date(YEAR, 2, 3)),
    ]
    tb = trial_balance(company, date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31))
    assert tb.row("1300").opening == D("1815.00") and tb.row("1300").debit == 0
    assert partner_statement(
        company, vendor, date_from=dt.date(YEAR, 1, 1), date_to=dt.date(YEAR, 12, 31)
    ).closing == D("-968.00")


def test_every_bad_row_is_reported_and_nothing_is_posted(company):
    a_customer(company, "De Vries")
    data = (
        b"rekening;debet;credit;relatie\n"
        b"9999;10,00;;\n"
        b"1300;10,00;;Nobody\n"
        b"1300;10,00;;\n"
        b"1100;abc;;\n"
        b"1100;;5,00;\n"
    )
    report = import_opening_balance(company, data, filename="bad.csv", dry_run=False)
    assert [(row, column) for row, column, _ in report.errors] == [
        (2, "account"),
        (3, "party"),
        (4, "party"),
        (5, "debit"),
    ]
    assert report.entry is None and not JournalEntry.objects.filter(company=company).exists()


def test_an_unbalanced_file_is_refused_naming_both_totals(company, tmp_path):
    path = tmp_path / "ob.csv"
    path.write_text("account,debit,credit\n1100,100.00,\n0500,,90.00\n")
    out = io.StringIO()
    code = run_opening_balance_import(company, path, user=None, options={"dry_run": False}, stdout=out)
    assert code == 1
    assert "debit 100.00, credit 90.00" in out.getvalue()
    assert not JournalEntry.objects.filter(company=company).exists()


def test_an_xlsx_opening_balance_is_read_too(company):
    sheet = tablib.Dataset(headers=["Account", "Debit", "Credit"])
    sheet.append(["1100", 250, None])
    sheet.append(["0500", None, 250])
    report = import_opening_balance(company, sheet.export("xlsx"), filename="ob.xlsx", dry_run=False)
    assert report.ok, report.errors
    assert report.entry.total == D("250.00")


def test_a_chart_is_imported_with_groups_and_rgs_codes(company):
    data = (
        b"code;naam;soort;subtype;groep;groepsrekening;rgs\n"
        b"85;Overige omzet;omzet;revenue;;ja;\n"
        b"8500;Omzet advies;omzet;revenue;85;;WOmzNodOdh\n"
        b"8510;Omzet training;opbrengst;revenue;85;nee;\n"
        b"8520;Fout;onbekend;;;;\n"
    )
    dry = run_import(get_importer("accounts"), company, data, filename="chart.csv", dry_run=True)
    assert [(e.row, e.column) for e in dry.errors] == [(5, "type")]
    ok = run_import(
        get_importer("accounts"),
        company,
        data.rsplit(b"\n", 2)[0] + b"\n",
        filename="chart.csv",
        dry_run=False,
    )
    assert ok.created == 3
    advies = Account.objects.get(company=company, code="8500")
    assert (advies.parent.code, advies.type, advies.rgs_code) == ("85", "income", "WOmzNodOdh")
    assert Account.objects.get(company=company, code="85").is_group
