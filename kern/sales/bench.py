"""`kern bench o2c --orders N --lines L [--json]`: the O2C workload of shared/bench/WORKLOAD.md.

It runs in a database of its own, so the figures are not those of a database full of other data
and the run leaves nothing behind: a new SQLite file under var/bench/ (WAL, as configured), or,
on PostgreSQL, a throwaway database next to the configured one (created, migrated, dropped).
`--keep` keeps it for inspection.

Setup (timed apart): "Bench BV" (EUR, the current fiscal year with monthly periods, the default
Dutch chart with receivable, payable, revenue, COGS, inventory, VAT and bank accounts and VAT
21 % as code V21), 100 customers "Customer 000"…"Customer 099" with a Dutch address and net 30,
50 stocked goods P00…P49 (sale price 10 + k, cost 5 + k/2), 1,000,000 of each on hand, booked in
one stock adjustment.

Timed, order i = 0…N−1, each order one unit of work (one transaction, as one user action would
be), through the same services as the UI and the API:
  create_order (customer i mod 100; line j: product (7i + j) mod 50, quantity 1 + (i + j) mod 10,
  at the sale price) → confirm_order (credit check, reservation) → ship_order (the delivery is
  done, stock leaves and is valued) → invoice_order(post=True) (number, ledger entry, open item)
  → receive_payment of the full total, allocated to the invoice (bank entry, reconciled).

Checks: debits = credits; receivable 0; bank = total invoiced incl. VAT; revenue = Σ qty × price;
VAT = the sum of the invoices' VAT and 21 % of revenue within the per-invoice rounding
(≤ ½ cent per invoice); on hand = 1,000,000 − shipped per product; every invoice paid.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

__all__ = ["run"]

D = Decimal
STOCK = D("1000000")


# --- a database of its own ----------------------------------------------------------------------


class _Scratch:
    """Point the default connection at a new, empty database and migrate it; undo on exit."""

    def __init__(self, keep: bool):
        self.keep = keep
        self.name = ""
        self.original: dict[str, Any] = {}

    def __enter__(self) -> _Scratch:
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connections

        db = connections["default"]
        self.original = dict(db.settings_dict)
        stamp = f"{os.getpid()}_{int(time.time())}"
        connections.close_all()
        if db.vendor == "sqlite":
            folder = Path(settings.BASE_DIR) / "var" / "bench"
            folder.mkdir(parents=True, exist_ok=True)
            self.name = str(folder / f"o2c-{stamp}.sqlite3")
        else:
            self.name = f"{self.original['NAME']}_o2c_{stamp}"[:63]
            self._admin(f'CREATE DATABASE "{self.name}"')
        settings.DATABASES["default"]["NAME"] = self.name
        db.settings_dict["NAME"] = self.name
        call_command("migrate", verbosity=0, interactive=False)
        return self

    def _admin(self, sql: str) -> None:
        import psycopg

        params = {
            "host": self.original.get("HOST") or None,
            "port": self.original.get("PORT") or None,
            "user": self.original.get("USER") or None,
            "password": self.original.get("PASSWORD") or None,
            "dbname": "postgres",
        }
        with psycopg.connect(**{k: v for k, v in params.items() if v}, autocommit=True) as admin:
            admin.execute(sql)

    def size_mib(self) -> float:
        from django.db import connection

        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return round(
                sum(p.stat().st_size for p in Path(self.name).parent.glob(Path(self.name).name + "*"))
                / 2**20,
                1,
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return round(cursor.fetchone()[0] / 2**20, 1)

    def __exit__(self, *exc: Any) -> None:
        from django.conf import settings
        from django.db import connections

        connections.close_all()
        settings.DATABASES["default"]["NAME"] = self.original["NAME"]
        connections["default"].settings_dict["NAME"] = self.original["NAME"]
        if self.keep:
            print(f"kept the benchmark database {self.name}", file=sys.stderr)
            return
        if "sqlite" in self.original.get("ENGINE", ""):
            for path in Path(self.name).parent.glob(Path(self.name).name + "*"):
                path.unlink(missing_ok=True)
        else:
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}"')


# --- setup ---------------------------------------------------------------------------------------


def _setup() -> dict[str, Any]:
    from kern.catalog import services as catalog
    from kern.core import services as core
    from kern.core.db import atomic
    from kern.inventory import services as inventory
    from kern.parties import services as parties

    company = core.create_company(
        name="Bench BV",
        legal_name="Bench B.V.",
        kvk_number="99000043",
        base_currency="EUR",
        country="NL",
        street="Benchstraat 1",
        postcode="1011 AA",
        city="Amsterdam",
    )
    user = core.create_user("bench", password=None, roles=["administrator"], companies=[company])
    with atomic():
        term = parties.create_payment_term(company, name="30 days net", net_days=30)
        customers = []
        for n in range(100):
            party = parties.create_party(
                company, name=f"Customer {n:03d}", is_customer=True, payment_term=term
            )
            parties.add_address(
                party,
                kind="billing",
                street=f"Dorpsstraat {n + 1}",
                postcode="3511 AB",
                city="Utrecht",
                country="NL",
            )
            customers.append(party)
        products = [
            catalog.create_product(
                company,
                sku=f"P{k:02d}",
                name=f"Product {k:02d}",
                type="stocked",
                sale_price=D(10 + k),
                cost=D(5) + D(k) / 2,
            )
            for k in range(50)
        ]
        inventory.adjust_stock(
            company,
            lines=[inventory.MoveSpec(p, STOCK, unit_cost=p.cost) for p in products],
            reason="Opening stock",
            by=user,
        )
    # The customers as a sales screen holds them: with their addresses (one query for all).
    from kern.parties.models import Party

    customers = list(
        Party.objects.filter(pk__in=[c.pk for c in customers])
        .select_related("payment_term")
        .prefetch_related("addresses")
        .order_by("name")
    )
    return {"company": company, "user": user, "customers": customers, "products": products}


# --- the timed cycle ------------------------------------------------------------------------------


def _cycle(world: dict[str, Any], i: int, lines: int, today: dt.date) -> tuple[Decimal, Decimal]:
    from kern.core.db import atomic
    from kern.payments.services import AllocationSpec, receive_payment
    from kern.sales import services as sales

    company, user = world["company"], world["user"]
    products = world["products"]
    customer = world["customers"][i % 100]
    chosen = [products[(7 * i + j) % 50] for j in range(lines)]
    with atomic():
        order = sales.create_order(
            company,
            customer=customer,
            lines=[{"product": p.pk, "quantity": 1 + (i + j) % 10} for j, p in enumerate(chosen)],
            products=world["by_id"],
            by=user,
        )
        sales.confirm_order(order, by=user)
        sales.ship_order(order, on=today, by=user)
        invoice = sales.invoice_order(order, on=today, post=True, by=user)
        receive_payment(
            company,
            party=customer,
            amount=invoice.total,
            on=today,
            reference=invoice.payment_reference,
            allocations=[AllocationSpec(open_item=invoice._open_item, amount=invoice.total)],
            by=user,
        )
    return invoice.net_total, invoice.tax_total


# --- checks -------------------------------------------------------------------------------------


def _cents(sql: str, params: list[Any]) -> list[Decimal]:
    """Sums computed exactly: in whole cents (SQLite would add decimals as binary floats)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return [D(v or 0) / 100 for v in row]


_LINES_SUM = (
    "SELECT SUM(CAST(ROUND(debit * 100) AS BIGINT)), SUM(CAST(ROUND(credit * 100) AS BIGINT)) "
    "FROM ledger_journalline WHERE company_id = %s"
)
_INVOICES_SUM = (
    "SELECT SUM(CAST(ROUND(total * 100) AS BIGINT)), SUM(CAST(ROUND(tax_total * 100) AS BIGINT)), "
    "SUM(CAST(ROUND(net_total * 100) AS BIGINT)) FROM sales_invoice "
    "WHERE company_id = %s AND kind = 'invoice' AND status = 'posted'"
)


def _checks(
    world: dict[str, Any], n: int, lines: int, net: Decimal, vat: Decimal
) -> dict[str, dict[str, Any]]:
    from kern.inventory.selectors import stock_levels
    from kern.ledger.selectors import account_for
    from kern.sales.models import Invoice, PaymentStatus

    company = world["company"]
    products = world["products"]
    expected_revenue = D(0)
    shipped = {p.pk: D(0) for p in products}
    for i in range(n):
        for j in range(lines):
            product = products[(7 * i + j) % 50]
            qty = 1 + (i + j) % 10
            expected_revenue += qty * product.sale_price
            shipped[product.pk] += qty

    def balance(role: str) -> Decimal:
        debit, credit = _cents(
            _LINES_SUM + " AND account_id = %s", [company.pk, account_for(company, role).pk]
        )
        return debit - credit

    debits, credits = _cents(_LINES_SUM, [company.pk])
    gross, invoice_vat, invoice_net = _cents(_INVOICES_SUM, [company.pk])
    revenue = -balance("revenue")
    vat_payable = -balance("vat_output_high")
    bank = balance("bank")
    receivable = balance("receivable")
    levels = stock_levels(company, products)
    wrong_stock = [p.sku for p in products if levels[p.pk].on_hand != STOCK - shipped[p.pk]]
    unpaid = (
        Invoice.objects.filter(company=company, status="posted")
        .exclude(payment_status=PaymentStatus.PAID)
        .count()
    )
    return {
        "debits_equal_credits": {"passed": debits == credits, "debits": str(debits), "credits": str(credits)},
        "receivable_is_zero": {"passed": receivable == 0, "receivable": str(receivable)},
        "bank_equals_invoiced": {
            "passed": bank == gross and gross == net + vat,
            "bank": str(bank),
            "invoiced_incl_vat": str(gross),
        },
        "revenue_equals_quantity_times_price": {
            "passed": revenue == expected_revenue == invoice_net,
            "revenue": str(revenue),
            "expected": str(expected_revenue),
        },
        "vat_is_21_percent_of_revenue": {
            "passed": vat_payable == invoice_vat and abs(vat_payable - revenue * D("0.21")) <= D("0.005") * n,
            "vat_payable": str(vat_payable),
            "sum_of_invoice_vat": str(invoice_vat),
            "21_percent_of_revenue": str(revenue * D("0.21")),
            "rounding_rule": "per invoice and VAT code, half up (at most 0.005 per invoice)",
        },
        "stock_on_hand_is_start_minus_shipped": {
            "passed": not wrong_stock,
            "products_checked": len(products),
            "units_shipped": str(sum(shipped.values())),
            "wrong": wrong_stock,
        },
        "every_invoice_paid": {"passed": unpaid == 0, "unpaid": unpaid},
    }


# --- the command ---------------------------------------------------------------------------------


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kern bench o2c", description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1000, help="orders N (default 1000)")
    parser.add_argument("--lines", type=int, default=5, help="lines per order L (default 5)")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args(argv)
    if args.orders < 1 or not 1 <= args.lines <= 50:
        parser.error("--orders must be at least 1 and --lines between 1 and 50")

    from django.db import connection

    from kern.core import context

    def say(text: str) -> None:
        if not args.json:
            print(text, file=sys.stderr, flush=True)

    with _Scratch(args.keep) as scratch:
        say(f"benchmark database: {scratch.name}")
        with context.acting(interface="cli"):
            start = time.perf_counter()
            world = _setup()
            world["by_id"] = {p.pk: p for p in world["products"]}
            setup_s = time.perf_counter() - start
            say(f"setup {setup_s:.1f} s; running {args.orders} orders of {args.lines} lines …")
            today = dt.date.today()
            counter = _Counter()
            net = vat = D(0)
            with context.acting(world["user"], interface="cli"), connection.execute_wrapper(counter):
                start = time.perf_counter()
                cpu_start = time.process_time()
                for i in range(args.orders):
                    n, v = _cycle(world, i, args.lines, today)
                    net += n
                    vat += v
                seconds = time.perf_counter() - start
                cpu_s = time.process_time() - cpu_start
            say("checking …")
            checks = _checks(world, args.orders, args.lines, net, vat)
            size = scratch.size_mib()
        figures = {
            "workload": "O2C",
            "database": connection.vendor,
            "orders": args.orders,
            "lines": args.lines,
            "setup_s": round(setup_s, 2),
            "seconds": round(seconds, 3),
            "orders_per_s": round(args.orders / seconds, 1),
            # CPU time of this process in the timed phase: on a shared machine the wall figure
            # also counts the time other processes held the CPU.
            "cpu_s": round(cpu_s, 3),
            "orders_per_cpu_s": round(args.orders / cpu_s, 1),
            "queries_per_order": round(counter.count / args.orders, 2),
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "db_size_mib": size,
            "checks_passed": all(c["passed"] for c in checks.values()),
            "checks": checks,
        }
    print(json.dumps(figures, indent=None if args.json else 2))
    return 0 if figures["checks_passed"] else 1
