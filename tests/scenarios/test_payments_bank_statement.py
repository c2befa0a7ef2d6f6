"""The bank statement comes in: customers' payments are matched by their reference, by their
IBAN and amount; the rest waits on the reconciliation screen; the same file twice, or a file that
is not a statement, books nothing."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from kern.core.exceptions import ValidationFailed
from kern.ledger.models import JournalEntry
from kern.parties import services as party_services
from kern.payments.exceptions import DuplicateStatement, NotAStatement
from kern.payments.formats.camt053 import parse_camt053
from kern.payments.models import BankStatement, OpenItem, Payment, StatementLine
from kern.payments.services import (
    AllocationSpec,
    book_line_to_account,
    create_bank_journal,
    ignore_line,
    import_bank_statement,
    reconcile_line,
)
from tests.builders import a_customer, an_open_item
from tests.payments.camt import a_camt053, a_line
from tests.payments.helpers import D, balance, refreshed, residuals

pytestmark = pytest.mark.django_db

SHARED = Path("/work/shared")
if not SHARED.exists():
    SHARED = Path(__file__).resolve().parents[3] / "shared"
VALIDATOR = SHARED / "tools" / "validate_xml.py"
SAMPLES = SHARED / "standards" / "iso20022" / "samples" / "camt053"
OWN_IBAN = "NL91ABNA0417164300"


@pytest.fixture
def bank(company):
    return create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")


@pytest.fixture
def month(company, bank):
    """A customer paying by reference, one paying by IBAN without one, and a stranger."""
    by_reference = a_customer(company, "Bakkerij De Vries")
    by_iban = a_customer(company, "Drukkerij Jansen")
    party_services.add_bank_account(by_iban, iban="NL20INGB0001234567")
    return {
        "ref_invoice": an_open_item(
            company, by_reference, "1210.00", on=D(3, 1), reference="RF18539007547034"
        ),
        "iban_invoice": an_open_item(company, by_iban, "363.00", on=D(3, 2)),
        "other_invoice": an_open_item(company, by_iban, "99.00", on=D(3, 3)),
        "by_iban": by_iban,
    }


def statement_of_march(month, reference="STMT-0331"):
    return a_camt053(
        OWN_IBAN,
        D(3, 31),
        a_line(
            "1210.00",
            D(3, 20),
            counterparty_name="BAKKERIJ DE VRIES",
            counterparty_iban="NL44RABO0123456789",
            structured_reference="RF18539007547034",
            bank_reference="B-1",
        ),
        a_line(
            "363.00",
            D(3, 21),
            counterparty_name="Drukkerij Jansen",
            counterparty_iban="NL20INGB0001234567",
            remittance="bedankt",
            bank_reference="B-2",
        ),
        a_line(
            "75.00",
            D(3, 22),
            counterparty_name="Onbekend",
            counterparty_iban="NL69INGB0123456789",
            remittance="gift",
            bank_reference="B-3",
        ),
        a_line("-12.50", D(3, 31), remittance="Kosten betalingsverkeer", bank_reference="B-4"),
        reference=reference,
    )


def test_the_statement_file_passes_the_official_schema(month, tmp_path):
    if not VALIDATOR.exists():
        pytest.skip("shared/tools/validate_xml.py is not available on this machine")
    path = tmp_path / "march.xml"
    path.write_bytes(statement_of_march(month))
    run = subprocess.run(
        [sys.executable, str(VALIDATOR), str(path)], capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_payments_are_matched_by_reference_and_by_iban_and_amount(company, month):
    result = import_bank_statement(company, statement_of_march(month), filename="march.xml")

    assert (result.reconciled, result.unmatched, result.warnings) == (2, 2, [])
    lines = {ln.bank_reference: ln for ln in StatementLine.objects.all()}
    assert lines["B-1"].status == "reconciled" and "reference" in lines["B-1"].match_note
    assert lines["B-2"].status == "reconciled" and "IBAN" in lines["B-2"].match_note
    assert lines["B-3"].status == "unmatched" and lines["B-4"].status == "unmatched"
    assert refreshed(month["ref_invoice"]).status == "paid"
    assert refreshed(month["iban_invoice"]).status == "paid"
    assert refreshed(month["other_invoice"]).status == "open"
    assert Payment.objects.filter(is_reconciled=True).count() == 2
    assert balance(company, "bank") == Decimal("1573.00")
    assert balance(company, "receivable") == Decimal("99.00") == residuals(company, "receivable")


def test_the_rest_is_reconciled_on_the_screen(company, month):
    import_bank_statement(company, statement_of_march(month))
    gift, charges = StatementLine.objects.filter(status="unmatched").order_by("sequence")

    reconcile_line(
        gift, party=month["by_iban"], allocations=[AllocationSpec(month["other_invoice"], Decimal("75.00"))]
    )
    book_line_to_account(charges, account="4610", description="bank charges March")

    assert refreshed(month["other_invoice"]).residual == Decimal("24.00")
    assert balance(company, "bank_charges") == Decimal("12.50")
    assert balance(company, "bank") == Decimal("1573.00") + Decimal("75.00") - Decimal("12.50")
    assert not StatementLine.objects.filter(status="unmatched").exists()


def test_a_line_can_be_ignored_once(company, month):
    import_bank_statement(company, statement_of_march(month))
    line = StatementLine.objects.get(bank_reference="B-3")
    ignore_line(line)
    with pytest.raises(Exception) as refused:
        ignore_line(line)
    assert refused.value.status == 409


def test_the_same_statement_twice_is_detected_and_not_booked_twice(company, month):
    data = statement_of_march(month)
    import_bank_statement(company, data)
    counts = (
        BankStatement.objects.count(),
        StatementLine.objects.count(),
        Payment.objects.count(),
        JournalEntry.objects.count(),
    )

    with pytest.raises(DuplicateStatement):
        import_bank_statement(company, data)
    # The same content under another statement id is the same statement too.
    with pytest.raises(DuplicateStatement):
        import_bank_statement(company, statement_of_march(month, reference="STMT-0331-COPY"))

    assert (
        BankStatement.objects.count(),
        StatementLine.objects.count(),
        Payment.objects.count(),
        JournalEntry.objects.count(),
    ) == counts


@pytest.mark.parametrize(
    "data",
    [
        b"Datum;Bedrag\n",  # read as camt because of the name below
        b"<?xml version='1.0'?><Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>",
        b"<not-closed>",
        b"\x89PNG\r\n\x1a\n binary",
    ],
)
def test_a_file_that_is_not_a_camt053_is_refused_whole(company, month, data):
    entries = JournalEntry.objects.count()
    with pytest.raises(NotAStatement) as refused:
        import_bank_statement(company, data, filename="statement.xml", format="camt053")
    assert "camt.053" in refused.value.message or "not" in refused.value.message
    assert list(refused.value.errors) == ["file"]
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()
    assert JournalEntry.objects.count() == entries


def test_a_statement_of_an_unknown_account_is_refused(company, month):
    data = a_camt053("DE89370400440532013000", D(3, 31), a_line("5.00", D(3, 31)))
    with pytest.raises(ValidationFailed):
        import_bank_statement(company, data)
    assert not BankStatement.objects.exists()


def test_a_csv_export_with_dutch_headers(company, month, bank):
    csv = (
        (
            '"Datum";"Naam / Omschrijving";"Rekening";"Tegenrekening";"Af Bij";"Bedrag (EUR)";"Mededelingen"\n'
            f'"20260320";"Drukkerij Jansen";"{OWN_IBAN}";"NL20INGB0001234567";"Bij";"363,00";"factuur"\n'
            f'"20260321";"Albert Heijn";"{OWN_IBAN}";"NL69INGB0123456789";"Af";"12,34";"boodschappen"\n'
        )
        .replace("2026", str(D(1, 1).year))
        .encode("cp1252")
    )

    result = import_bank_statement(company, csv, filename="ing.csv")

    assert (result.reconciled, result.unmatched) == (1, 1)
    assert refreshed(month["iban_invoice"]).status == "paid"
    line = StatementLine.objects.get(counterparty_name="Albert Heijn")
    assert line.amount == Decimal("-12.34") and line.booking_date == D(3, 21)


def test_a_csv_without_an_amount_column_names_what_to_map(company, bank):
    with pytest.raises(NotAStatement) as refused:
        import_bank_statement(company, b"Datum;Wat\n2026-01-01;x\n", filename="x.csv")
    assert "amount" in refused.value.message
    assert not BankStatement.objects.exists()


def test_real_bank_files_are_read_leniently(company):
    if not SAMPLES.exists():
        pytest.skip("shared/standards samples are not available on this machine")
    files = sorted(
        p for p in SAMPLES.glob("viafintech-valid_example*.xml") if "v4" not in p.name and "v8" not in p.name
    )
    assert files
    for path in files:
        statements = parse_camt053(path.read_bytes())
        assert statements and all(s.iban for s in statements), path.name
    valid = parse_camt053((SAMPLES / "viafintech-valid_example_with_instdamt.xml").read_bytes())
    # Schema-valid; its balances do not add up (opening 100 + 4500 ≠ closing 4500), which is said.
    assert not any("schema" in w for w in valid[0].warnings)
    assert any("closing balance" in w for w in valid[0].warnings)
    assert valid[0].lines[0].amount == Decimal("4500.00")
    broken = parse_camt053((SAMPLES / "viafintech-valid_example.xml").read_bytes())
    assert any("schema" in w for w in broken[0].warnings)


def test_an_open_item_with_the_payment_reference_is_found_even_when_written_in_groups(company, month):
    data = a_camt053(
        OWN_IBAN,
        D(4, 1),
        a_line("1210.00", D(4, 1), remittance="betaling RF18 5390 0754 7034", bank_reference="X-1"),
    )
    result = import_bank_statement(company, data)
    assert result.reconciled == 1
    assert refreshed(month["ref_invoice"]).status == "paid"
    assert OpenItem.objects.get(pk=month["ref_invoice"].pk).residual == Decimal("0")
