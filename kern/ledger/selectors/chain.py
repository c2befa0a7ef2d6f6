"""The hash chain over posted entries.

Each posted entry stores `hash = SHA-256(prev_hash ":" chain_seq ":" content_hash)`, where
`content_hash` is the SHA-256 of a canonical JSON of the entry (company, journal, date, kind,
memo, source, reversed entry) and of every line (position, account id, party id, debit, credit,
amount in currency, currency, tax code, VAT box, description, due date). `chain_seq` is the
entry's position in its company's chain (1, 2, 3 …); `Books.chain_head` holds the newest hash and
`Books.chain_length` the count, so removing the newest entries is detected too.

Posting advances the head in the database in the same statement that locks the books row, so a
post costs no extra round trip for the chain: PostgreSQL computes the SHA-256 natively, SQLite
through `kern_chain_hash`, a function registered on every Django connection. Both compute exactly
`chain_hash()` below, which `verify_books` uses to recompute the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from kern.core.jsontext import compact_json

__all__ = ["chain_hash", "content_hash", "line_fingerprint", "register_sqlite_functions"]

_ZERO = Decimal(0)


def _money(value: Decimal | None, places: int) -> str:
    if value is None:
        return ""
    return f"{value + _ZERO:.{places}f}"  # + 0 turns a negative zero into zero


def line_fingerprint(
    *,
    line_no: int,
    account_id: int,
    party_id: int | None,
    debit: Decimal,
    credit: Decimal,
    amount_currency: Decimal | None,
    currency: str,
    tax_code_id: int | None,
    vat_box: str,
    description: str,
    due_date: dt.date | None,
) -> list[Any]:
    return [
        line_no,
        account_id,
        party_id,
        _money(debit, 2),
        _money(credit, 2),
        _money(amount_currency, 3),
        currency or "",
        tax_code_id,
        vat_box or "",
        description or "",
        due_date.isoformat() if due_date else "",
    ]


def content_hash(
    *,
    company_id: int,
    journal_id: int,
    date: dt.date,
    kind: str,
    memo: str,
    source_type: str,
    source_id: int | None,
    source_number: str,
    reversal_of_id: int | None,
    lines: Iterable[list[Any]],
) -> str:
    payload = [
        company_id,
        journal_id,
        date.isoformat(),
        kind,
        memo or "",
        source_type or "",
        source_id,
        source_number or "",
        reversal_of_id,
        list(lines),
    ]
    # json.dumps(payload, separators=(",", ":")): the text every entry's hash was taken over.
    return hashlib.sha256(compact_json(payload).encode()).hexdigest()


def chain_hash(prev_hash: str, seq: int, content: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{seq}:{content}".encode()).hexdigest()


def _sqlite_chain_hash(prev_hash: str, seq: int, content: str) -> str:
    return chain_hash(prev_hash, int(seq), content)


def register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created receiver: give SQLite the chain hash PostgreSQL computes natively."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("kern_chain_hash", 3, _sqlite_chain_hash, deterministic=True)
