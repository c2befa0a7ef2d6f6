from decimal import Decimal

import pytest

from kern.core.money import InvalidAmount, UnknownCurrency, minor_units, quantize


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "EUR", "2.35"),  # half up, not banker's rounding
        ("2.355", "EUR", "2.36"),
        ("-2.345", "EUR", "-2.35"),  # half away from zero for negatives too
        ("1234.5", "JPY", "1235"),
        ("1.0005", "KWD", "1.001"),
        ("10", "EUR", "10.00"),
    ],
)
def test_quantize_rounds_half_up_to_the_iso_minor_unit(amount, currency, expected):
    assert str(quantize(Decimal(amount), currency)) == expected


def test_minor_units_come_from_iso_4217():
    assert (minor_units("EUR"), minor_units("JPY"), minor_units("BHD")) == (2, 0, 3)


def test_unknown_currency_and_floats_are_refused():
    with pytest.raises(UnknownCurrency):
        quantize(Decimal("1"), "XXY")
    with pytest.raises(InvalidAmount):
        quantize(0.1, "EUR")
    with pytest.raises(InvalidAmount):
        quantize("NaN", "EUR")
