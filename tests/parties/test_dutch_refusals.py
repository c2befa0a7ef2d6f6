"""Party refusals in the user's language: a problem's title is Dutch for a Dutch user and English
otherwise (the class keeps the English source text); `code` never changes."""

from __future__ import annotations

import pytest
from django.utils import translation

from kern.core.exceptions import ValidationFailed
from kern.parties import services
from kern.parties.exceptions import PartyInUse


def test_a_party_in_use_is_refused_in_dutch_and_in_english():
    with translation.override("nl"):
        dutch = PartyInUse()
        dutch_problem = dutch.as_problem()
    english = PartyInUse()

    assert (dutch.message, dutch_problem["title"], dutch_problem["detail"]) == (
        "Relatie is in gebruik",
        "Relatie is in gebruik",
        "Relatie is in gebruik",
    )
    assert (english.message, english.as_problem()["title"]) == ("Party is in use", "Party is in use")
    assert dutch_problem["code"] == english.as_problem()["code"] == "party_in_use"
    assert (dutch_problem["status"], PartyInUse.title) == (409, "Party is in use")


@pytest.mark.django_db
def test_an_unknown_currency_is_refused_in_dutch(company):
    with translation.override("nl"), pytest.raises(ValidationFailed) as dutch:
        services.create_party(company, name="Bakker BV", currency="XXX")
    assert dutch.value.errors == {"currency": ["onbekende valuta 'XXX'"]}
    with pytest.raises(ValidationFailed) as english:
        services.create_party(company, name="Bakker BV", currency="XXX")
    assert english.value.errors == {"currency": ["unknown currency 'XXX'"]}
