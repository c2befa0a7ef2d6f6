"""Reference rows every database needs: the ISO 4217 currencies."""

from __future__ import annotations

from kern.core.data.iso4217 import CURRENCIES

SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}


def seed_currencies(using: str = "default", Currency=None) -> None:
    """Insert missing currencies; existing rows (and their active flag) are left as they are."""
    if Currency is None:
        from kern.core.models import Currency
    Currency.objects.using(using).bulk_create(
        [
            Currency(code=code, numeric_code=num, minor_units=minor, name=name, symbol=SYMBOLS.get(code, ""))
            for code, (num, minor, name) in CURRENCIES.items()
        ],
        ignore_conflicts=True,
    )
