"""A document's number claimed inside its own INSERT (PostgreSQL: the counter UPDATE as a CTE, the
number formatted in SQL): the same gapless numbers as `next_number`, one statement less."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.core.db import atomic
from kern.core.numbering import _sql_format, format_number
from kern.inventory import services
from kern.inventory.services import MoveSpec
from tests.builders import a_product, in_stock

ON = dt.date(2026, 3, 7)
RENDERED = [
    "SO-{year}-{seq:05d}",
    "OUT/{year}/{seq:05d}",
    "{seq}",
    "{seq:d}/{year}",
    "F{yy}{month}{seq:04d}x",
    "{{braces}}{seq:03}",
    "{year:>6}-{seq:02d}",
]
NOT_RENDERED = ["A{seq:5d}", "{seq!r}", "{seq:,d}", "{seq:>5}", "{unknown}-{seq}", "no counter", "{seq"]


@pytest.mark.parametrize("pattern", NOT_RENDERED)
def test_patterns_sql_cannot_render_take_the_two_statement_way(pattern):
    assert _sql_format(pattern, year=2026, on=ON) is None


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", RENDERED)
def test_the_number_formatted_in_sql_is_the_number_python_formats(pattern):
    if connection.vendor != "postgresql":
        pytest.skip("the number is formatted in SQL on PostgreSQL only (SQLite has no UPDATE in WITH)")
    expression, params = _sql_format(pattern, year=2026, on=ON)
    for seq in (1, 42, 99999, 123456):
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH s AS (SELECT CAST(%s AS bigint) AS last_value) SELECT {expression} FROM s",
                [seq, *params],
            )
            assert cursor.fetchone()[0] == format_number(pattern, seq=seq, year=2026, on=ON)


@pytest.fixture
def deliver(company):
    product = a_product(company, "WIDGET")
    in_stock(product, 100)
    return lambda: services.create_delivery(company, lines=[MoveSpec(product, Decimal("1"))])


def counter_statements(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE core_sequence")]


@pytest.mark.django_db
def test_deliveries_are_numbered_consecutively_and_the_counter_costs_no_statement_of_its_own(
    company, deliver
):
    year = dt.date.today().year
    first = deliver()  # creates the counter the usual way
    with CaptureQueriesContext(connection) as ctx:
        second, third = deliver(), deliver()
    assert [first.number, second.number, third.number] == [f"OUT/{year}/{n:05d}" for n in (1, 2, 3)]
    second.refresh_from_db()
    assert second.number == f"OUT/{year}/00002"
    expected = 0 if connection.vendor == "postgresql" else 2
    assert len(counter_statements(ctx)) == expected, "\n".join(q["sql"][:100] for q in ctx.captured_queries)


@pytest.mark.django_db
def test_a_rolled_back_delivery_gives_its_number_back(company, deliver):
    year = dt.date.today().year
    deliver()
    with pytest.raises(RuntimeError), atomic():
        assert deliver().number == f"OUT/{year}/00002"
        raise RuntimeError("the order was cancelled")
    assert deliver().number == f"OUT/{year}/00002"


@pytest.mark.django_db
def test_a_pattern_changed_after_the_counter_exists_keeps_the_counters_pattern(company, deliver):
    # The counter keeps the pattern it was created with until the next fiscal year; the folded
    # statement requires the scheme's pattern, so here it inserts nothing and the usual way runs.
    year = dt.date.today().year
    deliver()
    company.settings = {"numbering": {"inventory.delivery": "D{seq:03d}"}}
    company.save()
    later = deliver()
    assert later.number == f"OUT/{year}/00002"
    later.refresh_from_db()
    assert later.number == f"OUT/{year}/00002"
