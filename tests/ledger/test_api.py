"""The ledger API: entries (draft, post, reverse), refusals as problem+json, reports, permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kern.ledger.models import JournalEntry, JournalLine, Period
from kern.ledger.services import close_period
from tests.builders import a_customer, an_api_client
from tests.querycounts import query_baseline

D = Decimal
TODAY = dt.date.today()


def line(account, debit="0", credit="0", **extra):
    return {"account": account, "debit": debit, "credit": credit, **extra}


def test_a_draft_may_be_unbalanced_then_is_posted_and_can_only_be_reversed(api, company):
    created = api.post_json(
        "/api/v1/ledger/entries",
        {
            "journal": "MEM",
            "date": TODAY.isoformat(),
            "memo": "Correctie",
            "lines": [line("4600", "10.00"), line("1100", credit="9.00")],
        },
    )
    assert created.status_code == 201, created.content
    draft = created.json()
    assert (draft["status"], draft["number"], draft["difference"]) == ("draft", "", "1.00")

    refused = api.post(f"/api/v1/ledger/entries/{draft['id']}/post")
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert "difference 1.00" in refused.json()["detail"]

    patched = api.patch_json(
        f"/api/v1/ledger/entries/{draft['id']}",
        {"lines": [line("4600", "10.00"), line("1100", credit="10.00")]},
    )
    assert patched.status_code == 200 and patched.json()["difference"] == "0.00"
    posted = api.post(f"/api/v1/ledger/entries/{draft['id']}/post")
    assert posted.status_code == 200
    body = posted.json()
    assert body["status"] == "posted" and body["number"] == f"MEM-{TODAY.year}-00001"
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in body["lines"]] == [
        ("4600", "10.00", "0.00"),
        ("1100", "0.00", "10.00"),
    ]

    for response in (
        api.patch_json(f"/api/v1/ledger/entries/{draft['id']}", {"memo": "anders"}),
        api.delete(f"/api/v1/ledger/entries/{draft['id']}"),
    ):
        assert response.status_code == 409
        assert "reverse" in response.json()["detail"]
    assert JournalEntry.objects.get(pk=draft["id"]).memo == "Correctie"

    reversal = api.post_json(f"/api/v1/ledger/entries/{draft['id']}/reverse", {})
    assert reversal.status_code == 201
    assert reversal.json()["reversal_of_id"] == draft["id"]
    assert api.get(f"/api/v1/ledger/entries/{draft['id']}").json()["status"] == "reversed"


@pytest.mark.parametrize(
    ("lines", "status", "field"),
    [
        ([line("4600", "10.00"), line("1100", credit="9.00")], 422, "lines"),
        ([line("9999", "10.00"), line("1100", credit="10.00")], 422, "lines[0].account"),
        ([line("4600", "10.00", tax_code="NOPE"), line("1100", credit="10.00")], 422, "lines[0].tax_code"),
        ([line("4600", "-1.00"), line("1100", credit="1.00")], 422, "lines.0.debit"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_posted(api, company, lines, status, field):
    response = api.post_json(
        "/api/v1/ledger/entries", {"journal": "MEM", "date": TODAY.isoformat(), "lines": lines, "post": True}
    )
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not JournalEntry.objects.filter(company=company).exists()


def test_posting_in_a_closed_period_is_a_conflict(api, company):
    period = Period.objects.get(company=company, start_date__lte=TODAY, end_date__gte=TODAY, kind="regular")
    close_period(period)
    response = api.post_json(
        "/api/v1/ledger/entries",
        {
            "journal": "MEM",
            "date": TODAY.isoformat(),
            "lines": [line("4600", "1.00"), line("1100", credit="1.00")],
            "post": True,
        },
    )
    assert response.status_code == 409
    assert response.json()["code"] == "period_closed"
    assert not JournalLine.objects.filter(company=company).exists()
    reopen = api.post(f"/api/v1/ledger/periods/{period.pk}/reopen")
    assert (
        reopen.status_code == 200 and reopen.json()["status"] == "open"
    )  # the API client is an administrator


def test_reports_answer_with_the_figures(api, company):
    customer = a_customer(company)
    api.post_json(
        "/api/v1/ledger/entries",
        {
            "journal": "VK",
            "date": TODAY.isoformat(),
            "post": True,
            "lines": [
                {"role": "receivable", "debit": "121.00", "party_id": customer.pk},
                line("8000", credit="100.00", tax_code="V21"),
                line("1500", credit="21.00", tax_code="V21"),
            ],
        },
    )
    tb = api.get("/api/v1/ledger/reports/trial-balance").json()
    assert tb["is_balanced"] and tb["total_debit"] == "121.00"
    pnl = api.get("/api/v1/ledger/reports/profit-and-loss").json()
    assert pnl["result"] == "100.00"
    sheet = api.get(f"/api/v1/ledger/reports/balance-sheet?on={TODAY.isoformat()}").json()
    assert sheet["is_balanced"] and sheet["total_assets"] == "121.00"
    vat = api.get(
        f"/api/v1/ledger/reports/vat-return?date_from={TODAY.isoformat()}&date_to={TODAY.isoformat()}"
    ).json()
    box = next(b for b in vat["boxes"] if b["box"] == "1a")
    assert (box["turnover"], box["vat"], vat["to_pay"]) == ("100.00", "21.00", "21.00")
    box_lines = api.get(
        f"/api/v1/ledger/reports/vat-return/1a/lines?date_from={TODAY.isoformat()}&date_to={TODAY.isoformat()}"
    )
    assert [ln["account_code"] for ln in box_lines.json()] == ["8000", "1500"]
    statement = api.get(f"/api/v1/ledger/reports/partner-statement/{customer.pk}").json()
    assert statement["closing"] == "121.00"
    account = api.get("/api/v1/ledger/accounts?q=1300").json()["results"][0]
    ledger = api.get(f"/api/v1/ledger/accounts/{account['id']}/ledger").json()
    assert [ln["balance"] for ln in ledger["lines"]] == ["121.00"]
    journal = api.get("/api/v1/ledger/reports/journal?journal=VK").json()
    assert journal["count"] == 1 and len(journal["entries"][0]["lines"]) == 3
    assert api.get("/api/v1/ledger/verify").json()["ok"] is True


def test_chart_journals_and_roles(api, company):
    created = api.post_json(
        "/api/v1/ledger/accounts",
        {"code": "4650", "name": "Reiskosten", "type": "expense", "subtype": "expense", "parent": "40"},
    )
    assert created.status_code == 201 and created.json()["code"] == "4650"
    duplicate = api.post_json(
        "/api/v1/ledger/accounts", {"code": "4650", "name": "Nog eens", "type": "expense"}
    )
    assert duplicate.status_code == 422
    role = api.put_json("/api/v1/ledger/account-roles/expense", {"account": "4650"})
    assert role.status_code == 200 and role.json()["account_code"] == "4650"
    journal = api.post_json(
        "/api/v1/ledger/journals", {"code": "BNK2", "name": "Spaarrekening", "kind": "bank"}
    )
    assert journal.status_code == 201
    assert len(api.get("/api/v1/ledger/tax-codes?direction=purchase").json()) == 9
    assert api.put_json("/api/v1/ledger/lock-date", {"lock_date": "2000-01-31"}).json() == {
        "lock_date": "2000-01-31"
    }


def test_an_opening_balance_file_is_checked_then_posted(api, company):
    content = b"account,debit,credit\n1100,500.00,\n0500,,500.00\n"
    dry = api.post("/api/v1/ledger/opening-balance", {"file": SimpleUploadedFile("ob.csv", content)})
    assert dry.status_code == 200 and dry.json()["ok"] and dry.json()["entry"] is None
    done = api.post(
        "/api/v1/ledger/opening-balance?dry_run=false", {"file": SimpleUploadedFile("ob.csv", content)}
    )
    assert done.json()["entry"] == f"MEM-{TODAY.year}-00001"


def test_roles_without_ledger_rights_are_refused(company):
    rep = an_api_client(company, "sales_rep")
    manager = an_api_client(company, "sales_manager")
    body = {
        "journal": "MEM",
        "date": TODAY.isoformat(),
        "lines": [line("4600", "1.00"), line("1100", credit="1.00")],
        "post": True,
    }
    assert rep.get("/api/v1/ledger/reports/trial-balance").status_code == 403
    assert manager.get("/api/v1/ledger/reports/trial-balance").status_code == 200
    assert manager.post_json("/api/v1/ledger/entries", body).status_code == 403
    assert not JournalEntry.objects.filter(company=company).exists()


def test_list_endpoints_have_query_baselines(api, company):
    for n in range(5):
        api.post_json(
            "/api/v1/ledger/entries",
            {
                "journal": "MEM",
                "date": TODAY.isoformat(),
                "post": True,
                "lines": [line("4600", f"{n + 1}.00"), line("1100", credit=f"{n + 1}.00")],
            },
        )
    with query_baseline(__file__, "api.ledger.entries.list"):
        assert len(api.get("/api/v1/ledger/entries").json()["results"]) == 5
    with query_baseline(__file__, "api.ledger.accounts.list"):
        assert len(api.get("/api/v1/ledger/accounts").json()["results"]) == 50
    with query_baseline(__file__, "api.ledger.reports.trial_balance"):
        api.get("/api/v1/ledger/reports/trial-balance")


@pytest.mark.isolation
def test_every_ledger_endpoint_answers_404_for_another_companys_rows(api, company, other_company):
    import json
    import re

    from kern.api import api as ninja_api
    from kern.core.models import AuditEvent
    from tests.isolation import BODIES, BUILDERS, NOT_COMPANY_ROWS

    paths = {p: m for p, m in ninja_api.get_openapi_schema()["paths"].items() if "/ledger/" in p}
    wanted = {p for path in paths for p in re.findall(r"{(\w+)}", path) if p not in NOT_COMPANY_ROWS}
    theirs = {param: BUILDERS[param](other_company) for param in sorted(wanted)}
    checked = 0
    before_entries = list(JournalEntry.objects.filter(company=other_company).values())
    for path, methods in paths.items():
        params = [p for p in re.findall(r"{(\w+)}", path) if p not in NOT_COMPANY_ROWS]
        if not params:
            continue
        for method in methods:
            url = path
            for param in params:
                url = url.replace("{" + param + "}", str(theirs[param].pk))
            if "{box}" in url:
                url = url.replace("{box}", "1a") + "?date_from=2026-01-01&date_to=2026-12-31"
            audit_before = AuditEvent.objects.count()
            body = BODIES.get((method, path), {})
            response = (
                api.get(url)
                if method == "get"
                else getattr(api, method)(url, data=json.dumps(body), content_type="application/json")
            )
            assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"
            assert AuditEvent.objects.count() == audit_before
            checked += 1
    assert checked == 14
    assert list(JournalEntry.objects.filter(company=other_company).values()) == before_entries
