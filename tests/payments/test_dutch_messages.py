"""Payments refusals are worded in the user's language: the services translate their messages (and
per-field errors) when they raise them, so a Dutch user reads Dutch on a Dutch page and in a Dutch
API answer, while English stays the default. Texts stored in the database stay English."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kern.ledger.models import JournalLine
from kern.ledger.services import set_lock_date
from kern.payments.exceptions import (
    AlreadySettled,
    DuplicateStatement,
    NotAStatement,
    PaymentsCode,
    PaymentsConflict,
    PaymentsInvalid,
)
from kern.payments.models import StatementLine
from kern.payments.services import (
    AllocationSpec,
    create_bank_journal,
    import_bank_statement,
    offset_open_items,
    receive_payment,
    send_dunning_letters,
)
from tests.builders import a_customer, an_api_client, an_open_item
from tests.payments.camt import a_camt053, a_line

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}
OWN_IBAN = "NL91ABNA0417164300"
TODAY = dt.date.today()
NOT_CAMT = b"<Invoice xmlns='urn:example:invoice'><ID>1</ID></Invoice>"


@pytest.fixture
def bank(company):
    return create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")


@pytest.fixture
def customer(company):
    return a_customer(company, "Bakkerij De Vries")


def test_a_file_that_is_not_a_camt053_is_refused_in_dutch(company, bank):
    with translation.override("nl"):
        with pytest.raises(NotAStatement) as not_camt:
            import_bank_statement(company, NOT_CAMT, filename="invoice.xml", format="camt053")
        with pytest.raises(NotAStatement) as empty:
            import_bank_statement(company, b"", filename="empty.xml")
        with pytest.raises(PaymentsInvalid) as unknown_format:
            import_bank_statement(company, b"x", format="mt940")

    reason = (
        "the file is not a camt.053 bank statement (its root is Invoice in namespace 'urn:example:invoice')"
    )
    assert not_camt.value.message == (
        f"file: dit bestand is geen bankafschrift dat Kern kan lezen — {reason}"
    )
    assert not_camt.value.errors == {
        "file": [f"dit bestand is geen bankafschrift dat Kern kan lezen — {reason}"]
    }
    assert empty.value.message == "file: het bestand is leeg"
    assert unknown_format.value.errors == {"format": ["moet een van camt053, csv zijn"]}

    # without a language asked for, the same refusal stays English, word for word
    with pytest.raises(NotAStatement) as english:
        import_bank_statement(company, NOT_CAMT, filename="invoice.xml", format="camt053")
    assert english.value.message == f"file: {reason}"
    assert english.value.errors == {"file": [reason]}


def test_a_statement_imported_twice_is_refused_in_dutch(company, bank, customer):
    data = a_camt053(OWN_IBAN, TODAY, a_line("50.00", TODAY, counterparty_name="Bakkerij De Vries"))
    import_bank_statement(company, data)
    with translation.override("nl"), pytest.raises(DuplicateStatement) as twice:
        import_bank_statement(company, data)
    assert twice.value.message == (
        f"afschrift STMT-{TODAY.isoformat()} van {TODAY.isoformat()} is al eerder geïmporteerd; "
        "er is niets dubbel geboekt"
    )
    with pytest.raises(DuplicateStatement) as english:
        import_bank_statement(company, data)
    assert english.value.message == (
        f"statement STMT-{TODAY.isoformat()} of {TODAY.isoformat()} was imported before; "
        "nothing was booked twice"
    )


def test_allocating_more_than_is_open_is_refused_in_dutch(company, customer):
    invoice = an_open_item(company, customer, "100.00", number="INV-NL-1")
    credit_note = an_open_item(company, customer, "-30.00", number="CN-NL-1")

    def pay(amount: str, allocated: str) -> None:
        receive_payment(
            company,
            party=customer,
            amount=Decimal(amount),
            on=TODAY,
            allocations=[AllocationSpec(invoice, Decimal(allocated))],
        )

    with translation.override("nl"):
        with pytest.raises(AlreadySettled) as too_much:
            pay("150.00", allocated="150.00")
        with pytest.raises(PaymentsInvalid) as beyond_payment:
            pay("40.00", allocated="60.00")
        with pytest.raises(AlreadySettled) as offset:
            offset_open_items(invoice, credit_note, amount=Decimal("45.00"))
        with pytest.raises(PaymentsInvalid) as zero:
            receive_payment(company, party=customer, amount=Decimal("0"), on=TODAY)

    assert too_much.value.code == PaymentsCode.OVER_ALLOCATED
    assert (
        too_much.value.message == "op INV-NL-1 staat nog 100.00 EUR open; 150.00 kan niet toegewezen worden"
    )
    assert beyond_payment.value.errors == {
        "allocations": ["er is 60.00 EUR toegewezen, maar de betaling is maar 40.00 EUR"]
    }
    assert offset.value.message == "hoogstens 30.00 EUR kan verrekend worden"
    assert zero.value.message == "amount: moet groter zijn dan nul"
    assert zero.value.errors == {"amount": ["moet groter zijn dan nul"]}

    with pytest.raises(AlreadySettled) as english:
        receive_payment(
            company,
            party=customer,
            amount=Decimal("150.00"),
            on=TODAY,
            allocations=[AllocationSpec(invoice, Decimal("150.00"))],
        )
    assert english.value.message == "INV-NL-1 has 100.00 EUR left; 150.00 cannot be allocated"


def test_nothing_to_remind_is_refused_in_dutch(company):
    with translation.override("nl"), pytest.raises(PaymentsConflict) as nothing:
        send_dunning_letters(company, on=TODAY)
    assert nothing.value.message == "geen enkele klant krijgt op deze datum een aanmaning"


def test_the_api_answers_a_refusal_in_the_language_the_request_asks_for(company, customer):
    invoice = an_open_item(company, customer, "100.00", number="INV-NL-2")
    api = an_api_client(company, "accountant")
    payment = {
        "party_id": customer.pk,
        "amount": "150.00",
        "date": TODAY.isoformat(),
        "allocations": [{"open_item_id": invoice.pk, "amount": "150.00"}],
    }

    dutch = api.post_json("/api/v1/payments", payment, **DUTCH)
    assert dutch.status_code == 409 and dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["code"] == "over_allocated"
    assert (
        dutch.json()["detail"] == "op INV-NL-2 staat nog 100.00 EUR open; 150.00 kan niet toegewezen worden"
    )
    unknown = api.post_json("/api/v1/payments", {**payment, "party_id": 10**9}, **DUTCH)
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"party_id": [f"relatie {10**9} niet gevonden"]}

    english = api.post_json("/api/v1/payments", payment)
    assert english.status_code == 409
    assert english.json()["detail"] == "INV-NL-2 has 100.00 EUR left; 150.00 cannot be allocated"


def test_texts_stored_by_a_dutch_user_stay_english(company, bank, customer):
    """Ledger descriptions and a statement line's note are stored, read by everyone: English."""
    an_open_item(company, customer, "80.00", number="INV-NL-3", on=TODAY - dt.timedelta(days=20))
    set_lock_date(company, TODAY - dt.timedelta(days=1))
    late = TODAY - dt.timedelta(days=2)
    data = a_camt053(
        OWN_IBAN,
        late,
        a_line("80.00", late, counterparty_name="Bakkerij De Vries", remittance="INV-NL-3"),
        reference="STMT-NL-3",
    )
    with translation.override("nl"):
        payment = receive_payment(company, party=customer, amount=Decimal("25.00"), on=TODAY, allocations=[])
        import_bank_statement(company, data)

    credit = JournalLine.objects.get(
        entry__source_id=payment.pk, entry__source_type="payments.payment", party=customer
    )
    assert credit.description == f"credit {payment.number}"
    # the line matched INV-NL-3 but the books are locked on its date: why it waits is noted in English
    line = StatementLine.objects.get(statement__reference="STMT-NL-3")
    assert line.status == "unmatched"
    assert line.match_note == (
        f"not booked: the books are locked up to {(TODAY - dt.timedelta(days=1)).isoformat()}; "
        f"{late.isoformat()} cannot be posted"
    )
