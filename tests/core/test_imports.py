"""Imports from CSV and XLSX: the way in for companies leaving spreadsheets."""

import io
import json
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command

from kern.catalog.models import Product
from kern.core.imports import decimal_value, get_importer, run_import
from kern.parties.models import ContactPerson, Party
from tests.builders import a_customer

DUTCH_CSV = (
    "Naam;BTW-nummer;KvK;E-mail;Straat;Postcode;Plaats;Land;IBAN;Kredietlimiet;Rol\n"
    "Bakkerij Jansen;NL123456782B01;12345678;info@jansen.nl;Kerkstraat 1;1234 AB;Delft;Nederland;NL91ABNA0417164300;1.250,50;klant\n"
    "Leverancier Smit;;;smit@smit.nl;Haven 2;3011 AA;Rotterdam;NL;;;leverancier\n"
).encode("cp1252")

BAD_CSV = (
    b"name,vat_id,kvk_number,iban,credit_limit,roles\n"
    b"Goed BV,,,,,customer\n"
    b"Foute BTW,NL123,,,,customer\n"
    b",,,,,customer\n"
    b"Foute IBAN,,,NL00ABNA0000000000,,customer\n"
    b"Fout bedrag,,,,veel,customer\n"
    b"Foute rol,,,,,koning\n"
)


@pytest.mark.django_db
def test_a_dutch_spreadsheet_export_imports_with_headers_recognised(company):
    report = run_import(get_importer("parties"), company, DUTCH_CSV, filename="relaties.csv", dry_run=False)
    assert report.errors == [] and report.created == 2
    jansen = Party.objects.get(company=company, name="Bakkerij Jansen")
    assert (jansen.vat_id, jansen.kvk_number, jansen.credit_limit, jansen.is_customer) == (
        "NL123456782B01",
        "12345678",
        Decimal("1250.50"),
        True,
    )
    assert (jansen.addresses.get().city, jansen.bank_accounts.get().iban) == ("Delft", "NL91ABNA0417164300")
    assert Party.objects.get(company=company, name="Leverancier Smit").is_vendor


@pytest.mark.django_db
def test_a_dry_run_reports_every_bad_row_and_why_and_writes_nothing(company):
    report = run_import(get_importer("parties"), company, BAD_CSV, filename="p.csv", dry_run=True)
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "vat_id"),
        (4, "name"),
        (5, "iban"),
        (6, "credit_limit"),
        (7, "roles"),
    ]
    assert "not a valid VAT id" in report.errors[0].message
    assert (report.total_rows, report.valid_rows, report.created) == (6, 1, 0)
    assert not Party.objects.filter(company=company).exists()


@pytest.mark.django_db
def test_a_commit_is_all_or_nothing(company):
    report = run_import(get_importer("parties"), company, BAD_CSV, filename="p.csv", dry_run=False)
    assert len(report.errors) == 5 and not report.committed
    assert not Party.objects.filter(company=company).exists()


@pytest.mark.django_db
def test_duplicates_within_the_file_are_reported(company):
    data = b"sku,name,sale_price\nA-1,Stoel,10\nA-1,Stoel nogmaals,11\n"
    report = run_import(get_importer("products"), company, data, filename="p.csv")
    assert [(e.row, e.column) for e in report.errors] == [(3, "__all__")]
    assert "already exists" in report.errors[0].message


@pytest.mark.django_db
def test_xlsx_with_an_explicit_column_mapping(company):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Artikel", "Omschrijving kort", "Prijs excl", "Groep"])
    sheet.append(["K-1", "Koffie", 12.5, "Dranken"])
    sheet.append(["K-2", "Thee", "3,95", "Dranken"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = run_import(
        get_importer("products"),
        company,
        buffer.getvalue(),
        filename="artikelen.xlsx",
        mapping={"Artikel": "sku", "Prijs excl": "sale_price"},
        dry_run=False,
    )
    assert report.errors == [] and report.created == 2
    assert list(Product.objects.filter(company=company).order_by("sku").values_list("sku", "sale_price")) == [
        ("K-1", Decimal("12.5000")),
        ("K-2", Decimal("3.9500")),
    ]
    assert Product.objects.get(company=company, sku="K-1").category.name == "Dranken"


@pytest.mark.django_db
def test_contacts_attach_to_parties_by_number_vat_or_name(company):
    party = a_customer(company, "Visser Transport", vat_id="NL123456794B01")
    data = f"party,first_name,last_name\n{party.number},Jan,Visser\nNL123456794B01,Kees,Visser\nOnbekend BV,A,B\n".encode()
    report = run_import(get_importer("contacts"), company, data, filename="c.csv")
    assert [(e.row, e.column) for e in report.errors] == [(4, "party")]


def test_dutch_and_english_number_formats():
    assert [decimal_value(v) for v in ("1.234,56", "1,234.56", "1234,5", "€ 12", "-3.5")] == [
        Decimal("1234.56"),
        Decimal("1234.56"),
        Decimal("1234.5"),
        Decimal("12"),
        Decimal("-3.5"),
    ]


@pytest.mark.django_db
def test_the_cli_dry_run_reports_and_exits_non_zero(company, tmp_path, capsys):
    path = tmp_path / "klanten.csv"
    path.write_bytes(BAD_CSV)
    with pytest.raises(SystemExit) as exit_:
        call_command("import", "parties", str(path), "--dry-run", "--json", "--company", str(company.pk))
    assert exit_.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True and len(report["errors"]) == 5
    good = tmp_path / "goed.csv"
    good.write_bytes(b"name,roles\nGoed BV,customer\n")
    call_command("import", "parties", str(good), "--company", company.kvk_number)
    assert Party.objects.filter(company=company, name="Goed BV").exists()


@pytest.mark.django_db
def test_the_api_import_dry_run_then_commit(api, company):
    upload = lambda dry: api.post(  # noqa: E731
        "/api/v1/imports/contacts",
        {
            "file": io.BytesIO(
                b"party,last_name\n" + a_customer(company, "API Klant").number.encode() + b",Bos\n"
            ),
            "dry_run": dry,
        },
    )
    assert upload("true").status_code == 200
    assert not ContactPerson.objects.filter(company=company).exists()
    committed = upload("false")
    assert committed.status_code == 201 and committed.json()["created"] == 1
    bad = api.post("/api/v1/imports/parties", {"file": io.BytesIO(BAD_CSV)})
    assert bad.status_code == 422 and len(bad.json()["errors"]) == 5
    assert api.post("/api/v1/imports/nonsense", {"file": io.BytesIO(b"a\n1\n")}).status_code == 422


@pytest.mark.django_db
def test_unreadable_files_are_one_clear_error(company):
    from kern.core.imports import ImportFileError

    with pytest.raises(ImportFileError):
        run_import(get_importer("parties"), company, b"", filename="leeg.csv")
    with pytest.raises(ImportFileError):
        run_import(get_importer("parties"), company, b"PK\x03\x04garbage", filename="kapot.xlsx")
