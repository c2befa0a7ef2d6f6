"""A payments refusal reads in the user's language as a whole: the problem+json title (translated
when the problem is rendered, like core's) as well as the detail. `code` and `type` stay the same
in every language, and the class's `title` stays the English source text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kern.payments import exceptions
from kern.payments.services import create_bank_journal
from tests.builders import an_api_client
from tests.payments.camt import a_camt053, a_line
from tests.refusals import assert_titles_read_in_dutch, refusals_with_their_own_title

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}
OWN_IBAN = "NL91ABNA0417164300"
TODAY = dt.date.today()

TITLES = {
    exceptions.AlreadySettled: ("Already settled", "Al voldaan"),
    exceptions.NotAStatement: ("Not a bank statement", "Geen bankafschrift"),
    exceptions.DuplicateStatement: ("Statement already imported", "Afschrift al geïmporteerd"),
    exceptions.SegregationOfDuties: ("Segregation of duties", "Functiescheiding"),
}


def test_every_payments_refusal_with_its_own_title_has_it_in_dutch():
    assert refusals_with_their_own_title(exceptions) == set(TITLES)
    assert_titles_read_in_dutch(TITLES, untitled_message_is_title=True)


def upload(api, data, name="statement.xml", **headers):
    return api.post(
        "/api/v1/statements",
        {"file": SimpleUploadedFile(name, data, content_type="application/xml")},
        **headers,
    )


def test_a_statement_uploaded_twice_is_refused_in_dutch_title_and_detail(company):
    create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")
    api = an_api_client(company, "accountant")
    data = a_camt053(OWN_IBAN, TODAY, a_line("50.00", TODAY, counterparty_name="Bakkerij De Vries"))
    first = upload(api, data)
    assert first.status_code == 201, first.content

    dutch = upload(api, data, **DUTCH)
    english = upload(api, data)

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["title"] == "Afschrift al geïmporteerd"
    assert dutch.json()["detail"] == (
        f"afschrift STMT-{TODAY.isoformat()} van {TODAY.isoformat()} is al eerder geïmporteerd; "
        "er is niets dubbel geboekt"
    )
    assert english.json()["title"] == "Statement already imported"
    assert english.json()["detail"] == (
        f"statement STMT-{TODAY.isoformat()} of {TODAY.isoformat()} was imported before; "
        "nothing was booked twice"
    )
    assert (dutch.json()["code"], dutch.json()["type"]) == (english.json()["code"], english.json()["type"])
    assert dutch.json()["code"] == "duplicate_statement"


def test_an_empty_file_is_not_a_statement_in_dutch_title_and_detail(company):
    create_bank_journal(company, name="ABN AMRO", iban=OWN_IBAN, bic="ABNANL2A")
    api = an_api_client(company, "accountant")

    dutch = upload(api, b"", name="leeg.xml", **DUTCH)
    english = upload(api, b"", name="leeg.xml")

    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["code"] == english.json()["code"] == "not_a_statement"
    assert (dutch.json()["title"], dutch.json()["detail"]) == (
        "Geen bankafschrift",
        "file: het bestand is leeg",
    )
    assert dutch.json()["errors"] == {"file": ["het bestand is leeg"]}
    assert (english.json()["title"], english.json()["detail"]) == (
        "Not a bank statement",
        "file: the file is empty",
    )
