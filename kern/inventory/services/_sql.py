"""Set-based writes to quants, cost layers and moves: one statement for all lines of an operation.

Every statement is `WITH v(...) AS (VALUES …) UPDATE <table> SET … FROM v WHERE <table>.id = v.id`,
which SQLite (≥ 3.33) and PostgreSQL both run. Values are cast explicitly: SQLite would otherwise
compare the text Django binds for a Decimal with a number, and PostgreSQL needs the types of the
first row. Quantities are rounded to the column's 4 places in SQL, because SQLite does the
arithmetic in binary floating point; rounding both sides keeps comparisons and CHECKs exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError

from kern.core.db import statement_cursor
from kern.core.rows import RowsUpdate, execute_riding, rows_update

QUANT = "inventory_quant"
QTY_PLACES = 4


def _values(rows: Sequence[Sequence[Any]], casts: Sequence[str]) -> tuple[str, list[Any]]:
    row_sql = "(" + ", ".join(f"CAST(%s AS {cast})" for cast in casts) + ")"
    params: list[Any] = []
    for row in rows:
        params.extend(str(v) if isinstance(v, Decimal) else v for v in row)
    return ", ".join([row_sql] * len(rows)), params


def reserve_quants(allocations: dict[int, Decimal]) -> set[int]:
    """Add to `reserved` of each quant id, only where that much is still unreserved.

    Returns the ids that were reserved; the caller compares with what it asked for. Ids are
    sorted so concurrent reservations lock rows in the same order.
    """
    if not allocations:
        return set()
    rows = sorted(allocations.items())
    values, params = _values(rows, ("BIGINT", "NUMERIC"))
    sql = (
        f"WITH v(id, qty) AS (VALUES {values}) "  # noqa: S608 - names from code, values bound
        f"UPDATE {QUANT} SET reserved = ROUND({QUANT}.reserved + v.qty, {QTY_PLACES}) FROM v "
        f"WHERE {QUANT}.id = v.id AND ROUND({QUANT}.quantity - {QUANT}.reserved, {QTY_PLACES}) >= v.qty "
        f"RETURNING {QUANT}.id"
    )
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def change_quants(changes: dict[int, tuple[Decimal, Decimal]]) -> None:
    """quantity += dq, reserved += dr for each quant id. The CHECK constraints refuse a row that
    would go negative (unless it may) — IntegrityError, turned into a refusal by the caller."""
    if not changes:
        return
    rows = [(qid, dq, dr) for qid, (dq, dr) in sorted(changes.items())]
    values, params = _values(rows, ("BIGINT", "NUMERIC", "NUMERIC"))
    sql = (
        f"WITH v(id, dq, dr) AS (VALUES {values}) "  # noqa: S608 - names from code, values bound
        f"UPDATE {QUANT} SET quantity = ROUND({QUANT}.quantity + v.dq, {QTY_PLACES}), "
        f"reserved = ROUND({QUANT}.reserved + v.dr, {QTY_PLACES}) FROM v WHERE {QUANT}.id = v.id"
    )
    with statement_cursor() as cursor:
        cursor.execute(sql, params)


def update_rows(
    table: str,
    columns: dict[str, str],
    rows: Iterable[Sequence[Any]],
    *,
    fixed: dict[str, Any] | None = None,
    riding: Sequence[RowsUpdate | None] = (),
) -> None:
    """SET each of `columns` (name → SQL type) from per-row values, plus `fixed` values for all rows.

    rows: (id, value for each column in order). `riding`: updates of other tables sent with it
    (`RowsUpdate`).
    """
    update = rows_update(table, columns, rows, fixed=fixed)
    if update is None:
        for rider in riding:
            if rider is not None:
                rider.run()
        return
    execute_riding(update.sql(), list(update.params), riding)


__all__ = ["IntegrityError", "RowsUpdate", "change_quants", "reserve_quants", "rows_update", "update_rows"]
