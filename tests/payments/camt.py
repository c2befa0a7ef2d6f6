"""Bank statements as a bank would send them, for tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from kern.payments.formats.camt053 import ParsedLine, ParsedStatement, render_camt053


def a_line(amount: str, on: dt.date, **fields) -> ParsedLine:
    return ParsedLine(
        booking_date=on, amount=Decimal(amount), currency=fields.pop("currency", "EUR"), **fields
    )


def a_camt053(
    iban: str, on: dt.date, *lines: ParsedLine, reference: str = "", opening: str = "1000.00"
) -> bytes:
    return render_camt053(
        ParsedStatement(
            reference=reference or f"STMT-{on.isoformat()}",
            iban=iban,
            currency="EUR",
            date=on,
            period_start=on,
            period_end=on,
            opening_balance=Decimal(opening),
            lines=list(lines),
        )
    )
