"""next_numbers: a batch of consecutive gapless numbers with one UPDATE (used by ledger.post_entries)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.core.numbering import next_number, next_numbers


def test_a_batch_continues_the_sequence_with_one_statement(company):
    on = dt.date(2026, 3, 1)
    assert next_number(company, "tests.batch", on) == "BATC-2026-00001"
    with CaptureQueriesContext(connection) as ctx:
        numbers = next_numbers(company, "tests.batch", on, 3)
    assert numbers == ["BATC-2026-00002", "BATC-2026-00003", "BATC-2026-00004"]
    assert sum("core_sequence" in q["sql"] for q in ctx.captured_queries) == 1
    assert next_number(company, "tests.batch", on) == "BATC-2026-00005"


def test_a_first_batch_starts_at_one(company):
    assert next_numbers(company, "tests.fresh", dt.date(2026, 1, 5), 2) == [
        "FRES-2026-00001",
        "FRES-2026-00002",
    ]
