"""Lists cost the same number of queries for one document as for several (no N+1), and the
approval limits have committed baselines like every other purchasing list."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kern.purchasing import services
from tests.builders import a_user, a_web_client, an_api_client
from tests.purchasing.helpers import receive
from tests.querycounts import query_baseline

pytestmark = pytest.mark.django_db

LISTS = [
    "/purchasing/orders/",
    "/purchasing/bills/",
    "/purchasing/requisitions/",
    "/purchasing/rfqs/",
    "/api/v1/purchase-orders",
    "/api/v1/vendor-bills",
    "/api/v1/requisitions",
    "/api/v1/rfqs",
]


def documents(company, vendor, chair, buyer, accountant, n: int) -> None:
    for k in range(n):
        order = services.create_order(
            company, vendor=vendor, lines=[{"product": chair, "quantity": 2, "unit_price": "40"}], by=buyer
        )
        services.submit_order(order, by=buyer)
        receive(order)
        services.create_bill_from_order(order, by=accountant, vendor_reference=f"N-{n}-{k}")
        services.create_requisition(company, lines=[{"product": chair, "quantity": 1}], by=buyer)
        services.create_rfq(company, lines=[{"product": chair, "quantity": 1}], vendors=[vendor], by=buyer)


def counts(web, api) -> dict[str, int]:
    out = {}
    for url in LISTS:
        client = api if url.startswith("/api/") else web
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        out[url] = len(ctx.captured_queries)
    return out


def test_lists_do_not_grow_with_their_rows(company, vendor, chair, buyer, accountant):
    admin = a_user(company, "administrator")
    web, api = a_web_client(admin), an_api_client(company, "administrator")
    documents(company, vendor, chair, buyer, accountant, 1)
    counts(web, api)  # warm the per-process caches (roles, accounts, menus)
    one = counts(web, api)
    documents(company, vendor, chair, buyer, accountant, 4)
    five = counts(web, api)
    assert five == one


def test_the_approval_limits_have_baselines(company):
    web = a_web_client(a_user(company, "administrator"))
    api = an_api_client(company, "administrator")
    with query_baseline(__file__, "page.approval_limits"):
        page = web.get("/purchasing/approval-limits/")
    assert page.status_code == 200
    with query_baseline(__file__, "api.approval_limits.list"):
        listed = api.get("/api/v1/purchasing/approval-limits")
    assert sorted(row["role"] for row in listed.json()) == ["administrator", "buyer", "controller"]
