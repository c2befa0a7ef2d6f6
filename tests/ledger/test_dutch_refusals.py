"""A ledger refusal reads in the user's language as a whole: the problem+json title (translated
when the problem is rendered, like core's) as well as the detail. `code` and `type` stay the same
in every language, and the class's `title` stays the English source text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from kern.ledger import exceptions
from kern.ledger.models import JournalEntry, Period
from kern.ledger.services import close_period
from tests.refusals import assert_titles_read_in_dutch, refusals_with_their_own_title

pytestmark = pytest.mark.django_db

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}
TODAY = dt.date.today()

TITLES = {
    exceptions.UnbalancedEntry: ("Unbalanced entry", "Boeking niet in evenwicht"),
    exceptions.UnknownAccount: ("Unknown account", "Onbekende rekening"),
    exceptions.UnknownTaxCode: ("Unknown tax code", "Onbekende btw-code"),
    exceptions.PeriodClosed: ("Period closed", "Periode afgesloten"),
    exceptions.BeforeLockDate: ("Before the lock date", "Vóór de vergrendeldatum"),
    exceptions.NoFiscalYear: ("No fiscal year", "Geen boekjaar"),
    exceptions.EntryPosted: ("Entry is posted", "Boeking is definitief geboekt"),
}


def a_refusal(cls):
    if cls is exceptions.UnbalancedEntry:
        return cls(Decimal("10.00"), Decimal("9.00"), "EUR")
    return cls("x")


def test_every_ledger_refusal_with_its_own_title_has_it_in_dutch():
    assert refusals_with_their_own_title(exceptions) == set(TITLES)
    assert_titles_read_in_dutch(TITLES, a_refusal)
    with translation.override("nl"):
        assert exceptions.PeriodClosed().message == "Periode afgesloten"


def an_entry(debit, credit):
    return {
        "journal": "MEM",
        "date": TODAY.isoformat(),
        "post": True,
        "lines": [
            {"account": "4600", "debit": debit, "credit": "0"},
            {"account": "1100", "debit": "0", "credit": credit},
        ],
    }


def test_posting_in_a_closed_period_is_refused_in_dutch_title_and_detail(api, company):
    close_period(
        Period.objects.get(company=company, start_date__lte=TODAY, end_date__gte=TODAY, kind="regular")
    )

    dutch = api.post_json("/api/v1/ledger/entries", an_entry("1.00", "1.00"), **DUTCH)
    english = api.post_json("/api/v1/ledger/entries", an_entry("1.00", "1.00"))

    assert (dutch.status_code, english.status_code) == (409, 409)
    assert dutch["Content-Type"] == "application/problem+json"
    assert dutch.json()["title"] == "Periode afgesloten"
    assert dutch.json()["detail"] == (
        f"de periode van {TODAY.isoformat()} is afgesloten; heropen haar of boek in een open periode"
    )
    assert english.json()["title"] == "Period closed"
    assert english.json()["detail"] == (
        f"the period of {TODAY.isoformat()} is closed; reopen it or post in an open period"
    )
    assert (dutch.json()["code"], dutch.json()["type"]) == (english.json()["code"], english.json()["type"])
    assert dutch.json()["code"] == "period_closed"
    assert not JournalEntry.objects.filter(company=company).exists()


def test_an_unbalanced_entry_is_refused_in_dutch_title_and_detail(api, company):
    dutch = api.post_json("/api/v1/ledger/entries", an_entry("10.00", "9.00"), **DUTCH)
    english = api.post_json("/api/v1/ledger/entries", an_entry("10.00", "9.00"))

    assert (dutch.status_code, english.status_code) == (422, 422)
    assert dutch.json()["code"] == english.json()["code"] == "unbalanced_entry"
    assert dutch.json()["title"] == "Boeking niet in evenwicht"
    assert dutch.json()["detail"] == (
        "de boeking is niet in evenwicht: debet 10.00 EUR, credit 9.00 EUR, verschil 1.00 EUR"
    )
    assert english.json()["title"] == "Unbalanced entry"
    assert english.json()["detail"] == (
        "the entry does not balance: debit 10.00 EUR, credit 9.00 EUR, difference 1.00 EUR"
    )
    # the amounts a client reads stay the same in both languages
    assert [dutch.json()[k] for k in ("debit", "credit", "difference")] == ["10.00", "9.00", "1.00"]
    assert [english.json()[k] for k in ("debit", "credit", "difference")] == ["10.00", "9.00", "1.00"]
