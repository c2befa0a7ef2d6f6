"""The shell's pages: home dashboard, area menus, global search, company switch, account, 2FA."""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kern.core.exceptions import KernError, NotFound
from kern.core.roles import role_label
from kern.core.selectors import companies_of, roles_of
from kern.core.ui import (
    AREAS,
    KernForm,
    apply_errors,
    choose_company,
    nav_for,
    search,
    style_form,
    widgets_for,
)
from kern.web import services
from kern.web.selectors import has_two_factor, two_factor_required

log = logging.getLogger("kern.web")


def _next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


@login_required
def home(request: HttpRequest) -> HttpResponse:
    rendered = []
    for widget in widgets_for(request.user):
        try:
            content = render_to_string(widget.template, widget.context(request), request=request)
        except Exception:  # one broken card must not take the home page down
            log.exception("dashboard widget %s failed", widget.key)
            content = None
        rendered.append((widget, content))
    return render(request, "web/home.html", {"widgets": rendered})


@login_required
def area(request: HttpRequest, key: str) -> HttpResponse:
    """The menu of one area as a page: the navigation without JavaScript."""
    if key not in AREAS:
        raise Http404
    entries = next((item["entries"] for item in nav_for(request.user) if item["area"].key == key), [])
    return render(request, "web/area.html", {"area": AREAS[key], "entries": entries})


@login_required
def global_search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    partial = bool(request.htmx) and request.htmx.target == "global-search-results"
    results = search(request, q, limit=5 if partial else 25)
    template = "web/_search_results.html" if partial else "web/search.html"
    return render(request, template, {"q": q, "results": results, "global_q": q})


@login_required
def companies(request: HttpRequest) -> HttpResponse:
    return render(request, "web/companies.html", {"companies": list(companies_of(request.user))})


@require_POST
@login_required
def switch_company(request: HttpRequest) -> HttpResponse:
    try:
        chosen = choose_company(request, request.POST.get("company"))
    except NotFound:
        raise Http404 from None
    messages.success(request, gettext("You now work in %(company)s.") % {"company": chosen.name})
    # Another company's record would be a 404: land on the home page of the new company.
    return HttpResponseRedirect(reverse("web:home"))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    context = {
        "roles": [role_label(r) for r in roles_of(request.user)],
        "companies": list(companies_of(request.user)),
        "two_factor_on": has_two_factor(request.user),
        "two_factor_required": two_factor_required(request.user),
    }
    return render(request, "web/account.html", context)


class KernPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_form(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_form(self)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = KernPasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, gettext("Your password was changed."))
        return HttpResponseRedirect(reverse("web:account"))
    status = 422 if form.errors else 200
    return render(request, "web/password_change.html", {"form": form}, status=status)


# --- two-factor -------------------------------------------------------------------------------


class TokenForm(KernForm):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code), or verify a code for this session."""
    user = request.user
    next_url = _next(request, reverse("web:home"))
    form = TokenForm(request.POST or None)
    if has_two_factor(user) and not user.is_verified():
        if request.method == "POST" and form.is_valid():
            device = django_otp.match_token(user, "".join(form.cleaned_data["token"].split()))
            if device is not None:
                django_otp.login(request, device)
                return HttpResponseRedirect(next_url)
            form.add_error("token", gettext("That code is not right. Try again, or use a backup code."))
        return render(
            request,
            "web/two_factor_verify.html",
            {"form": form, "next": next_url},
            status=422 if form.errors else 200,
        )
    if has_two_factor(user):
        return render(
            request,
            "web/two_factor_status.html",
            {"required": two_factor_required(user)},
        )
    device = services.pending_totp(user)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.confirm_totp(user, form.cleaned_data["token"])
        except KernError as exc:
            apply_errors(form, exc)
        else:
            django_otp.login(request, device)
            codes = services.new_backup_codes(user)
            messages.success(request, gettext("Two-factor login is on."))
            return render(request, "web/two_factor_codes.html", {"codes": codes, "next": next_url})
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    context = {
        "form": form,
        "qr": _qr_data_uri(device.config_url),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "next": next_url,
        "required": two_factor_required(user),
    }
    return render(request, "web/two_factor_enrol.html", context, status=422 if form.errors else 200)


@require_POST
@login_required
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return HttpResponseRedirect(reverse("web:two_factor"))
    codes = services.new_backup_codes(request.user)
    return render(request, "web/two_factor_codes.html", {"codes": codes, "next": reverse("web:account")})


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    if two_factor_required(request.user):
        messages.error(request, gettext("Your role requires two-factor login; it cannot be switched off."))
    elif request.user.is_verified() or not has_two_factor(request.user):
        services.disable_two_factor(request.user)
        messages.success(request, gettext("Two-factor login is off."))
    return HttpResponseRedirect(reverse("web:account"))


# --- accounts: login and password reset with Kern's templates -----------------------------------


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class: Any = None) -> Any:
        return style_form(super().get_form(form_class))


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def get_success_url(self) -> str:
        return reverse("web:password_reset_done")

    def get_form(self, form_class: Any = None) -> Any:
        return style_form(super().get_form(form_class))


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"

    def get_success_url(self) -> str:
        return reverse("web:password_reset_complete")

    def get_form(self, form_class: Any = None) -> Any:
        return style_form(super().get_form(form_class))


# --- error pages: friendly, translated, never a traceback ---------------------------------------


def _error(request: HttpRequest, status: int, title: Any, text: Any) -> HttpResponse:
    if request.path.startswith("/api/"):
        from kern.core.apiproblem import problem_response

        return problem_response(status, str(text))
    return render(request, "web/error.html", {"status": status, "title": title, "text": text}, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Forbidden"), _("You do not have access to this page."))


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Not found"), _("This page does not exist, or it is not yours to see."))


def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, _("Something went wrong"), _("The error has been logged. Please try again."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(
        request, 403, _("Forbidden"), _("The form had expired. Go back, reload the page and try again.")
    )
