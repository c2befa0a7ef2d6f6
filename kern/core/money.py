"""Money helpers every app uses.

Amounts are Decimal, never float. Rounding goes to the currency's ISO 4217 minor unit,
half up (ROUND_HALF_UP), set explicitly rather than left to the decimal context.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from kern.core.data.iso4217 import CURRENCIES

__all__ = ["ZERO", "InvalidAmount", "UnknownCurrency", "minor_units", "quantize", "to_decimal"]

ZERO = Decimal("0")


class UnknownCurrency(ValueError):
    def __init__(self, code: str):
        super().__init__(f"Unknown currency: {code!r} is not an ISO 4217 code")
        self.code = code


class InvalidAmount(ValueError):
    pass


@cache
def _exponent(places: int) -> Decimal:
    return Decimal(1).scaleb(-places)


def minor_units(currency: str) -> int:
    """The number of decimals ISO 4217 gives the currency (EUR 2, JPY 0, KWD 3)."""
    try:
        return CURRENCIES[currency.upper()][1]
    except (KeyError, AttributeError):
        raise UnknownCurrency(str(currency)) from None


def quantize(
    amount: Decimal | int | str, currency: str | None = None, *, places: int | None = None
) -> Decimal:
    """Round `amount` to the currency's minor unit (or `places` decimals), half up."""
    if places is None:
        places = minor_units(currency) if currency else 2
    return to_decimal(amount).quantize(_exponent(places), rounding=ROUND_HALF_UP)


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Convert exactly; floats are refused because they cannot represent cents."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        raise InvalidAmount("floats are not accepted as money; pass a Decimal or a string")
    try:
        result = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidAmount(f"not an amount: {value!r}") from None
    if not result.is_finite():
        raise InvalidAmount(f"not a finite amount: {value!r}")
    return result
