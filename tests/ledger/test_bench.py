"""`kern bench ledger` at a small size: it loads valid books, prints every figure and passes its checks."""

from __future__ import annotations

import json

import pytest

from kern.core.models import Company
from kern.ledger import bench
from kern.ledger.models import JournalEntry, JournalLine

FIGURES = {
    "entries",
    "lines",
    "load_s",
    "trial_balance_s",
    "pnl_s",
    "balance_sheet_s",
    "drilldown_s",
    "checks_passed",
}


@pytest.mark.django_db(transaction=True)  # the bench reopens its connection to time cold runs
def test_the_ledger_bench_prints_its_figures_and_passes_its_checks(capsys):
    code = bench.run(["--entries", "1200", "--json", "--keep"])
    figures = json.loads(capsys.readouterr().out)

    assert code == 0, figures["checks"]
    assert figures.keys() >= FIGURES
    assert (figures["entries"], figures["lines"]) == (1200, 2400)
    assert figures["checks_passed"] is True
    assert set(figures["checks"]) == {
        "trial_balance_debit_equals_credit",
        "trial_balance_total_is_generated_total",
        "closing_balances_equal_raw_line_sums",
        "drilldown_first_page_newest_first",
        "drilldown_running_balance",
        "books_verify",
    }
    assert all(
        figures[f"{name}_cpu_s"] >= 0 for name in ("trial_balance", "pnl", "balance_sheet", "drilldown")
    )
    company = Company.objects.get(kvk_number="99000042")
    assert JournalEntry.objects.filter(company=company).count() == 1200
    assert JournalLine.objects.filter(company=company).count() == 2400


@pytest.mark.django_db(transaction=True)
def test_a_second_run_starts_from_empty_books_and_leaves_none_behind(capsys):
    assert bench.run(["--entries", "200", "--json", "--keep"]) == 0
    assert bench.run(["--entries", "300", "--json"]) == 0
    outputs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["checks_passed"] for o in outputs] == [True, True]
    assert not JournalLine.objects.filter(company__kvk_number="99000042").exists()


@pytest.mark.django_db(transaction=True)
def test_reuse_times_the_kept_books_only_when_they_are_this_workload(capsys):
    assert bench.run(["--entries", "400", "--json", "--keep"]) == 0
    kept = list(JournalEntry.objects.filter(company__kvk_number="99000042").values_list("pk", flat=True))

    assert bench.run(["--entries", "400", "--json", "--keep", "--reuse"]) == 0
    same = list(JournalEntry.objects.filter(company__kvk_number="99000042").values_list("pk", flat=True))
    assert bench.run(["--entries", "500", "--json", "--reuse"]) == 0  # another size: loads anew
    first, reused, other = (json.loads(line) for line in capsys.readouterr().out.splitlines())

    assert (first["reused"], reused["reused"], other["reused"]) == (False, True, False)
    assert sorted(same) == sorted(kept)
    assert reused["load_s"] is None and other["load_s"] > 0
    assert reused["checks_passed"] and other["checks_passed"]
    assert reused["drilldown_wait_s"] >= 0 and len(reused["load_average"]) == 3
    assert not JournalLine.objects.filter(company__kvk_number="99000042").exists()
