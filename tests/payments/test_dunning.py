"""Reminders: levels by days overdue, a letter per customer, fees charged as open items."""

from decimal import Decimal

import pytest

from kern.payments.documents import dunning_letter_html, dunning_letter_pdf
from kern.payments.exceptions import PaymentsConflict
from kern.payments.models import DunningLetter, DunningLevel, OpenItem
from kern.payments.selectors import dunning_proposal
from kern.payments.services import send_dunning_letters
from tests.builders import a_customer, an_open_item
from tests.payments.helpers import D, balance, residuals

pytestmark = pytest.mark.django_db


def test_every_company_starts_with_three_levels(company):
    assert [(lv.level, lv.days_overdue, lv.fee) for lv in DunningLevel.objects.filter(company=company)] == [
        (1, 7, Decimal("0.00")),
        (2, 21, Decimal("15.00")),
        (3, 35, Decimal("40.00")),
    ]


def test_a_reminder_climbs_the_levels_and_charges_its_fee(company):
    customer = a_customer(company, "Traag Betalend BV")
    late = an_open_item(company, customer, "500.00", on=D(3, 1), due_days=30)  # due 31 Mar
    an_open_item(company, customer, "80.00", on=D(4, 10), due_days=30)  # not overdue yet on 10 Apr

    first = dunning_proposal(company, D(4, 10))
    assert [(p.party.name, p.level.level, p.overdue_total) for p in first] == [
        ("Traag Betalend BV", 1, Decimal("500.00"))
    ]
    (letter,) = send_dunning_letters(company, on=D(4, 10))
    assert (letter.level, letter.fee, letter.fee_item) == (1, Decimal("0.00"), None)
    late.refresh_from_db()
    assert (late.dunning_level, late.last_dunned_on) == (1, D(4, 10))
    assert dunning_proposal(company, D(4, 12)) == []  # nothing new to say two days later
    with pytest.raises(PaymentsConflict):
        send_dunning_letters(company, on=D(4, 12))

    (second,) = send_dunning_letters(company, on=D(4, 25))
    assert (second.level, second.fee) == (2, Decimal("15.00"))
    fee = OpenItem.objects.get(source_type="payments.dunningletter")
    assert (fee.amount, fee.party_id, fee.number) == (Decimal("15.00"), customer.pk, second.number)
    assert balance(company, "receivable") == Decimal("595.00") == residuals(company, "receivable")

    html = dunning_letter_html(second)
    assert (
        "Traag Betalend BV" in html and late.number in html and "15,00" in html
    )  # Dutch: the customer reads Dutch
    assert dunning_letter_pdf(second).startswith(b"%PDF")
    assert DunningLetter.objects.count() == 2
