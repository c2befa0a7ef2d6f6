"""Ledger refusals are worded in the request's language: Dutch on a Dutch page, and in the API
as Accept-Language asks (the services translate their messages when they raise them)."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kern.ledger.models import Account
from tests.builders import a_user, a_web_client

DUTCH = {"HTTP_ACCEPT_LANGUAGE": "nl"}


def test_a_dutch_user_reads_why_an_account_is_refused_in_dutch(company):
    client = a_web_client(a_user(company, "accountant"), language="nl")
    page = client.post(
        "/ledger/accounts/new/", {"code": "1100", "name": "Nog een bank", "type": "asset", "subtype": "bank"}
    )
    assert page.status_code == 422  # the form again, with the service's refusal on it
    assert "rekening 1100 bestaat al" in page.content.decode()
    assert Account.objects.filter(company=company, code="1100").count() == 1


def test_the_api_answers_in_the_language_the_request_asks_for(api):
    account = {"code": "1100", "name": "Nog een bank", "type": "asset", "subtype": "bank"}
    english = api.post_json("/api/v1/ledger/accounts", account)
    dutch = api.post_json("/api/v1/ledger/accounts", account, **DUTCH)
    assert (english.status_code, dutch.status_code) == (422, 422)
    assert dutch["Content-Type"] == "application/problem+json"
    assert "account 1100 already exists" in english.json()["detail"]
    assert "rekening 1100 bestaat al" in dutch.json()["detail"]

    subtype = api.post_json(
        "/api/v1/ledger/accounts", {**account, "code": "1190", "subtype": "boat"}, **DUTCH
    )
    assert subtype.status_code == 422
    assert "onbekende subsoort rekening 'boat'" in subtype.json()["detail"]

    box = api.get(
        "/api/v1/ledger/reports/vat-return/9z/lines",
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
        **DUTCH,
    )
    assert box.status_code == 404 and "geen rubriek '9z' in de btw-aangifte" in box.json()["detail"]


def test_opening_balance_import_problems_come_back_in_dutch(api):
    data = b"rekening;debet;credit\n9999;100,00;\n1100;;50,00\n"
    report = api.post(
        "/api/v1/ledger/opening-balance",
        {"file": SimpleUploadedFile("ob.csv", data, content_type="text/csv")},
        **DUTCH,
    ).json()
    assert report["ok"] is False
    assert {"row": 2, "column": "account", "message": "onbekende rekening '9999'"} in report["errors"]

    no_account_column = api.post(
        "/api/v1/ledger/opening-balance",
        {"file": SimpleUploadedFile("ob.csv", b"naam;debet\nBank;1\n", content_type="text/csv")},
        **DUTCH,
    ).json()
    assert no_account_column["errors"][0]["message"] == (
        "het bestand heeft een kolom met de rekening nodig (rekening)"
    )
