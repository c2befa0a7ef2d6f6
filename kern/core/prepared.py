"""Queries whose SQL the ORM builds once per process, not on every call.

Hot paths (the customer 360, an order's pricing) ask the same few questions on every call; building and
compiling those querysets (unions of six tables, conditional aggregates) costs the web process far
more CPU than the database needs to answer them. A `Prepared` query is built by its function with
stand-in values for what changes per call (ids, dates), compiled once per database vendor, time
zone and shape, and afterwards only executed with the real values in place of the stand-ins —
the same SQL, parameters and row converters Django would have produced.

If a stand-in does not come back as a parameter of its own (the ORM inlined it, or left it out),
the query is not kept and is built the ordinary way on every call: slower, never wrong.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from kern.core.db import current_connection, statement_cursor

__all__ = ["Prepared"]

_ISSUED = itertools.count(1)


def _stand_in(value: Any) -> Any:
    """A value of the same kind and shape that no real row or constant of these queries holds."""
    n = next(_ISSUED)
    if isinstance(value, bool) or value is None:
        raise TypeError("booleans and None change the SQL, pass them as part of the shape")
    if isinstance(value, int):
        return -(7_000_000_000 + n)
    if isinstance(value, dt.datetime):
        return dt.datetime(1001, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=n)
    if isinstance(value, dt.date):
        return dt.date(1001, 1, 1) + dt.timedelta(days=n)
    if isinstance(value, tuple | list):
        return tuple(_stand_in(v) for v in value)
    raise TypeError(f"no stand-in for {type(value).__name__}")


def _as_parameter(value: Any) -> list[tuple[Any, Callable[[Any], Any]]]:
    """The forms a value may take in the compiled parameter list, each with how to make it."""
    ops = connection.ops
    forms: list[tuple[Any, Callable[[Any], Any]]] = [(value, lambda v: v)]
    if isinstance(value, dt.datetime):
        forms.append((ops.adapt_datetimefield_value(value), ops.adapt_datetimefield_value))
    elif isinstance(value, dt.date):
        forms.append((ops.adapt_datefield_value(value), ops.adapt_datefield_value))
    return forms


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    # position in params -> (argument name, index in a tuple argument or None, how to adapt)
    slots: dict[int, tuple[str, int | None, Callable[[Any], Any]]]
    converters: list[tuple[int, tuple[list[Any], Any]]]


class Prepared:
    """`build(**values) -> QuerySet` compiled once per (vendor, time zone, shape).

    `shape` is whatever else changes the SQL (how many teams, whether a branch is needed); the
    keyword values are ints, dates, datetimes or tuples of ints of a length fixed by the shape.
    """

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self.build = build
        self._compiled: dict[tuple[Any, ...], _Compiled | None] = {}

    def rows(self, shape: tuple[Any, ...] = (), **values: Any) -> list[tuple[Any, ...]]:
        connection = current_connection()  # not the proxy: converters get it per value
        key = (connection.vendor, timezone.get_current_timezone_name(), shape)
        if key not in self._compiled:
            self._compiled[key] = self._compile(shape, values)
        compiled = self._compiled[key]
        if compiled is None:
            return [tuple(row) for row in self.build(shape, **values)]
        params = list(compiled.params)
        for position, (name, index, adapt) in compiled.slots.items():
            value = values[name] if index is None else values[name][index]
            params[position] = adapt(value)
        with statement_cursor(connection) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in map(list, rows):
            for position, (functions, expression) in compiled.converters:
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            converted.append(tuple(row))
        return converted

    def _compile(self, shape: tuple[Any, ...], values: dict[str, Any]) -> _Compiled | None:
        stand_ins = {name: _stand_in(value) for name, value in values.items()}
        wanted: dict[Any, tuple[str, int | None, Callable[[Any], Any]]] = {}
        for name, stand_in in stand_ins.items():
            for index, single in enumerate(stand_in) if isinstance(stand_in, tuple) else [(None, stand_in)]:
                for form, adapt in _as_parameter(single):
                    wanted[form] = (name, index, adapt)
        compiler = self.build(shape, **stand_ins).query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        slots = {i: wanted[p] for i, p in enumerate(params) if _hashable(p) and p in wanted}
        found = {(name, index) for name, index, _adapt in slots.values()}
        expected = {
            (name, index)
            for name, stand_in in stand_ins.items()
            for index in (range(len(stand_in)) if isinstance(stand_in, tuple) else [None])
        }
        inlined = any(str(form) in sql for form in wanted if isinstance(form, int))
        if found != expected or inlined:
            return None
        select = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = list(compiler.get_converters(select).items())
        return _Compiled(sql, tuple(params), slots, converters)


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
