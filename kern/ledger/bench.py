"""`kern bench ledger --entries M [--json]`: the LEDGER workload of shared/bench/WORKLOAD.md.

Setup: the O2C company "Bench BV" (EUR, the current year with monthly periods, the default chart)
plus the 50 accounts 8000…8049. Entry n (0 ≤ n < M) is dated day n mod 365 of the current year and
moves (n mod 997) + 0.01 EUR from account 8000 + (13n + 1) mod 50 (credit) to 8000 + n mod 50
(debit); the two are never the same account (12n + 1 ≡ 0 mod 50 has no solution).

Loading takes the fastest path the books allow and leaves them valid: the numbers are reserved
from the journal's sequence in one UPDATE, every entry gets its content hash and chain hash (the
same functions post_entry uses), the balance table is filled, the chain head is written, and the
rows go in with COPY (PostgreSQL) or executemany (SQLite). `kern ledger verify` passes afterwards;
the checks run it.

Timed, each separately, cold (a new connection opened before the clock starts, empty caches) and
warm (best of five): the trial balance of the year, the profit and loss and the balance sheet of
the year, and the drill-down: the first 50 lines of one account in one month, newest first, with
running balance. Beside each wall time: the CPU seconds of this process and of the PostgreSQL
server process, and their run-queue wait (ready to run, no CPU free), with the load average when
the timing started — on a shared machine wall ≈ CPU + wait, which tells a slow report from a busy
machine.

`--keep` leaves the loaded books in place; a later `--reuse` run with the same `--entries` times
them again without loading (after checking that they are exactly this workload).
Checks: the trial balance's debit equals its credit (and the generated total); each account's
closing balance equals an independent SUM() over the raw lines; the hash chain, numbering and
balances verify.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction

__all__ = ["run"]

D = Decimal
DRILL_ACCOUNT = 8007  # the drill-down: this account's ledger for June, newest first


def _backend_pid() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _usage(backend: int | None) -> tuple[float, float]:
    """(CPU seconds, run-queue seconds) so far of this process plus the PostgreSQL server process
    serving our connection, when it runs on this machine. SQLite runs inside this process, so its
    work is in the first figure.

    Run-queue seconds are those a process was ready to run but waited for a CPU (the kernel's
    schedstat): on a shared machine, wall time ≈ CPU + run-queue wait, so the two figures tell a
    slow query from a busy machine. Read in nanoseconds from /proc/<pid>/schedstat; where that is
    missing, the server's CPU comes from /proc/<pid>/stat in clock ticks and the wait counts 0.
    """
    cpu, wait = time.process_time(), 0.0
    for pid in ("self", backend) if backend else ("self",):
        try:
            with open(f"/proc/{pid}/schedstat", encoding="ascii") as stat:
                run_ns, wait_ns, _slices = stat.read().split()
        except (OSError, ValueError):
            if pid != "self":
                cpu += _stat_cpu(pid)
            continue
        if pid != "self":
            cpu += int(run_ns) / 1e9
        wait += int(wait_ns) / 1e9
    return cpu, wait


def _stat_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _timed(fn: Callable[[], Any], *, cold_runs: int = 3, repeat: int = 5) -> dict[str, Any]:
    """Cold and warm wall, CPU and run-queue seconds of one report, and its result.

    Cold: a new database connection (opened before the clock starts: a server keeps its
    connections) and empty process caches, so no query plan or cached setting is reused; the
    median of `cold_runs` such runs (one sample on a shared machine is luck). Warm: the best of
    `repeat` runs on the same connection. CPU and run-queue wait are the client's plus, on
    PostgreSQL on this machine, the server process's (see _usage).
    """
    from kern.ledger.selectors.config import forget

    colds: list[tuple[float, float, float]] = []
    result = None
    for _ in range(cold_runs):
        connection.close()
        forget()
        connection.ensure_connection()
        backend = _backend_pid()
        cpu, wait = _usage(backend)
        start = time.perf_counter()
        result = fn()
        wall = time.perf_counter() - start
        cpu_after, wait_after = _usage(backend)
        colds.append((wall, cpu_after - cpu, wait_after - wait))
    warm = warm_cpu = float("inf")
    for _ in range(repeat):
        cpu, _wait = _usage(backend)
        start = time.perf_counter()
        fn()
        warm = min(warm, time.perf_counter() - start)
        warm_cpu = min(warm_cpu, _usage(backend)[0] - cpu)
    return {
        "cold": statistics.median(w for w, _c, _q in colds),
        "cold_cpu": statistics.median(c for _w, c, _q in colds),
        "cold_wait": statistics.median(q for _w, _c, q in colds),
        "warm": warm,
        "warm_cpu": warm_cpu,
        "result": result,
    }


def _setup(kvk: str) -> Any:
    from kern.core.models import Company
    from kern.core.services import create_company
    from kern.ledger.models import Account

    company = Company.objects.filter(kvk_number=kvk).first()
    if company is None:
        company = create_company(
            name="Bench BV",
            legal_name="Bench B.V.",
            kvk_number=kvk,
            base_currency="EUR",
            country="NL",
            street="Benchstraat 1",
            postcode="1000 AA",
            city="Amsterdam",
        )
    existing = set(
        Account.objects.filter(company=company, code__startswith="80").values_list("code", flat=True)
    )
    missing = [f"{8000 + k}" for k in range(50) if f"{8000 + k}" not in existing]
    from kern.ledger.services import create_account

    for code in missing:
        kind = "income" if int(code) % 2 == 0 else "expense"
        create_account(
            company,
            code=code,
            name=f"Bench account {code}",
            type=kind,
            subtype="revenue" if kind == "income" else "expense",
        )
    return company


def _load(company: Any, entries: int, year: int) -> dict[str, Any]:
    """Generate and bulk-insert the workload; returns the expected totals."""
    from kern.core import audit
    from kern.core.numbering import next_numbers
    from kern.ledger.models import Account, Journal, Period, PeriodKind
    from kern.ledger.selectors.chain import chain_hash, content_hash, line_fingerprint
    from kern.ledger.services.posting import add_to_balances
    from kern.ledger.services.setup import bump_version

    accounts = dict(Account.objects.filter(company=company, code__startswith="80").values_list("code", "pk"))
    account_ids = [accounts[f"{8000 + k}"] for k in range(50)]
    journal = Journal.objects.get(company=company, code="MEM")
    periods = {
        p.start_date.month: p.pk
        for p in Period.objects.filter(company=company, fiscal_year__year=year, kind=PeriodKind.REGULAR)
    }
    jan1 = dt.date(year, 1, 1)
    sqlite = connection.vendor == "sqlite"
    stamp = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    totals: dict[tuple[int, int], list[Decimal]] = {}
    total_amount = D(0)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_books SET chain_length = chain_length WHERE company_id = %s "
                "RETURNING chain_head, chain_length",
                [company.pk],
            )
            head, length = cursor.fetchone()
        numbers = next_numbers(company, journal.sequence_kind, jan1, entries)
        with connection.cursor() as cursor:
            if sqlite:
                cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_journalentry")
                first_id = cursor.fetchone()[0] + 1
            else:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('ledger_journalentry', 'id'), "
                    "nextval(pg_get_serial_sequence('ledger_journalentry', 'id')) + %s - 1)",
                    [entries],
                )
                first_id = cursor.fetchone()[0] - entries + 1
        entry_rows: list[tuple] = []
        line_rows: list[tuple] = []
        prev = head
        zero = "0.00"
        for n in range(entries):
            day = jan1 + dt.timedelta(days=n % 365)
            amount = D(n % 997) + D("0.01")
            debit_id = account_ids[n % 50]
            credit_id = account_ids[(n * 13 + 1) % 50]
            period_id = periods[day.month]
            entry_id = first_id + n
            seq = length + n + 1
            content = content_hash(
                company_id=company.pk,
                journal_id=journal.pk,
                date=day,
                kind="normal",
                memo="",
                source_type="",
                source_id=None,
                source_number="",
                reversal_of_id=None,
                lines=[
                    line_fingerprint(
                        line_no=1,
                        account_id=debit_id,
                        party_id=None,
                        debit=amount,
                        credit=D(0),
                        amount_currency=None,
                        currency="",
                        tax_code_id=None,
                        vat_box="",
                        description="",
                        due_date=None,
                    ),
                    line_fingerprint(
                        line_no=2,
                        account_id=credit_id,
                        party_id=None,
                        debit=D(0),
                        credit=amount,
                        amount_currency=None,
                        currency="",
                        tax_code_id=None,
                        vat_box="",
                        description="",
                        due_date=None,
                    ),
                ],
            )
            digest = chain_hash(prev, seq, content)
            text = str(amount)
            day_value = day.isoformat() if sqlite else day
            entry_rows.append(
                (
                    entry_id,
                    company.pk,
                    journal.pk,
                    numbers[n],
                    day_value,
                    period_id,
                    "posted",
                    "normal",
                    "",
                    "",
                    None,
                    "",
                    None,
                    text,
                    seq,
                    prev,
                    digest,
                    stamp,
                    None,
                    stamp,
                    None,
                )
            )
            line_rows.append(
                (
                    company.pk,
                    entry_id,
                    1,
                    debit_id,
                    day_value,
                    period_id,
                    None,
                    text,
                    zero,
                    None,
                    "",
                    None,
                    "",
                    "",
                    "",
                    None,
                    None,
                )
            )
            line_rows.append(
                (
                    company.pk,
                    entry_id,
                    2,
                    credit_id,
                    day_value,
                    period_id,
                    None,
                    zero,
                    text,
                    None,
                    "",
                    None,
                    "",
                    "",
                    "",
                    None,
                    None,
                )
            )
            prev = digest
            total_amount += amount
            for key, d, c in (((debit_id, period_id), amount, D(0)), ((credit_id, period_id), D(0), amount)):
                slot = totals.get(key)
                if slot is None:
                    totals[key] = [d, c]
                else:
                    slot[0] += d
                    slot[1] += c
        entry_columns = (
            "id, company_id, journal_id, number, date, period_id, status, kind, memo, source_type, source_id, "
            "source_number, reversal_of_id, total, chain_seq, prev_hash, hash, posted_at, posted_by_id, "
            "created_at, created_by_id"
        )
        line_columns = (
            "company_id, entry_id, line_no, account_id, date, period_id, party_id, debit, credit, amount_currency, "
            "currency, tax_code_id, tax_kind, vat_box, description, analytic, due_date"
        )
        if sqlite:
            raw = connection.connection
            raw.executemany(
                f"INSERT INTO ledger_journalentry ({entry_columns}) VALUES ({', '.join(['?'] * 21)})",  # noqa: S608
                entry_rows,
            )
            raw.executemany(
                f"INSERT INTO ledger_journalline ({line_columns}) VALUES ({', '.join(['?'] * 17)})",  # noqa: S608
                line_rows,
            )
        else:
            with connection.cursor() as cursor:
                pg = cursor.cursor
                with pg.copy(f"COPY ledger_journalentry ({entry_columns}) FROM STDIN") as copy:
                    for row in entry_rows:
                        copy.write_row(row)
                with pg.copy(f"COPY ledger_journalline ({line_columns}) FROM STDIN") as copy:
                    for row in line_rows:
                        copy.write_row(row)
        add_to_balances(company.pk, totals)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_books SET chain_head = %s, prev_head = %s, chain_length = %s WHERE company_id = %s",
                [prev, entry_rows[-1][15] if entry_rows else head, length + entries, company.pk],
            )
        bump_version(company.pk)
        audit.record(
            None,
            "bulk_load",
            {"entries": [None, entries], "lines": [None, 2 * entries]},
            model="ledger.books",
            object_id=company.pk,
            company_id=company.pk,
            object_repr="LEDGER benchmark load",
        )
    return {"total": total_amount}


def _raw_sums(company: Any) -> dict[int, Decimal]:
    """Closing balance per account straight from the lines (exact cents on both databases)."""
    if connection.vendor == "sqlite":
        sql = (
            "SELECT account_id, SUM(CAST(ROUND(debit * 100) AS INTEGER)) - SUM(CAST(ROUND(credit * 100) AS INTEGER)) "
            "FROM ledger_journalline WHERE company_id = %s GROUP BY account_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [company.pk])
            return {a: D(cents) / 100 for a, cents in cursor.fetchall()}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, SUM(debit) - SUM(credit) FROM ledger_journalline WHERE company_id = %s GROUP BY account_id",
            [company.pk],
        )
        return {a: D(b) for a, b in cursor.fetchall()}


def _raw_balance_through(account_id: int, on: dt.date) -> Decimal:
    """One account's balance up to a date straight from the lines, in exact cents."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT debit, credit FROM ledger_journalline WHERE account_id = %s AND date <= %s",
            [account_id, on],
        )
        return sum((D(str(d)) - D(str(c)) for d, c in cursor.fetchall()), D(0)).quantize(D("0.01"))


def _generated_total(entries: int) -> Decimal:
    """The sum of the workload's amounts, (n mod 997) + 0.01 EUR for n < M, in exact cents."""
    full, rest = divmod(entries, 997)
    cents = full * 100 * (996 * 997 // 2) + 100 * (rest * (rest - 1) // 2) + entries
    return D(cents) / 100


def _holds_the_workload(company: Any, entries: int, year: int) -> bool:
    """Whether the books hold exactly what _load(company, entries, year) leaves: M entries chained
    from the genesis hash, the first dated 1 January and the last day (M − 1) mod 365 of this
    year (the checks then compare every figure with the lines and the generated total)."""
    from kern.ledger.models import Books, JournalEntry

    books = Books.objects.filter(company=company).values_list("chain_length", flat=True).first()
    if books != entries:
        return False
    span = JournalEntry.objects.filter(company=company).aggregate(
        n=models.Count("id"), first=models.Min("date"), last=models.Max("date")
    )
    last_day = dt.date(year, 1, 1) + dt.timedelta(days=min(entries - 1, 364))
    return (span["n"], span["first"], span["last"]) == (entries, dt.date(year, 1, 1), last_day)


def _cleanup(company: Any) -> None:
    from kern.core.dbguard import maintenance
    from kern.ledger.models import GENESIS_HASH, AccountBalance, Books

    with transaction.atomic(), maintenance(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_journalline WHERE company_id = %s", [company.pk])
        cursor.execute("DELETE FROM ledger_journalentry WHERE company_id = %s", [company.pk])
        AccountBalance.objects.filter(company=company).delete()
        Books.objects.filter(company=company).update(
            chain_head=GENESIS_HASH, prev_head=GENESIS_HASH, chain_length=0
        )
        cursor.execute(
            "UPDATE core_sequence SET last_value = 0 WHERE company_id = %s AND kind LIKE 'ledger.%%'",
            [company.pk],
        )


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kern bench ledger", description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=500_000, help="journal entries M (2 lines each)")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON only")
    parser.add_argument("--keep", action="store_true", help="keep the loaded entries afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time the entries a --keep run left when they are this very workload (same --entries, this "
        "year) instead of loading them again; load_s is then null. Otherwise it loads as usual",
    )
    parser.add_argument("--skip-verify", action="store_true", help="skip the full hash-chain verification")
    args = parser.parse_args(argv)
    if args.entries < 1:
        parser.error("--entries must be at least 1")

    from kern.core import context
    from kern.ledger.models import Account
    from kern.ledger.selectors import (
        balance_sheet,
        general_ledger,
        profit_and_loss,
        trial_balance,
        verify_books,
    )

    def say(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    year = dt.date.today().year
    with context.acting(interface="cli"):
        company = _setup("99000042")
        reused = args.reuse and _holds_the_workload(company, args.entries, year)
        load_s = load_cpu = None
        if reused:
            say(f"reusing the {args.entries} entries a --keep run left; timing reports …")
            expected = {"total": _generated_total(args.entries)}
        else:
            _cleanup(company)
            say(f"loading {args.entries} entries …")
            connection.ensure_connection()
            backend = _backend_pid()
            load_cpu = _usage(backend)[0]
            start = time.perf_counter()
            expected = _load(company, args.entries, year)
            # What autovacuum does after a bulk load anyway: fresh statistics and visibility map,
            # so the planner neither guesses nor probes unvisited heap pages (counted in the load).
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    for table in ("ledger_journalline", "ledger_journalentry", "ledger_accountbalance"):
                        cursor.execute(f"VACUUM ANALYZE {table}")
                else:
                    cursor.execute("ANALYZE")
            load_s = time.perf_counter() - start
            load_cpu = _usage(backend)[0] - load_cpu
            say(f"loaded in {load_s:.1f} s; timing reports …")
        load_average = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        drill_account = Account.objects.get(company=company, code=str(DRILL_ACCOUNT))
        last_of_june = dt.date(year, 6, 30)

        timings = {
            "trial_balance": _timed(
                lambda: trial_balance(company, date_from=first, date_to=last, include_empty=True)
            ),
            "pnl": _timed(lambda: profit_and_loss(company, date_from=first, date_to=last)),
            "balance_sheet": _timed(lambda: balance_sheet(company, on=last)),
            "drilldown": _timed(
                lambda: general_ledger(
                    drill_account, date_from=dt.date(year, 6, 1), date_to=last_of_june, page_size=50
                )
            ),
        }
        tb = timings["trial_balance"]["result"]
        ledger = timings["drilldown"]["result"]

        say("checking …")
        checks: dict[str, bool] = {}
        checks["trial_balance_debit_equals_credit"] = tb.total_debit == tb.total_credit
        checks["trial_balance_total_is_generated_total"] = tb.total_debit == expected["total"]
        raw = _raw_sums(company)
        by_id = {row.account_id: row.closing for row in tb.rows}
        checks["closing_balances_equal_raw_line_sums"] = bool(raw) and all(
            by_id.get(account_id, D(0)) == amount for account_id, amount in raw.items()
        )
        june = [
            n
            for n in range(args.entries)
            if (dt.date(year, 1, 1) + dt.timedelta(days=n % 365)).month == 6
            and DRILL_ACCOUNT in (8000 + n % 50, 8000 + (n * 13 + 1) % 50)
        ]
        checks["drilldown_first_page_newest_first"] = len(ledger.lines) == min(50, len(june)) and all(
            (a.date, a.id) > (b.date, b.id) for a, b in zip(ledger.lines, ledger.lines[1:], strict=False)
        )
        if ledger.lines:
            checks["drilldown_running_balance"] = ledger.lines[0].balance == _raw_balance_through(
                drill_account.pk, last_of_june
            ) and all(
                a.balance - (a.debit - a.credit) == b.balance
                for a, b in zip(ledger.lines, ledger.lines[1:], strict=False)
            )
        verify_s = None
        if not args.skip_verify:
            start = time.perf_counter()
            [books] = verify_books(company)
            verify_s = round(time.perf_counter() - start, 2)
            checks["books_verify"] = books.ok
        if not args.keep:
            _cleanup(company)
    figures = {
        "workload": "LEDGER",
        "database": connection.vendor,
        "entries": args.entries,
        "lines": 2 * args.entries,
        "reused": reused,
        "load_s": None if load_s is None else round(load_s, 3),
        "load_cpu_s": None if load_cpu is None else round(load_cpu, 2),
        **{f"{name}_s": round(t["cold"], 4) for name, t in timings.items()},
        **{f"{name}_warm_s": round(t["warm"], 4) for name, t in timings.items()},
        **{f"{name}_cpu_s": round(t["cold_cpu"], 4) for name, t in timings.items()},
        **{f"{name}_warm_cpu_s": round(t["warm_cpu"], 4) for name, t in timings.items()},
        **{f"{name}_wait_s": round(t["cold_wait"], 4) for name, t in timings.items()},
        "load_average": [round(x, 2) for x in load_average],
        "verify_s": verify_s,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "checks": checks,
        "checks_passed": all(checks.values()),
    }
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0 if figures["checks_passed"] else 1
