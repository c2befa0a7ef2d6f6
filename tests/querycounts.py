"""Committed query-count baselines for list pages and API lists (no N+1 creeps in unnoticed).

    with query_baseline(__file__, "api.parties.list"):
        client.get("/api/v1/parties")

compares the number of SQL statements with `query_counts.json` next to the test file. A count
above the baseline fails; run with KERN_UPDATE_QUERY_BASELINES=1 to record new baselines (review
the diff: a baseline should only ever go down).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextmanager
def query_baseline(test_file: str, name: str) -> Iterator[CaptureQueriesContext]:
    path = Path(test_file).parent / "query_counts.json"
    baselines = json.loads(path.read_text()) if path.exists() else {}
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    count = len(ctx.captured_queries)
    if os.environ.get("KERN_UPDATE_QUERY_BASELINES"):
        baselines[name] = count
        path.write_text(json.dumps(dict(sorted(baselines.items())), indent=2) + "\n")
        return
    assert name in baselines, f"no query baseline for {name!r}: run with KERN_UPDATE_QUERY_BASELINES=1"
    sql = "\n".join(q["sql"][:200] for q in ctx.captured_queries)
    assert count <= baselines[name], f"{name}: {count} queries, baseline {baselines[name]}:\n{sql}"
