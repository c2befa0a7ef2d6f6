"""Sixteen workers fight over the last ten units, round after round: nobody ever gets a unit that
is not there (PostgreSQL row locks; skipped on SQLite, which serialises writers anyway).

Each round the stock is topped up so that exactly 10 units are available; then 16 workers (each
with its own database connection) race to reserve one unit each for a delivery. Exactly 10
must win and 6 be refused with 409, every round. The same then runs over HTTP through the API,
served by `kern serve` (gunicorn worker processes, as in production) on the test database.
KERN_CONCURRENCY_ROUNDS / KERN_CONCURRENCY_HTTP_ROUNDS change the rounds.
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.db import connection
from django.db.models import Sum

from kern.core.services import issue_api_token
from kern.inventory import selectors, services
from kern.inventory.exceptions import InsufficientStock
from kern.inventory.models import Move, Quant
from kern.inventory.services import MoveSpec
from tests.builders import a_company, a_product, a_user

WORKERS = 16
UNITS = 10
ROUNDS = int(os.environ.get("KERN_CONCURRENCY_ROUNDS", "1000"))
HTTP_ROUNDS = int(os.environ.get("KERN_CONCURRENCY_HTTP_ROUNDS", "1000"))


def _race(rounds: int, attempt, restock) -> tuple[Counter, int, float]:
    """Run `rounds` rounds of WORKERS concurrent `attempt()` calls; returns accepted per round,
    attempts and seconds. `attempt()` returns True (reserved) or False (refused)."""
    accepted: Counter = Counter()
    lock = threading.Lock()
    errors: list[BaseException] = []
    state = {"round": 0}

    def next_round() -> None:  # run by the last worker to arrive, before everyone goes on
        restock()
        state["round"] += 1

    start_gate = threading.Barrier(WORKERS, action=next_round)

    def worker() -> None:
        try:
            for _ in range(rounds):
                start_gate.wait()
                won = attempt()
                if won:
                    with lock:
                        accepted[state["round"]] += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
            start_gate.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    assert not errors, errors[:3]
    return accepted, rounds * WORKERS, seconds


def _stock(product) -> tuple[Decimal, Decimal]:
    q = Quant.objects.filter(product=product).aggregate(q=Sum("quantity"), r=Sum("reserved"))
    return q["q"] or Decimal(0), q["r"] or Decimal(0)


def _restocker(product):
    def restock() -> None:
        quantity, reserved = _stock(product)
        missing = UNITS - (quantity - reserved)
        if missing:
            services.adjust_stock(product.company, lines=[MoveSpec(product, missing, unit_cost=Decimal("2"))])

    return restock


def _report(capsys, label: str, tried: int, seconds: float) -> None:
    with capsys.disabled():
        print(f"\n{label}: {tried} orders tried in {seconds:.1f} s, {tried / seconds:.0f} orders/s")


def _check(product, accepted: Counter, rounds: int) -> None:
    assert set(accepted.values()) == {UNITS} and len(accepted) == rounds, [
        (r, n) for r, n in sorted(accepted.items()) if n != UNITS
    ][:5]
    quantity, reserved = _stock(product)
    reserved_moves = Move.objects.filter(product=product, status="reserved").aggregate(s=Sum("quantity"))["s"]
    oversold = max(reserved - quantity, Decimal(0))
    assert oversold == 0
    assert reserved == reserved_moves == quantity == UNITS * rounds


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_sixteen_workers_never_oversell_the_last_ten_units(capsys):
    company = a_company("Race BV")
    product = a_product(company, "LAST-10")
    warehouse = selectors.default_warehouse(company)  # read once, as a sales order would

    def attempt() -> bool:
        try:
            services.create_delivery(company, lines=[MoveSpec(product, Decimal("1"))], warehouse=warehouse)
        except InsufficientStock:
            return False
        return True

    accepted, tried, seconds = _race(ROUNDS, attempt, _restocker(product))
    _report(capsys, f"threads, {ROUNDS} rounds", tried, seconds)
    _check(product, accepted, ROUNDS)


@pytest.fixture
def production_server(transactional_db):
    """`kern serve` (gunicorn, one process per worker) on the test database; its URL."""
    db = connection.settings_dict
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "KERN_ENV": "development",
        "DEBUG": "",
        "WEB_CONCURRENCY": "4",
        "KERN_THREADS": "4",
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    server = subprocess.Popen(
        [sys.executable, "-m", "kern.cli", "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("kern serve did not start") from None
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_sixteen_api_clients_never_oversell_the_last_ten_units(production_server, capsys):
    company = a_company("Race API BV")
    product = a_product(company, "LAST-10")
    _token, secret = issue_api_token(a_user(company, "warehouse"), company, name="race")
    url = urlparse(production_server)
    body = json.dumps(
        {"kind": "delivery", "allow_partial": False, "lines": [{"product_id": product.pk, "quantity": "1"}]}
    )
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}

    def attempt() -> bool:
        client = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        try:
            client.request("POST", "/api/v1/inventory/operations", body=body, headers=headers)
            response = client.getresponse()
            answer = json.loads(response.read())
        finally:
            client.close()
        assert response.status in (201, 409), (response.status, answer)
        if response.status == 409:
            assert answer["code"] == "insufficient_stock" and answer["sku"] == "LAST-10"
        return response.status == 201

    accepted, tried, seconds = _race(HTTP_ROUNDS, attempt, _restocker(product))
    _report(capsys, f"HTTP, {HTTP_ROUNDS} rounds", tried, seconds)
    _check(product, accepted, HTTP_ROUNDS)
