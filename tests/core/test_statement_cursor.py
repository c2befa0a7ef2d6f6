"""core.db.statement_cursor: one kept cursor per connection, never hiding a statement from a log."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from kern.core.db import statement_cursor

pytestmark = pytest.mark.django_db


def _select_one() -> int:
    with statement_cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()[0]


def test_statements_share_one_cursor_that_stays_open_after_its_block():
    first = statement_cursor()
    assert _select_one() == 1
    assert statement_cursor() is first
    with first as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchall() == [(2,)]
    assert _select_one() == 1  # still usable after the block


def test_statements_on_the_kept_cursor_pass_through_the_execute_wrappers():
    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    statement_cursor()
    with connection.execute_wrapper(wrapper):
        _select_one()
    assert seen == ["SELECT 1"]


def test_a_logged_connection_gets_an_ordinary_cursor_so_every_statement_is_counted():
    kept = statement_cursor()
    with CaptureQueriesContext(connection) as queries:
        assert statement_cursor() is not kept
        _select_one()
    assert [q["sql"] for q in queries.captured_queries] == ["SELECT 1"]


def test_an_error_met_while_fetching_is_translated_as_djangos_cursor_translates_it():
    import sqlite3

    from django.db import OperationalError

    if connection.vendor != "sqlite":
        pytest.skip("SQLite computes a result's later rows while they are fetched; PostgreSQL before")
    statement_cursor()
    with statement_cursor() as cursor:
        # The second row overflows: the error comes from the fetch, not from execute().
        cursor.execute(
            "SELECT CASE WHEN n = 2 THEN abs(-9223372036854775807 - 1) ELSE n END "
            "FROM (SELECT 1 AS n UNION ALL SELECT 2)"
        )
        with pytest.raises(OperationalError) as raised:
            cursor.fetchall()
    assert not isinstance(raised.value, sqlite3.Error)  # Django's error, the driver's as its cause
    assert isinstance(raised.value.__cause__, sqlite3.OperationalError)
    assert _select_one() == 1  # the kept cursor carries on


def test_row_counts_and_new_row_ids_read_through_the_kept_cursor():
    with statement_cursor() as cursor:
        key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "SERIAL PRIMARY KEY"
        cursor.execute(f"CREATE TEMPORARY TABLE kept_probe (id {key}, n INTEGER)")
        cursor.execute("INSERT INTO kept_probe (n) VALUES (%s), (%s), (%s)", [1, 2, 3])
        if connection.vendor == "sqlite":
            assert cursor.lastrowid == 3
        cursor.execute("UPDATE kept_probe SET n = n + 1 WHERE n > %s", [1])
        assert cursor.rowcount == 2
        cursor.execute("SELECT n FROM kept_probe ORDER BY id")
        assert cursor.fetchone() == (1,)
        assert cursor.fetchall() == [(3,), (4,)]


def test_with_debug_turned_on_later_statements_are_logged_and_after_it_the_kept_cursor_returns():
    from django.test import override_settings

    kept = statement_cursor()
    with override_settings(DEBUG=True):
        assert statement_cursor() is not kept  # Django logs every statement of a DEBUG process
        before = len(connection.queries)
        _select_one()
        assert [q["sql"] for q in connection.queries[before:]] == ["SELECT 1"]
    assert statement_cursor() is kept


@pytest.mark.django_db(transaction=True)  # the connection is closed: no test transaction around it
def test_a_new_database_connection_gets_a_new_cursor():
    db = connections["default"]
    if db.vendor == "sqlite" and db.is_in_memory_db():
        pytest.skip("closing the in-memory test database's connection would drop it")
    kept = statement_cursor()
    raw = db.connection
    db.close()
    db.connect()
    assert db.connection is not raw
    assert statement_cursor() is not kept
    assert _select_one() == 1


def test_current_connection_is_the_units_connection_inside_a_unit_and_djangos_outside():
    import threading

    from kern.core.db import atomic, current_connection

    assert current_connection() is connections["default"]
    with atomic() as unit:
        assert current_connection() is unit.connection is connections["default"]
        with atomic():
            assert current_connection() is unit.connection
    seen = {}

    def other_thread():
        seen["connection"] = current_connection()
        seen["own"] = connections["default"]
        connections["default"].close()

    with atomic():
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join()
    # A unit belongs to its thread: another thread gets that thread's own connection.
    assert seen["connection"] is seen["own"]
    assert seen["connection"] is not connections["default"]
