"""The API beside the new screens: leave a bill out of a proposed run, list and add dunning levels."""

from decimal import Decimal

import pytest

from kern.payments.models import DunningLevel, PaymentRunApproval, PaymentRunLine
from kern.payments.services import approve_payment_run
from tests.builders import a_user, an_api_client
from tests.payments.test_screens import _draft_run

pytestmark = pytest.mark.django_db


def test_a_bill_is_left_out_of_a_draft_run_through_the_api(company, other_company):
    run, (first, _second, third) = _draft_run(company)
    theirs, _bills = _draft_run(other_company)
    api = an_api_client(company, "accountant")
    line = PaymentRunLine.objects.get(run=run, open_item=first)

    response = api.delete(f"/api/v1/runs/{run.pk}/lines/{line.pk}")
    body = response.json()
    assert response.status_code == 200 and Decimal(body["total"]) == Decimal("65.00")
    assert line.pk not in [row["id"] for row in body["lines"]]
    assert api.delete(f"/api/v1/runs/{run.pk}/lines/{line.pk}").status_code == 404
    their_line = PaymentRunLine.objects.filter(run=theirs).first()
    assert api.delete(f"/api/v1/runs/{run.pk}/lines/{their_line.pk}").status_code == 404
    assert api.delete(f"/api/v1/runs/{theirs.pk}/lines/{their_line.pk}").status_code == 404

    approve_payment_run(run, by=a_user(company, "controller"))
    assert PaymentRunApproval.objects.filter(run=run).exists()
    last = PaymentRunLine.objects.get(run=run, open_item=third)
    refused = api.delete(f"/api/v1/runs/{run.pk}/lines/{last.pk}")
    assert refused.status_code == 409 and refused["Content-Type"] == "application/problem+json"
    assert PaymentRunLine.objects.filter(pk=last.pk).exists()
    sales = an_api_client(company, "sales_rep")
    assert sales.delete(f"/api/v1/runs/{run.pk}/lines/{last.pk}").status_code == 403


def test_dunning_levels_are_listed_and_added_through_the_api(company, other_company):
    api = an_api_client(company, "accountant")
    listed = api.get("/api/v1/dunning-levels").json()["results"]
    assert sorted(row["level"] for row in listed) == [1, 2, 3]

    made = api.post_json(
        "/api/v1/dunning-levels", {"level": 4, "name": "Incasso", "days_overdue": 60, "fee": "75.00"}
    )
    assert made.status_code == 201 and made.json()["fee"] == "75.00"
    assert DunningLevel.objects.filter(company=company, level=4).exists()
    assert not DunningLevel.objects.filter(company=other_company, level=4).exists()

    twice = api.post_json("/api/v1/dunning-levels", {"level": 4, "name": "Dubbel", "days_overdue": 70})
    assert twice.status_code == 422 and twice["Content-Type"] == "application/problem+json"
    negative = api.post_json(
        "/api/v1/dunning-levels", {"level": 5, "name": "X", "days_overdue": 1, "fee": "-1"}
    )
    assert negative.status_code == 422
    assert DunningLevel.objects.filter(company=company).count() == 4
    sales = an_api_client(company, "sales_rep")
    assert sales.get("/api/v1/dunning-levels").status_code == 403
