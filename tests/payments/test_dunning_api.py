"""A dunning level is changed through the API as on its page: PATCH /dunning-levels/{id} goes through
the same service, within the caller's company and role, and refuses bad input with a 4xx
problem+json."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kern.core.models import AuditEvent
from kern.payments.models import DunningLevel
from kern.payments.selectors import dunning_proposal
from tests.builders import a_customer, a_user, a_web_client, an_api_client, an_open_item
from tests.payments.helpers import D

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _level(company, number):
    return DunningLevel.objects.get(company=company, level=number)


def test_a_level_is_changed_through_the_api(company):
    api = an_api_client(company, "accountant")
    second = _level(company, 2)

    response = api.patch_json(
        f"/api/v1/dunning-levels/{second.pk}", {"days_overdue": 28, "fee": "25.00", "text": "Betaal nu."}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["level"], body["days_overdue"], body["fee"], body["text"]) == (
        second.pk,
        2,
        28,
        "25.00",
        "Betaal nu.",
    )
    assert body["name"] == second.name and body["is_active"] is True  # left out: unchanged
    second.refresh_from_db()
    assert (second.days_overdue, second.fee, second.text) == (28, Decimal("25.00"), "Betaal nu.")
    change = AuditEvent.objects.filter(model="payments.dunninglevel", object_id=str(second.pk)).first()
    assert (change.action, change.user_id, change.interface) == ("update", api.user.pk, "api")
    assert {"days_overdue", "fee", "text"} <= set(change.changes)
    assert api.get(f"/api/v1/dunning-levels/{second.pk}").json() == body


def test_the_change_is_what_the_reminders_follow(company):
    customer = a_customer(company)
    an_open_item(company, customer, "100.00", on=D(3, 1), due_days=30)  # due 31 Mar
    api = an_api_client(company, "accountant")
    first = _level(company, 1)
    assert [p.level.level for p in dunning_proposal(company, D(4, 10))] == [1]

    switched_off = api.patch_json(f"/api/v1/dunning-levels/{first.pk}", {"is_active": False})
    assert switched_off.status_code == 200 and switched_off.json()["is_active"] is False
    assert dunning_proposal(company, D(4, 10)) == []  # 10 days late: level 2 starts at 21


def test_bad_input_is_refused_with_a_problem(company):
    api = an_api_client(company, "accountant")
    second = _level(company, 2)
    url = f"/api/v1/dunning-levels/{second.pk}"

    taken = api.patch_json(url, {"level": 3})
    assert taken.status_code == 422 and taken["Content-Type"] == PROBLEM
    assert taken.json()["errors"] == {"level": [f"there is a level 3 already: {_level(company, 3).name}"]}
    for bad in ({"fee": "-1"}, {"days_overdue": -2}, {"name": ""}, {"level": 0}, {"fee": "1.234"}):
        refused = api.patch_json(url, bad)
        assert refused.status_code == 422 and refused["Content-Type"] == PROBLEM, bad
    malformed = api.generic("PATCH", url, "{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed["Content-Type"] == PROBLEM
    second.refresh_from_db()
    assert (second.level, second.fee, second.days_overdue, second.name) == (
        2,
        Decimal("15.00"),
        21,
        "Second reminder",
    )
    # renumbering to a free number is fine, and keeping its own number is no clash
    assert api.patch_json(url, {"level": 2, "name": "Tweede herinnering"}).status_code == 200
    assert api.patch_json(url, {"level": 9}).json()["level"] == 9


def test_only_the_roles_that_may_change_levels_and_only_their_own_company(company, other_company):
    theirs = _level(other_company, 2)
    api = an_api_client(company, "accountant")
    assert api.patch_json(f"/api/v1/dunning-levels/{theirs.pk}", {"fee": "99.00"}).status_code == 404
    assert api.get(f"/api/v1/dunning-levels/{theirs.pk}").status_code == 404
    sales = an_api_client(company, "sales_rep")
    ours = _level(company, 2)
    refused = sales.patch_json(f"/api/v1/dunning-levels/{ours.pk}", {"fee": "99.00"})
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM
    assert sales.get(f"/api/v1/dunning-levels/{ours.pk}").status_code == 403
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.fee == ours.fee == Decimal("15.00")


def test_a_taken_number_is_refused_on_the_field_on_the_page_too(company):
    client = a_web_client(a_user(company, "accountant"))
    second = _level(company, 2)
    page = client.post(
        reverse("payments:dunninglevel_edit", kwargs={"pk": second.pk}),
        {"level": 3, "name": second.name, "days_overdue": 21, "fee": "15.00", "text": "", "is_active": "on"},
    )
    assert page.status_code == 422
    assert page.context["form"].errors["level"] == [f"there is a level 3 already: {_level(company, 3).name}"]
    second.refresh_from_db()
    assert second.level == 2
