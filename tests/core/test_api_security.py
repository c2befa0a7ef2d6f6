"""API authentication, tenancy, errors and idempotency."""

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from kern.core.models import ApiToken, AuditEvent, IdempotencyRecord
from kern.core.services import issue_api_token, revoke_api_token
from kern.parties.models import Party
from tests.builders import ApiClient, a_user
from tests.isolation import BODIES, BUILDERS, NOT_COMPANY_ROWS


@pytest.mark.django_db
def test_no_token_a_wrong_token_a_revoked_and_an_expired_token_get_401(company):
    user = a_user(company, "administrator")
    assert Client().get("/api/v1/parties").status_code == 401
    wrong = Client(HTTP_AUTHORIZATION="Bearer kern_nope_nope").get("/api/v1/parties")
    assert wrong.status_code == 401 and wrong["Content-Type"] == "application/problem+json"
    token, secret = issue_api_token(user, company, name="ci")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/parties").status_code == 200
    revoke_api_token(token)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/parties").status_code == 401
    old, expiring = issue_api_token(
        user, company, name="old", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert Client(HTTP_AUTHORIZATION=f"Bearer {expiring}").get("/api/v1/parties").status_code == 200
    ApiToken.objects.filter(pk=old.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )  # time passes
    assert Client(HTTP_AUTHORIZATION=f"Bearer {expiring}").get("/api/v1/parties").status_code == 401


@pytest.mark.django_db
def test_tokens_are_created_once_shown_and_stored_hashed(api):
    response = api.post_json("/api/v1/tokens", {"name": "boekhouding-koppeling"})
    assert response.status_code == 201
    secret = response.json()["secret"]
    assert secret.startswith("kern_")
    stored = ApiToken.objects.get(pk=response.json()["id"])
    assert secret not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    assert "secret" not in api.get("/api/v1/tokens").json()[0]
    assert api.post(f"/api/v1/tokens/{stored.pk}/revoke").status_code == 200
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/parties").status_code == 401


@pytest.mark.django_db
def test_a_user_without_the_permission_gets_403(company):
    hr = ApiClient(a_user(company, "hr"), company)
    response = hr.post_json("/api/v1/products", {"sku": "X", "name": "X"})
    assert response.status_code == 403 and "catalog.add_product" in response.json()["detail"]


@pytest.mark.django_db
def test_malformed_json_is_a_400_problem_and_writes_nothing(api):
    before = Party.objects.count()
    response = api.post("/api/v1/parties", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "malformed_json"
    assert Party.objects.count() == before


@pytest.mark.django_db
def test_field_errors_are_422_naming_the_field_and_write_nothing(api):
    before = (Party.objects.count(), AuditEvent.objects.count())
    for body, field in [
        ({"name": "A", "vat_id": "NL123"}, "vat_id"),
        ({"name": "A", "kvk_number": "123"}, "kvk_number"),
        ({"name": "A", "bank_accounts": [{"iban": "NL00INGB0000000000"}]}, "iban"),
        ({"name": "A", "currency": "XYZ"}, "currency"),
        ({"name": ""}, "name"),
    ]:
        response = api.post_json("/api/v1/parties", body)
        assert response.status_code == 422, body
        assert field in response.json()["errors"], response.json()
    assert (Party.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.django_db
def test_idempotency_key_replays_the_first_response_and_refuses_another_body(api):
    first = api.post_json("/api/v1/parties", {"name": "Eenmalig BV"}, HTTP_IDEMPOTENCY_KEY="order-123")
    replay = api.post_json("/api/v1/parties", {"name": "Eenmalig BV"}, HTTP_IDEMPOTENCY_KEY="order-123")
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert Party.objects.filter(name="Eenmalig BV").count() == 1
    other = api.post_json("/api/v1/parties", {"name": "Ander BV"}, HTTP_IDEMPOTENCY_KEY="order-123")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert not Party.objects.filter(name="Ander BV").exists()


@pytest.mark.django_db
def test_idempotency_keys_are_scoped_to_the_caller(company, other_company, api, other_api):
    api.post_json("/api/v1/parties", {"name": "Mijn BV"}, HTTP_IDEMPOTENCY_KEY="same-key")
    theirs = other_api.post_json("/api/v1/parties", {"name": "Mijn BV"}, HTTP_IDEMPOTENCY_KEY="same-key")
    assert theirs.status_code == 201
    assert Party.objects.filter(company=other_company, name="Mijn BV").count() == 1
    assert IdempotencyRecord.objects.filter(key="same-key").count() == 2


def _operations():
    from kern.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        params = [p for p in re.findall(r"{(\w+)}", path) if p not in NOT_COMPANY_ROWS]
        if not params:
            continue
        for method in methods:
            yield method, path, params


@pytest.mark.isolation
@pytest.mark.django_db
def test_every_verb_on_another_companys_rows_is_404_and_changes_nothing(company, other_company, api):
    operations = list(_operations())
    missing = sorted({p for _, _, params in operations for p in params if p not in BUILDERS})
    assert not missing, f"add builders for these path parameters to tests/isolation.py: {missing}"
    theirs = {param: build(other_company) for param, build in BUILDERS.items()}
    Party.objects.filter(company=other_company).update(name="Unchanged")  # fixed point to compare with
    before = (AuditEvent.objects.count(), list(Party.objects.filter(company=other_company).values()))
    for method, path, params in operations:
        url = path
        for param in params:
            url = url.replace("{" + param + "}", str(theirs[param].pk))
        body = BODIES.get((method, path), {})
        if method == "get":
            response = api.get(url)
        else:
            response = getattr(api, method)(url, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 404, (
            f"{method.upper()} {url} -> {response.status_code} {response.content[:200]}"
        )
        assert response["Content-Type"] == "application/problem+json"
    assert (AuditEvent.objects.count(), list(Party.objects.filter(company=other_company).values())) == before


@pytest.mark.django_db
def test_the_browser_session_works_for_the_api_with_csrf_on_writes(company):
    user = a_user(company, "sales_rep")  # a role without two-factor login, so the session is complete
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    assert browser.get("/api/v1/companies/current").json()["id"] == company.pk
    refused = browser.post(
        "/api/v1/parties", data=json.dumps({"name": "Zonder CSRF"}), content_type="application/json"
    )
    assert refused.status_code == 403
    assert not Party.objects.filter(name="Zonder CSRF").exists()


@pytest.mark.django_db
def test_core_list_endpoints_have_query_baselines(api, company):
    from kern.core.services import set_exchange_rate
    from tests.querycounts import query_baseline

    for day in range(1, 11):
        set_exchange_rate("USD", "1.1", on=dt.date(2026, 1, day))
    with query_baseline(__file__, "api.exchange_rates.list"):
        assert len(api.get("/api/v1/exchange-rates").json()["results"]) == 10
    with query_baseline(__file__, "api.currencies.list"):
        assert len(api.get("/api/v1/currencies").json()) > 150
    with query_baseline(__file__, "api.companies.list"):
        assert api.get("/api/v1/companies").json()[0]["id"] == company.pk
    with query_baseline(__file__, "api.tokens.list"):
        assert len(api.get("/api/v1/tokens").json()) == 1
    with query_baseline(__file__, "api.imports.list"):
        assert {i["kind"] for i in api.get("/api/v1/imports").json()} >= {"parties", "contacts", "products"}
