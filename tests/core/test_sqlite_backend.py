"""The SQLite backend: Django's, with each statement's placeholder conversion remembered."""

import pytest
from django.db import connection, connections

from kern.core.sqlite import base as kern_sqlite

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite backend only"),
]


def test_sqlite_connections_use_the_kern_backend():
    assert isinstance(connections["default"], kern_sqlite.DatabaseWrapper)
    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor, kern_sqlite.CursorWrapper)


def test_a_statement_is_converted_as_django_converts_it_and_only_once():
    statement = "SELECT %s, '100%%', %s || 'x' -- kern test conversion"
    kern_sqlite._to_qmark.cache_clear()
    with connection.cursor() as cursor:
        for n in range(3):
            cursor.execute(statement, [n, "a"])
            assert cursor.fetchone() == (n, "100%", "ax")
    info = kern_sqlite._to_qmark.cache_info()
    assert (info.misses, info.hits) == (1, 2)
    assert kern_sqlite._to_qmark(statement) == "SELECT ?, '100%', ? || 'x' -- kern test conversion"


def test_named_parameters_and_statements_without_parameters_still_work():
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(first)s + %(second)s", {"first": 2, "second": 3})
        assert cursor.fetchone() == (5,)
        cursor.execute("SELECT 7")
        assert cursor.fetchone() == (7,)


def test_a_closed_connection_leaves_the_planner_statistics_its_queries_wanted(tmp_path):
    import sqlite3

    settings = {**connections["default"].settings_dict, "NAME": str(tmp_path / "stats.sqlite3")}
    wrapper = kern_sqlite.DatabaseWrapper(settings, alias="stats")
    with wrapper.cursor() as cursor:
        cursor.execute("CREATE TABLE layer (id INTEGER PRIMARY KEY, company INTEGER, qty INTEGER)")
        cursor.execute("CREATE INDEX layer_company ON layer (company)")
        cursor.executemany(
            "INSERT INTO layer (company, qty) VALUES (%s, %s)", [(n % 3, n) for n in range(3000)]
        )
        cursor.execute("SELECT COUNT(*) FROM layer WHERE company = %s", [1])
    wrapper.close()
    stats = sqlite3.connect(settings["NAME"]).execute("SELECT tbl, idx FROM sqlite_stat1").fetchall()
    assert ("layer", "layer_company") in stats


def test_none_and_booleans_bind_as_null_zero_and_one_without_an_adapter_lookup_failing():
    import sqlite3

    # The registered adapters are what spares the failed lookup; their results must be what
    # sqlite3 binds without them.
    assert sqlite3.adapters[(type(None), sqlite3.PrepareProtocol)](None) is None
    assert sqlite3.adapters[(bool, sqlite3.PrepareProtocol)](True) == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s IS NULL, typeof(%s), %s, %s, typeof(%s)", [None, None, True, False, True])
        assert cursor.fetchone() == (1, "null", 1, 0, "integer")


@pytest.mark.parametrize(
    "stored",
    [
        "2026-11-29 12:59:42.323333",
        "2026-11-29 12:59:42",
        "2026-11-29T01:02:03.5",
        "2026-11-29 12:59:42+02:00",
        "not a timestamp",
        None,
    ],
)
def test_a_stored_timestamp_reads_back_as_djangos_converter_reads_it(stored):
    from django.db.backends.sqlite3.operations import DatabaseOperations as DjangoOperations

    connection.ensure_connection()
    ours = connection.ops.convert_datetimefield_value
    djangos = DjangoOperations.convert_datetimefield_value
    if stored == "not a timestamp":  # Django's parse_datetime gives None, its make_aware fails
        with pytest.raises(AttributeError):
            djangos(connection.ops, stored, None, connection)
        with pytest.raises(AttributeError):
            ours(stored, None, connection)
        return
    value = ours(stored, None, connection)
    expected = djangos(connection.ops, stored, None, connection)
    assert value == expected
    assert value is None or (value.tzinfo is not None and value.utcoffset() == expected.utcoffset())


def test_a_new_rows_timestamp_default_is_aware_utc_now():
    import datetime as dt

    from kern.core.models import Company

    before = dt.datetime.now(dt.UTC)
    company = Company(name="Clock BV")
    after = dt.datetime.now(dt.UTC)
    assert company.created_at.tzinfo is dt.UTC
    assert before <= company.created_at <= after


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-29T15:13:00.123456+00:00",
        "2026-11-29T15:13:00+00:00",  # no microseconds: none written, as Django writes it
        "2026-01-01T00:00:00.000001+00:00",
    ],
)
def test_a_utc_timestamp_is_written_as_djangos_adapter_writes_it(moment):
    import datetime as dt

    from django.db.backends.sqlite3.operations import DatabaseOperations as DjangoOperations

    value = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
    assert value.tzinfo is dt.UTC
    expected = DjangoOperations(connection).adapt_datetimefield_value(value)
    assert connection.ops.adapt_datetimefield_value(value) == expected == str(value.replace(tzinfo=None))
