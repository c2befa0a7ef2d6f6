"""Accounts and security: two-factor login, throttling, password reset, error pages, CSP."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import include, path
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from kern.core.services import update_company
from tests.builders import a_user, a_web_client

pytestmark = pytest.mark.django_db

PASSWORD = "x-secret-pw-1"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post("/login/", {"username": username, "password": password})


def test_a_sales_rep_logs_straight_in(company):
    user = a_user(company, "sales_rep")
    client = Client()
    response = _login(client, user.username)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/parties/").status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)  # the wrong code first would otherwise delay the right one
def test_an_administrator_enrols_two_factor_before_reaching_any_page(company):
    user = a_user(company, "administrator")
    client = Client()
    _login(client, user.username)
    blocked = client.get("/parties/")
    assert blocked.status_code == 302 and blocked["Location"] == "/account/two-factor/?next=%2Fparties%2F"
    assert client.get("/api/v1/parties").status_code == 403
    enrol = client.get("/account/two-factor/?next=/parties/")
    html = enrol.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html and 'id="nav-areas"' not in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/account/two-factor/", {"token": "000000", "next": "/parties/"})
    assert wrong.status_code == 422 and "that code is not right" in wrong.content.decode()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    done = client.post("/account/two-factor/", {"token": code, "next": "/parties/"})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert done.status_code == 200 and len(codes) == 10
    assert client.get("/parties/").status_code == 200
    # The next login asks for a code; a backup code works once.
    client.post("/logout/")
    second = Client()
    _login(second, user.username)
    assert second.get("/").status_code == 302
    assert second.post("/account/two-factor/", {"token": codes[0], "next": "/"}).status_code == 302
    assert second.get("/").status_code == 200
    third = Client()
    _login(third, user.username)
    assert third.post("/account/two-factor/", {"token": codes[0]}).status_code == 422


def test_the_company_decides_which_roles_need_two_factor(company):
    update_company(company, two_factor_roles=["sales_rep"])
    rep, admin = a_user(company, "sales_rep"), a_user(company, "administrator")
    rep_client, admin_client = Client(), Client()
    _login(rep_client, rep.username)
    _login(admin_client, admin.username)
    assert rep_client.get("/").status_code == 302
    assert admin_client.get("/").status_code == 200


def test_two_factor_cannot_be_switched_off_when_the_role_requires_it(company):
    user = a_user(company, "accountant")
    client = a_web_client(user)
    response = client.post("/account/two-factor/disable/", follow=True)
    assert "cannot be switched off" in response.content.decode()


@override_settings(AXES_ENABLED=True)
def test_login_is_throttled_after_five_failures(company):
    user = a_user(company, "sales_rep")
    client = Client()
    for _ in range(4):
        assert _login(client, user.username, "wrong-password").status_code == 200
    assert _login(client, user.username, "wrong-password").status_code == 429
    locked = _login(client, user.username)  # even the right password
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_e_mail(company):
    user = a_user(company, "sales_rep")
    client = Client()
    assert client.post("/password-reset/", {"email": user.email}).status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [user.email]
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    short = client.post(set_url, {"new_password1": "kort", "new_password2": "kort"})
    assert short.status_code == 200 and 'aria-invalid="true"' in short.content.decode()
    done = client.post(
        set_url, {"new_password1": "een-nieuw-wachtwoord-9", "new_password2": "een-nieuw-wachtwoord-9"}
    )
    assert done.status_code == 302
    assert _login(Client(), user.username, "een-nieuw-wachtwoord-9").status_code == 302
    assert client.post("/password-reset/", {"email": "nobody@example.test"}).status_code == 302
    assert len(mail.outbox) == 1


def test_pages_carry_a_strict_content_security_policy(company):
    response = a_web_client(a_user(company, "sales_rep")).get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
    assert "<style" not in html and ' style="' not in html
    assert response["X-Frame-Options"] == "DENY"


def _boom(request):
    raise RuntimeError("secret detail")


urlpatterns = [path("boom/", _boom), path("", include("kern.urls"))]
handler403 = "kern.web.views.permission_denied"
handler404 = "kern.web.views.page_not_found"
handler500 = "kern.web.views.server_error"


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_error_pages_are_friendly_and_never_a_traceback(company):
    client = a_web_client(a_user(company, "hr"))
    client.raise_request_exception = False
    missing = client.get("/parties/999999/")
    assert missing.status_code == 404 and "This page does not exist" in missing.content.decode()
    forbidden = client.get("/catalog/products/")
    assert forbidden.status_code == 403 and "You do not have access" in forbidden.content.decode()
    broken = client.get("/boom/")
    html = broken.content.decode()
    assert broken.status_code == 500 and "Something went wrong" in html
    assert "secret detail" not in html and "Traceback" not in html
    client.cookies["django_language"] = "nl"
    assert "Niet gevonden" in client.get("/nergens/").content.decode()


def test_a_forged_form_post_gets_the_friendly_403(company):
    client = Client(enforce_csrf_checks=True)
    client.force_login(a_user(company, "sales_rep"))
    response = client.post("/parties/new/", {"name": "x"})
    assert response.status_code == 403 and "The form had expired" in response.content.decode()
