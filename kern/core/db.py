"""Transactions and the unit of work.

`atomic()` is the one way services open a transaction. The outermost `atomic()` owns a unit of
work: audit rows and outbox events written inside it are buffered and flushed with one bulk
insert each just before the block commits, so a business operation costs a fixed number of
statements for its bookkeeping however many rows it touches. Nested `atomic()` blocks join the
outer transaction without a savepoint (each savepoint costs PostgreSQL two round trips); a caller
that wants to catch an error and carry on opens `savepoint()`, which also rolls back what the
failed part buffered.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.utils import CursorWrapper

__all__ = [
    "UnitOfWork",
    "atomic",
    "current_connection",
    "current_unit",
    "on_commit",
    "savepoint",
    "statement_cursor",
]


class UnitOfWork:
    def __init__(self) -> None:
        self.audit_rows: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.flushers: list[Callable[[UnitOfWork], None]] = []
        # Rows a service wrote in this transaction and may read back without a query (the moves
        # of a delivery confirmed and shipped in one go). An entry is only a shortcut: whoever
        # changes those rows drops it, and a rolled-back savepoint drops them all.
        self.cache: dict[str, Any] = {}
        # Audit rows before this index belong outside the innermost open savepoint: they must
        # not take in what that savepoint writes (a rollback to it would not take it out again).
        self.savepoint_floor = 0
        # The default database's connection of the transaction this unit belongs to, and the
        # one nested block every `atomic()` inside it returns (looking the connection up per
        # nested call was ~1 % of an O2C order's CPU: a thread-local look-up each time).
        self.connection: Any = None
        self.joined: _Joined | None = None

    def mark(self) -> tuple[int, int]:
        return len(self.audit_rows), len(self.events)

    def rollback_to(self, mark: tuple[int, int]) -> None:
        del self.audit_rows[mark[0] :]
        del self.events[mark[1] :]
        self.cache.clear()

    def flush(self) -> None:
        # Flushers are registered by core.audit and core.events at import time; the list is
        # walked until nothing new was buffered (an event handler may audit, and so on).
        for _ in range(10):
            if not (self.audit_rows or self.events):
                return
            for flusher in _FLUSHERS:
                flusher(self)
        raise RuntimeError("unit of work did not settle after 10 flush rounds")


_FLUSHERS: list[Callable[[UnitOfWork], None]] = []
_local = threading.local()


def register_flusher(flusher: Callable[[UnitOfWork], None]) -> None:
    if flusher not in _FLUSHERS:
        _FLUSHERS.append(flusher)


def current_unit() -> UnitOfWork | None:
    return getattr(_local, "unit", None)


def current_connection() -> Any:
    """The default database's connection: the running unit of work's, else Django's look-up.

    `connections["default"]` (and every attribute read through `django.db.connection`) goes
    through asgiref's context-local storage, ~1 µs a time; the hot paths ask several hundred
    times per O2C order. Inside a unit the answer is the connection its transaction runs on.
    """
    unit = getattr(_local, "unit", None)
    if unit is not None and unit.connection is not None:
        return unit.connection
    return connections[DEFAULT_DB_ALIAS]


class _Joined:
    """A nested `atomic()` inside a running unit of work: what Django's atomic(savepoint=False)
    does there — an error leaving the block marks the transaction for rollback — without building
    an Atomic per call (an order's cycle enters some sixty nested blocks)."""

    __slots__ = ("connection", "unit")

    def __init__(self, unit: UnitOfWork, connection: Any) -> None:
        self.unit = unit
        self.connection = connection

    def __enter__(self) -> UnitOfWork:
        return self.unit

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None and not self.connection.closed_in_transaction:
            self.connection.needs_rollback = True


def atomic(using: str | None = None) -> Any:
    unit = current_unit()
    if unit is not None:
        if using is None and unit.joined is not None:
            if unit.connection.in_atomic_block:
                return unit.joined
        else:
            conn = transaction.get_connection(using)
            if conn.in_atomic_block:
                return _Joined(unit, conn)
        # A unit whose transaction has ended (an on-commit callback writing): a unit of its own,
        # so what it buffers is flushed before its own commit.
    return _outermost(using)


@contextmanager
def _outermost(using: str | None) -> Iterator[UnitOfWork]:
    previous = current_unit()
    unit = UnitOfWork()
    if using is None:
        unit.connection = transaction.get_connection()
        unit.joined = _Joined(unit, unit.connection)
    _local.unit = unit
    try:
        with transaction.atomic(using=using):
            yield unit
            unit.flush()
    finally:
        _local.unit = previous


@contextmanager
def savepoint(using: str | None = None) -> Iterator[None]:
    """A real savepoint: an error inside rolls back the database work and the buffered rows."""
    unit = current_unit()
    mark = unit.mark() if unit else None
    floor = unit.savepoint_floor if unit else 0
    if unit is not None and mark is not None:
        unit.savepoint_floor = mark[0]
    try:
        with transaction.atomic(using=using, savepoint=True):
            yield
    except BaseException:
        if unit is not None and mark is not None:
            unit.rollback_to(mark)
        raise
    finally:
        if unit is not None:
            unit.savepoint_floor = floor


def on_commit(func: Callable[[], Any], using: str | None = None) -> None:
    transaction.on_commit(func, using=using)


class _KeptCursor(CursorWrapper):
    """A cursor left open after its `with` block, for the connection's next statement.

    What the hot paths read after a statement is answered by methods of its own: Django's
    wrapper finds fetches through `__getattr__` and builds an error-translating closure on every
    access (~0.5 µs, some forty times an O2C order). Errors are translated the same way."""

    def __exit__(self, *exc: Any) -> None:
        return None

    def fetchone(self) -> Any:
        with self.db.wrap_database_errors:
            return self.cursor.fetchone()

    def fetchall(self) -> Any:
        with self.db.wrap_database_errors:
            return self.cursor.fetchall()

    @property
    def rowcount(self) -> int:
        return self.cursor.rowcount

    @property
    def lastrowid(self) -> Any:
        return self.cursor.lastrowid


_DEBUG: list[bool] = []


def _debug() -> bool:
    """settings.DEBUG (whether Django logs every statement), remembered: reading it through the
    settings proxy on every statement was ~0.6 % of an O2C order's CPU. Tests that change it
    (override_settings) send setting_changed, which forgets the remembered value."""
    if not _DEBUG:
        _DEBUG.append(bool(settings.DEBUG))
    return _DEBUG[0]


def _forget_debug(*, setting: str, **kwargs: Any) -> None:
    if setting == "DEBUG":
        _DEBUG.clear()


setting_changed.connect(_forget_debug, dispatch_uid="kern-core-db-debug")


def statement_cursor(connection: Any = None) -> CursorWrapper:
    """The default connection's cursor for a statement whose results are read in full at once
    (`with statement_cursor() as cursor: cursor.execute(…); cursor.fetchall()`).

    One cursor is kept per database connection instead of a new one per statement: opening and
    closing Django's cursor cost more CPU than an O2C order's typical statement takes in SQLite.
    Statements still go through Django's wrapper (execute wrappers, error translation). Where
    queries are being logged (DEBUG, tests capturing queries) the ordinary cursor is used, so
    every statement is seen. Never for reading results lazily: the next statement reuses it.
    """
    connection = connection if connection is not None else current_connection()
    if connection.force_debug_cursor or _debug():
        return connection.cursor()
    kept = connection.__dict__.get("_kept_cursor")
    if kept is None or kept[0] is not connection.connection or kept[0] is None:
        cursor = connection.cursor()  # opens the connection if needed, checks the thread
        kept = (connection.connection, _KeptCursor(cursor.cursor, connection))
        connection.__dict__["_kept_cursor"] = kept
    return kept[1]
