"""The preview of a reminder that is due: the letter `send_dunning_letters` would write, assembled
by a selector (the page only renders it) and recording nothing."""

from decimal import Decimal

import pytest
from django.utils import translation

from kern.ledger.models import JournalEntry
from kern.parties import services as parties
from kern.payments.models import DunningLetter, DunningLevel, OpenItem
from kern.payments.selectors import dunning_letter_preview
from kern.payments.services import send_dunning_letters
from tests.builders import a_customer, an_open_item
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db


def _in_arrears(company):
    customer = a_customer(company, "Traag Betalend BV")
    parties.add_address(
        customer, street="Oude Gracht 1", postcode="3511 AA", city="Utrecht", is_default=False
    )
    billing = parties.add_address(customer, street="Damrak 1", postcode="1012 LG", city="Amsterdam")
    oldest = an_open_item(company, customer, "500.00", on=D(3, 1), due_days=30)  # due 31 Mar
    recent = an_open_item(company, customer, "120.00", on=D(3, 20), due_days=14)  # due 3 Apr
    an_open_item(company, customer, "80.00", on=D(4, 10), due_days=30)  # not overdue on 25 Apr
    return customer, billing, oldest, recent


def test_the_preview_is_the_letter_that_would_be_sent_and_records_nothing(company):
    customer, billing, oldest, recent = _in_arrears(company)
    second = DunningLevel.objects.get(company=company, level=2)

    preview = dunning_letter_preview(company, customer, D(4, 25))

    letter = preview.letter
    assert letter.pk is None and letter.number == "(draft)"
    assert (letter.party, letter.level, letter.date, letter.currency_id) == (customer, 2, D(4, 25), "EUR")
    assert (letter.fee, letter.text) == (Decimal("15.00"), second.text)
    assert letter.overdue_total == Decimal("620.00")
    assert preview.total == Decimal("635.00")  # the invoices and the fee
    assert [(ln.open_item, ln.days_overdue, ln.level, ln.residual) for ln in preview.lines] == [
        (oldest, 25, 2, Decimal("500.00")),
        (recent, 22, 2, Decimal("120.00")),
    ]
    assert all(ln.pk is None for ln in preview.lines)
    assert preview.address == billing  # the default address
    # nothing was numbered, charged or recorded
    assert not DunningLetter.objects.exists()
    assert not OpenItem.objects.filter(source_type="payments.dunningletter").exists()
    assert not JournalEntry.objects.filter(source_type="payments.dunningletter").exists()
    assert set(OpenItem.objects.filter(party=customer).values_list("dunning_level", flat=True)) == {0}

    (sent,) = send_dunning_letters(company, on=D(4, 25))
    assert (sent.level, sent.fee, sent.overdue_total, sent.text) == (
        letter.level,
        letter.fee,
        letter.overdue_total,
        letter.text,
    )
    assert [
        (ln.open_item_id, ln.days_overdue, ln.level, ln.residual) for ln in sent.lines.order_by("pk")
    ] == [(ln.open_item.pk, ln.days_overdue, ln.level, ln.residual) for ln in preview.lines]
    assert dunning_letter_preview(company, customer, D(4, 26)) is None  # reminded: nothing new is due


def test_no_preview_when_no_reminder_is_due(company, other_company):
    customer, *_ = _in_arrears(company)
    assert dunning_letter_preview(company, customer, D(4, 5)) is None  # 5 days late: not yet level 1
    assert dunning_letter_preview(other_company, customer, D(4, 25)) is None  # not their customer
    punctual = a_customer(company, "Stipt BV")
    assert dunning_letter_preview(company, punctual, D(4, 25)) is None


def test_the_draft_is_marked_in_the_user_s_language(company):
    customer, *_ = _in_arrears(company)
    with translation.override("nl"):
        preview = dunning_letter_preview(company, customer, D(4, 25))
    assert preview.letter.number == "(concept)"
