import datetime as dt
from decimal import Decimal

import pytest

from kern.core.exceptions import ValidationFailed
from kern.core.selectors import MissingExchangeRate, convert, rate_on
from kern.core.services import set_exchange_rate
from tests.builders import a_company

JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.mark.django_db
def test_the_latest_rate_on_or_before_the_date_is_used():
    set_exchange_rate("USD", "1.0800", on=JAN)
    set_exchange_rate("USD", "1.1000", on=FEB)
    assert rate_on("EUR", "USD", dt.date(2026, 1, 31)) == Decimal("1.0800")
    assert rate_on("EUR", "USD", MAR) == Decimal("1.1000")
    assert convert(Decimal("100"), "EUR", "USD", MAR) == Decimal("110.00")
    assert convert(Decimal("110"), "USD", "EUR", MAR) == Decimal("100.00")  # inverse


@pytest.mark.django_db
def test_cross_rates_go_through_the_euro_and_a_companys_own_rate_wins():
    company = a_company()
    set_exchange_rate("USD", "1.2", on=JAN)
    set_exchange_rate("GBP", "0.8", on=JAN)
    assert rate_on("GBP", "USD", FEB) == Decimal("1.5")
    set_exchange_rate("USD", "1.25", on=JAN, company=company)
    assert rate_on("EUR", "USD", FEB, company=company) == Decimal("1.25")
    assert rate_on("EUR", "USD", FEB) == Decimal("1.2")


@pytest.mark.django_db
def test_no_rate_and_bad_input_are_clear_errors():
    with pytest.raises(MissingExchangeRate) as err:
        rate_on("EUR", "SEK", JAN)
    assert err.value.status == 422 and "EUR to SEK" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        set_exchange_rate("ABC", "1", on=JAN)
    assert err.value.errors == {"currency": ["unknown currency 'ABC'"]}
    with pytest.raises(ValidationFailed):
        set_exchange_rate("USD", "-1", on=JAN)
