"""The public lead form: consent, honeypot, rate limit, a second post from the same person."""

from __future__ import annotations

import pytest
from django.test import Client

from kern.crm import services
from kern.crm.models import EngagementKind, Lead, LeadSubmission
from tests.builders import a_user

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Eva",
    "last_name": "Kok",
    "email": "eva@kok.example",
    "organisation": "Kok BV",
    "consent": "on",
}


@pytest.fixture
def lead_form(company):
    owner = a_user(company, "sales_rep")
    return services.create_lead_form(company, name="Contact", owner=owner)


def _post(client: Client, lead_form, data, **extra):
    return client.post(f"/crm/forms/{lead_form.key}/", data, REMOTE_ADDR="203.0.113.7", **extra)


def test_the_form_renders_embeddable_without_a_login(lead_form):
    response = Client().get(f"/crm/forms/{lead_form.key}/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert b'name="website_url"' in response.content


def test_a_submission_becomes_a_scored_assigned_lead_with_consent(lead_form, company):
    services.create_scoring_rule(
        company, name="Filled a form", criterion="form_submissions", minimum=1, points=5
    )
    response = _post(Client(), lead_form, GOOD)
    assert response.status_code == 200
    assert lead_form.thanks_message.encode() in response.content
    lead = Lead.objects.get()
    assert (lead.source, lead.organisation, lead.email, lead.consent, lead.owner_id, lead.form_id) == (
        "web_form",
        "Kok BV",
        "eva@kok.example",
        True,
        lead_form.owner_id,
        lead_form.pk,
    )
    assert lead.consent_at is not None
    assert lead.consent_text == lead_form.consent_text
    assert lead.score == 5
    assert list(lead.engagements.values_list("kind", flat=True)) == [EngagementKind.FORM_SUBMISSION]


def test_a_second_post_from_the_same_person_adds_behaviour_not_a_duplicate(lead_form):
    client = Client()
    _post(client, lead_form, GOOD)
    _post(client, lead_form, {**GOOD, "message": "Nog een vraag"})
    lead = Lead.objects.get()
    assert lead.engagements.filter(kind=EngagementKind.FORM_SUBMISSION).count() == 2


def test_without_consent_the_form_comes_back_with_the_values_and_nothing_is_created(lead_form):
    response = _post(Client(), lead_form, {**GOOD, "consent": ""})
    assert response.status_code == 422
    assert b"Please agree so we may contact you." in response.content
    assert b'value="eva@kok.example"' in response.content
    assert Lead.objects.count() == 0


def test_a_honeypot_hit_is_answered_like_a_success_and_leaves_no_trace(lead_form):
    response = _post(Client(), lead_form, {**GOOD, "website_url": "http://spam.example"})
    assert response.status_code == 200
    assert lead_form.thanks_message.encode() in response.content
    assert Lead.objects.count() == 0
    assert LeadSubmission.objects.count() == 0


def test_a_burst_is_refused_with_429_after_the_limit(lead_form, company):
    services.update_crm_settings(company, form_rate_limit=3, form_rate_window_minutes=10)
    client = Client()
    codes = [_post(client, lead_form, {**GOOD, "email": f"p{i}@burst.example"}).status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]
    assert Lead.objects.count() == 3
    assert (
        Client()
        .post(
            f"/crm/forms/{lead_form.key}/", {**GOOD, "email": "other@x.example"}, REMOTE_ADDR="198.51.100.1"
        )
        .status_code
        == 200
    )


def test_json_posts_get_json_answers(lead_form):
    client = Client()
    ok = client.post(
        f"/crm/forms/{lead_form.key}/",
        GOOD | {"consent": True},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.5",
    )
    assert ok.status_code == 201
    assert ok.json()["status"] == "received"
    bad = client.post(
        f"/crm/forms/{lead_form.key}/",
        {"last_name": "X"},
        content_type="application/json",
        REMOTE_ADDR="192.0.2.5",
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"email", "consent"}
    broken = client.post(
        f"/crm/forms/{lead_form.key}/", "[1", content_type="application/json", REMOTE_ADDR="192.0.2.5"
    )
    assert broken.status_code == 400


def test_an_unknown_or_inactive_form_is_404(lead_form):
    services.update_lead_form(lead_form, is_active=False)
    assert Client().get(f"/crm/forms/{lead_form.key}/").status_code == 404
    assert Client().post("/crm/forms/nope/", GOOD).status_code == 404
