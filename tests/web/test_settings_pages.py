"""Settings pages of the foundation: company, users and roles, exchange rates, tokens, audit, import."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from kern.core.models import ApiToken, Company, ExchangeRate, Membership
from kern.core.selectors import roles_of
from kern.parties.models import Party
from tests.builders import a_customer, a_user, a_web_client

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def admin_client(admin):
    return a_web_client(admin)


def test_an_administrator_edits_the_company_and_its_two_factor_roles(company, admin_client):
    page = admin_client.get(f"/settings/companies/{company.pk}/edit/")
    assert page.status_code == 200
    data = {
        "name": "Acme Nederland",
        "legal_name": "Acme Nederland B.V.",
        "kvk_number": "1234",
        "base_currency": "EUR",
        "fiscal_year_start_month": "1",
        "country": "NL",
        "two_factor_roles": ["administrator", "accountant"],
    }
    bad = admin_client.post(f"/settings/companies/{company.pk}/edit/", data)
    assert bad.status_code == 422 and "A KvK number has exactly 8 digits." in bad.content.decode()
    company.refresh_from_db()
    assert company.name == "Acme"
    admin_client.post(f"/settings/companies/{company.pk}/edit/", {**data, "kvk_number": "12345678"})
    company.refresh_from_db()
    assert (company.name, company.kvk_number, company.two_factor_roles) == (
        "Acme Nederland",
        "12345678",
        ["administrator", "accountant"],
    )


def test_a_new_company_makes_its_creator_a_member(admin, admin_client):
    response = admin_client.post(
        "/settings/companies/new/",
        {
            "name": "Dochter",
            "legal_name": "Dochter B.V.",
            "base_currency": "EUR",
            "fiscal_year_start_month": "4",
            "country": "NL",
        },
    )
    created = Company.objects.get(name="Dochter")
    assert response["Location"] == f"/settings/companies/{created.pk}/"
    assert Membership.objects.filter(user=admin, company=created).exists()


def test_users_are_created_given_roles_and_removed_from_the_company(company, admin, admin_client):
    response = admin_client.post(
        "/settings/users/new/",
        {
            "username": "piet",
            "first_name": "Piet",
            "email": "piet@acme.nl",
            "roles": ["sales_rep"],
            "password": "kort",
        },
    )
    assert response.status_code == 422 and not User.objects.filter(username="piet").exists()
    admin_client.post(
        "/settings/users/new/",
        {"username": "piet", "first_name": "Piet", "email": "piet@acme.nl", "roles": ["sales_rep"]},
    )
    piet = User.objects.get(username="piet")
    assert roles_of(piet) == ["sales_rep"] and not piet.has_usable_password()
    assert Membership.objects.filter(user=piet, company=company).exists()
    again = admin_client.post("/settings/users/new/", {"username": "Piet", "roles": ["buyer"]})
    assert again.status_code == 422 and "This username is taken" in again.content.decode()
    admin_client.post(f"/settings/users/{piet.pk}/edit/", {"roles": ["sales_manager", "buyer"]})
    assert roles_of(piet) == ["buyer", "sales_manager"]
    listing = admin_client.get("/settings/users/").content.decode()
    assert "Sales manager, Buyer" in listing or "Buyer, Sales manager" in listing
    admin_client.post(f"/settings/users/{piet.pk}/do/remove/")
    assert not Membership.objects.filter(user=piet, company=company).exists()
    assert admin_client.get(f"/settings/users/{piet.pk}/").status_code == 404
    refused = admin_client.post(f"/settings/users/{admin.pk}/do/remove/", follow=True)
    assert "You cannot remove yourself" in refused.content.decode()
    admin_client.post("/settings/users/add-existing/", {"username": "piet"})
    assert Membership.objects.filter(user=piet, company=company).exists()


def test_only_administrators_manage_users(company):
    controller = a_web_client(a_user(company, "controller"))  # may see who works here (*.view_*)
    assert controller.get("/settings/users/").status_code == 200
    assert controller.get("/settings/users/new/").status_code == 403
    assert controller.get("/settings/users/add-existing/").status_code == 403
    someone = a_user(company, "sales_rep")
    assert "do/remove/" not in controller.get(f"/settings/users/{someone.pk}/").content.decode()
    assert controller.post(f"/settings/users/{someone.pk}/do/remove/").status_code == 403
    assert Membership.objects.filter(user=someone, company=company).exists()


def test_exchange_rates_shared_or_for_the_company(company, other_company, admin_client):
    admin_client.post(
        "/settings/exchange-rates/new/",
        {"currency": "USD", "base": "EUR", "rate_date": "2026-03-01", "rate": "1.0912", "own": "on"},
    )
    rate = ExchangeRate.objects.get(currency="USD", rate_date=dt.date(2026, 3, 1))
    assert (rate.rate, rate.company_id, rate.source) == (Decimal("1.0912000000"), company.pk, "manual")
    bad = admin_client.post(
        "/settings/exchange-rates/new/",
        {"currency": "EUR", "base": "EUR", "rate_date": "2026-03-01", "rate": "1"},
    )
    assert bad.status_code == 422 and "a currency has no rate against itself" in bad.content.decode()
    theirs = a_web_client(a_user(other_company, "accountant"))
    assert theirs.get(f"/settings/exchange-rates/{rate.pk}/").status_code == 404
    assert "1.0912" in admin_client.get("/settings/currencies/USD/").content.decode().replace(",", ".")


def test_a_token_secret_is_shown_once_and_the_token_can_be_revoked(company):
    rep = a_user(company, "sales_rep")
    client = a_web_client(rep)
    shown = client.post("/settings/tokens/new/", {"name": "webshop"})
    token = ApiToken.objects.get(name="webshop")
    secret = shown.context["secret"]
    assert secret.startswith("kern_") and secret in shown.content.decode()
    assert secret not in client.get(f"/settings/tokens/{token.pk}/").content.decode()
    other = a_web_client(a_user(company, "sales_rep"))
    assert other.get(f"/settings/tokens/{token.pk}/").status_code == 404
    client.post(f"/settings/tokens/{token.pk}/do/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_audit_log_lists_the_companys_events_and_verifies_the_chain(company, other_company, admin_client):
    mine = a_customer(company, "Eigen Klant")
    a_customer(other_company, "Vreemde Klant")
    listing = admin_client.get("/settings/audit/", {"q": "Klant"}).content.decode()
    assert "Eigen Klant" in listing and "Vreemde Klant" not in listing
    verified = admin_client.post("/settings/audit/verify/", follow=True)
    assert "The audit log is intact" in verified.content.decode()
    assert mine.pk


def test_the_import_wizard_reports_every_bad_row_then_imports_all_or_nothing(company, admin_client):
    good = "naam;e-mail;klant\nAlfa BV;alfa@example.nl;ja\n"
    bad = good + "Beta BV;geen-mail;ja\n"
    admin_client.post(
        "/settings/import/",
        {"kind": "parties", "file": SimpleUploadedFile("r.csv", bad.encode(), "text/csv")},
    )
    page = admin_client.get("/settings/import/map/")
    assert page.status_code == 200 and page.context["row_count"] == 2
    mapping = {f"map_{i}": target for i, _header, target in page.context["headers"]}
    trial = admin_client.post("/settings/import/map/", {**mapping, "commit": "0"})
    report = trial.context["report"]
    assert (report.ok, [(e.row, e.column) for e in report.errors]) == (False, [(3, "email")])
    refused = admin_client.post("/settings/import/map/", {**mapping, "commit": "1"})
    assert refused.context["report"].committed is False and not Party.objects.exists()
    admin_client.post(
        "/settings/import/",
        {"kind": "parties", "file": SimpleUploadedFile("r.csv", good.encode(), "text/csv")},
    )
    assert admin_client.post("/settings/import/map/", {**mapping, "commit": "0"}).context["report"].ok
    done = admin_client.post("/settings/import/map/", {**mapping, "commit": "1"})
    assert done.status_code == 302
    assert list(Party.objects.values_list("name", "email", "is_customer")) == [
        ("Alfa BV", "alfa@example.nl", True)
    ]
    assert admin_client.get("/settings/import/map/").status_code == 404


def test_an_unreadable_upload_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        "/settings/import/", {"kind": "parties", "file": SimpleUploadedFile("x.xlsx", b"not a workbook")}
    )
    assert response.status_code == 422 and "not a readable XLSX workbook" in response.content.decode()
