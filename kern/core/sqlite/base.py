"""Django's SQLite backend, with placeholder conversion done once and cheap NULL/boolean binding.

Django writes `%s` placeholders; Python's sqlite3 wants `?`. Django's cursor converts every
statement with a regular expression on every execute — for the hot paths' long multi-row inserts
that was ~4 % of an O2C order's CPU. The conversion depends on the text alone, so its result is
kept (an LRU, as psycopg keeps its own conversions on PostgreSQL). UTC timestamps are written
without Django's time zone conversion, which changes nothing for them. Everything else is
Django's.
Settings select this backend wherever the configured one is Django's SQLite backend.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base, operations
from django.utils.asyncio import async_unsafe

__all__ = ["DatabaseWrapper"]


# Python 3.11's sqlite3 looks up an adapter for every parameter that is not exactly an int, float,
# str or bytes; for None and booleans the failed lookup builds and discards an exception each
# time — a few percent of an order's CPU, as its rows carry many NULLs and flags. These adapters
# give the same values SQLite would have bound (NULL, 0 and 1) without the failed lookup.
base.Database.register_adapter(type(None), {}.get)
base.Database.register_adapter(bool, int)


@lru_cache(maxsize=2048)
def _to_qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class CursorWrapper(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: Any = None) -> str:
        if param_names is None:
            return _to_qmark(query)
        return super().convert_query(query, param_names=param_names)


class DatabaseOperations(operations.DatabaseOperations):
    def adapt_datetimefield_value(self, value: Any) -> Any:
        # Every row's timestamps come here as aware UTC datetimes (timezone.now()); the
        # connection's time zone is UTC too (it is None without USE_TZ), so Django's make_naive
        # (a conversion and two checks) changes nothing but the tzinfo. ~1 % of an O2C order.
        # The text of such a value ends in "+00:00"; without it, it is the naive UTC text (and
        # cheaper than building the naive datetime to write that).
        if type(value) is dt.datetime and value.tzinfo is dt.UTC and self.connection.timezone is dt.UTC:
            return str(value)[:-6]
        return super().adapt_datetimefield_value(value)

    def convert_datetimefield_value(self, value: Any, expression: Any, connection: Any) -> Any:
        # The way back: a stored naive UTC text becomes an aware UTC datetime, as Django's
        # parse_datetime + make_aware would make it, without their checks and settings reads.
        if type(value) is str and self.connection.timezone is dt.UTC:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                return parsed.replace(tzinfo=dt.UTC)
        return super().convert_datetimefield_value(value, expression, connection)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def _close(self) -> None:
        # SQLite keeps no planner statistics unless asked; without them it may pick an index on
        # company alone over a better partial one. `PRAGMA optimize` on close (SQLite's advice
        # for short-lived connections) analyses the tables this connection's queries would have
        # planned better with statistics, and is nearly free when nothing needs it.
        # Closing must not fail: a busy or read-only database just keeps the statistics it has.
        if self.connection is not None:
            with contextlib.suppress(base.Database.Error):
                self.connection.execute("PRAGMA optimize")
        super()._close()

    @async_unsafe
    def create_cursor(self, name: Any = None) -> Any:
        return self.connection.cursor(factory=CursorWrapper)
