"""Settings pages of the foundation: companies, users and roles, currencies and exchange rates,
the audit log, API tokens and the CSV/XLSX import wizard."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from kern.core import audit, imports, selectors, services
from kern.core.exceptions import KernError
from kern.core.models import ApiToken, AuditEvent, Company, Currency, ExchangeRate
from kern.core.roles import ROLES, role_label
from kern.core.ui import (
    Action,
    Column,
    KernForm,
    KernModelForm,
    Resource,
    Tab,
    apply_errors,
    document_url,
)

User = get_user_model()


def _role_choices() -> list[tuple[str, str]]:
    return [(name, str(role.label)) for name, role in ROLES.items()]


# --- companies --------------------------------------------------------------------------------


class CompanyForm(KernModelForm):
    two_factor_roles = forms.MultipleChoiceField(
        label=_("roles that must use two-factor login"),
        choices=_role_choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Company
        fields = [
            "name",
            "legal_name",
            "kvk_number",
            "vat_id",
            "base_currency",
            "fiscal_year_start_month",
            "street",
            "postcode",
            "city",
            "country",
            "iban",
            "bic",
            "email",
            "phone",
            "website",
            "two_factor_roles",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["base_currency"].queryset = Currency.objects.filter(is_active=True)


class CompanyPages(Resource):
    model = Company
    namespace = "core"
    prefix = "companies/"
    list_columns = ["name", "legal_name", "kvk_number", "vat_id", "base_currency", "city"]
    search_fields = ["name", "legal_name", "kvk_number", "vat_id"]
    detail_fields = [
        (
            _("Company"),
            ["name", "legal_name", "kvk_number", "vat_id", "base_currency", "fiscal_year_start_month"],
        ),
        (_("Address and contact"), ["street", "postcode", "city", "country", "email", "phone", "website"]),
        (_("Bank"), ["iban", "bic"]),
        (
            _("Security"),
            [
                Column(
                    "two_factor_roles",
                    label=_("roles that must use two-factor login"),
                    value=lambda c: ", ".join(role_label(r) for r in c.two_factor_roles or []),
                )
            ],
        ),
    ]
    form_class = CompanyForm
    create_service = staticmethod(services.create_company)
    update_service = staticmethod(services.update_company)
    attachments = False

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        return selectors.companies_of(request.user)

    def create(self, request: HttpRequest, data: dict[str, Any], parent: Any = None) -> Any:
        data["base_currency"] = getattr(data.get("base_currency"), "code", data.get("base_currency"))
        return services.create_company(by=request.user, **data)

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Any:
        data["base_currency"] = getattr(data.get("base_currency"), "code", data.get("base_currency"))
        return services.update_company(obj, by=request.user, **data)


# --- users and roles --------------------------------------------------------------------------


class UserCreateForm(KernForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to let the user choose one through 'Forgot your password?'."),
    )
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=_role_choices, widget=forms.CheckboxSelectMultiple
    )

    def clean_username(self) -> str:
        name = self.cleaned_data["username"].strip()
        if User.objects.filter(username__iexact=name).exists():
            raise forms.ValidationError(
                _("This username is taken. To give an existing user access, use 'Add existing user'.")
            )
        return name

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password)
        return password


class UserRolesForm(KernForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=_role_choices, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        if instance is not None and not kwargs.get("data"):
            kwargs["initial"] = {"roles": selectors.roles_of(instance)}
        super().__init__(*args, **kwargs)


def _remove_from_company(user: Any, *, by: Any) -> None:
    from kern.core.context import current

    company = Company.objects.get(pk=current().company_id)
    if user.pk == by.pk:
        raise KernError(gettext("You cannot remove yourself from the company."))
    services.remove_member(company, user)


class UserPages(Resource):
    model = User
    namespace = "core"
    name = "user"
    prefix = "users/"
    title = _("Users")
    list_columns = [
        "username",
        "first_name",
        "last_name",
        "email",
        Column(
            "roles", label=_("Roles"), value=lambda u: ", ".join(role_label(g.name) for g in u.groups.all())
        ),
        "is_active",
        "last_login",
    ]
    search_fields = ["username", "first_name", "last_name", "email"]
    filters = ["is_active"]
    ordering = ["username"]
    detail_fields = [
        "username",
        "first_name",
        "last_name",
        "email",
        Column(
            "roles", label=_("Roles"), value=lambda u: ", ".join(role_label(g.name) for g in u.groups.all())
        ),
        "is_active",
        "last_login",
        "date_joined",
    ]
    comments = False
    attachments = False
    history = False
    edit_form_class = UserRolesForm
    form_class = UserCreateForm
    create_service = staticmethod(services.create_user)
    update_service = staticmethod(services.set_roles)
    actions = [
        Action(
            "remove",
            _("Remove from this company"),
            _remove_from_company,
            style="outline-danger",
            confirm=_("Remove this user's access to the company?"),
            success=_("The user no longer has access to this company."),
        )
    ]

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        company = getattr(request, "company", None)
        if company is None:
            return User.objects.none()
        return User.objects.filter(memberships__company=company).prefetch_related("groups").distinct()

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        if obj is not None:
            return UserRolesForm(data=data, instance=obj)
        return UserCreateForm(data=data)

    def create(self, request: HttpRequest, data: dict[str, Any], parent: Any = None) -> Any:
        return services.create_user(
            data["username"],
            password=data.get("password") or None,
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            last_name=data.get("last_name", ""),
            roles=list(data["roles"]),
            companies=[request.company],
        )

    def update(self, request: HttpRequest, obj: Any, data: dict[str, Any]) -> Any:
        services.set_roles(obj, list(data["roles"]))
        return obj

    def object_title(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class AddMemberForm(KernForm):
    username = forms.CharField(label=_("Username"), max_length=150)

    def clean_username(self) -> Any:
        user = User.objects.filter(
            username__iexact=self.cleaned_data["username"].strip(), is_active=True
        ).first()
        if user is None:
            raise forms.ValidationError(_("There is no active user with this username."))
        return user


@login_required
def add_member(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("auth.change_user") or request.company is None:
        raise DjangoPermissionDenied
    form = AddMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["username"]
        services.add_member(request.company, user)
        messages.success(
            request, gettext("%(name)s now works for this company.") % {"name": user.get_username()}
        )
        return HttpResponseRedirect(reverse("core:user_detail", kwargs={"pk": user.pk}))
    context = {
        "title": gettext("Add an existing user"),
        "form": form,
        "cancel_url": reverse("core:user_list"),
        "warnings": [],
    }
    return render(request, "ui/form.html", context, status=422 if form.errors else 200)


# --- currencies and exchange rates ------------------------------------------------------------


class CurrencyPages(Resource):
    model = Currency
    namespace = "core"
    prefix = "currencies/"
    list_columns = ["code", "name", "symbol", "minor_units", "is_active"]
    default_columns = ["code", "name", "symbol", "minor_units", "is_active"]
    search_fields = ["code", "name"]
    filters = ["is_active"]
    detail_fields = ["code", "numeric_code", "name", "symbol", "minor_units", "is_active"]
    comments = False
    attachments = False
    history = False

    def get_tabs(self, request: HttpRequest) -> list[Tab]:
        return [
            Tab(
                "rates",
                _("Exchange rates"),
                rows=lambda cur, req: (
                    _rates_for(req).filter(Q(currency=cur) | Q(base=cur)).order_by("-rate_date")
                ),
                columns=["rate_date", "base", "currency", "rate", "source"],
                row_url=lambda rate: reverse("core:exchangerate_detail", kwargs={"pk": rate.pk}),
                limit=50,
            )
        ]


def _rates_for(request: HttpRequest) -> QuerySet:
    company = getattr(request, "company", None)
    scope = Q(company__isnull=True) | Q(company=company) if company is not None else Q(company__isnull=True)
    return ExchangeRate.objects.filter(scope).select_related("company")


class ExchangeRateForm(KernForm):
    currency = forms.ModelChoiceField(label=_("currency"), queryset=Currency.objects.filter(is_active=True))
    base = forms.ModelChoiceField(
        label=_("base currency"), queryset=Currency.objects.filter(is_active=True), initial="EUR"
    )
    rate_date = forms.DateField(label=_("valid from"), widget=forms.DateInput)
    rate = forms.DecimalField(label=_("rate"), max_digits=20, decimal_places=10, min_value=0)
    own = forms.BooleanField(
        label=_("Only for this company"),
        required=False,
        help_text=_("A company's own rate overrides the shared rate on the same date."),
    )


class ExchangeRatePages(Resource):
    model = ExchangeRate
    namespace = "core"
    prefix = "exchange-rates/"
    list_columns = [
        "rate_date",
        "base",
        "currency",
        "rate",
        "source",
        Column(
            "scope",
            label=_("For"),
            value=lambda r: r.company.name if r.company_id else gettext("All companies"),
        ),
    ]
    search_fields = ["currency__code", "source"]
    filters = ["currency", "rate_date"]
    ordering = ["-rate_date", "currency"]
    detail_fields = ["rate_date", "base", "currency", "rate", "source", "company"]
    comments = False
    attachments = False
    history = False
    form_class = ExchangeRateForm
    create_service = staticmethod(services.set_exchange_rate)

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        return _rates_for(request)

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        return ExchangeRateForm(data=data)

    def create(self, request: HttpRequest, data: dict[str, Any], parent: Any = None) -> Any:
        return services.set_exchange_rate(
            data["currency"].code,
            data["rate"],
            on=data["rate_date"],
            base=data["base"].code,
            company=request.company if data.get("own") else None,
            source="manual",
        )


# --- audit log --------------------------------------------------------------------------------


class AuditPages(Resource):
    model = AuditEvent
    namespace = "core"
    name = "audit"
    prefix = "audit/"
    title = _("Audit log")
    list_columns = [
        Column("at", label=_("When")),
        Column("user_repr", label=_("Who")),
        Column("interface", label=_("Interface")),
        Column("action", label=_("Action")),
        Column("model", label=_("Kind")),
        Column("object_repr", label=_("Record")),
    ]
    search_fields = ["object_repr", "user_repr", "model", "object_id", "request_id"]
    filters = ["action", "interface", "at"]
    ordering = ["-id"]
    list_template = "core/audit_list.html"
    detail_template = "core/audit_detail.html"
    comments = False
    attachments = False
    history = False
    export = True

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        company = getattr(request, "company", None)
        if company is None:
            return AuditEvent.objects.none()
        return AuditEvent.objects.filter(company_id=company.pk)

    def detail_sections(self, obj: Any) -> list:
        rows = [
            (_("When"), obj.at, ""),
            (_("Who"), obj.user_repr or "—", ""),
            (_("Interface"), obj.interface, ""),
            (_("Action"), obj.action, ""),
            (_("Kind"), obj.model, ""),
            (_("Record"), obj.object_repr or obj.object_id, document_url(obj.model, obj.object_id)),
            (_("Request"), obj.request_id, ""),
            (_("Hash"), obj.hash, ""),
        ]
        from kern.core.ui.columns import display_value

        return [("", [(label, display_value(value), url) for label, value, url in rows])]

    def object_title(self, obj: Any) -> str:
        return f"{obj.model} #{obj.object_id} · {obj.action}"


@require_POST
@login_required
def verify_audit_chain(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_auditevent"):
        raise DjangoPermissionDenied
    ok, bad_id, reason = audit.verify_chain()
    if ok:
        messages.success(request, gettext("The audit log is intact: %(reason)s.") % {"reason": reason})
    else:
        messages.error(
            request,
            gettext("The audit log was tampered with at event %(id)s: %(reason)s.")
            % {"id": bad_id or "—", "reason": reason},
        )
    return HttpResponseRedirect(reverse("core:audit_list"))


# --- API tokens -------------------------------------------------------------------------------


class TokenForm(KernForm):
    name = forms.CharField(
        label=_("name"), max_length=80, help_text=_("What the token is for, e.g. 'webshop'.")
    )
    expires_at = forms.DateTimeField(
        label=_("expires"),
        required=False,
        widget=forms.DateInput,
        help_text=_("Leave empty for no end date."),
    )


class TokenPages(Resource):
    """Everyone manages their own tokens; whoever may change tokens sees the company's."""

    model = ApiToken
    namespace = "core"
    name = "token"
    prefix = "tokens/"
    list_columns = [
        "name",
        "prefix",
        Column("user", label=_("user")),
        "created_at",
        "expires_at",
        "last_used_at",
        Column("active", label=_("active"), value=lambda t: t.is_active),
    ]
    search_fields = ["name", "prefix"]
    detail_fields = ["name", "prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    comments = False
    attachments = False
    form_class = TokenForm
    create_service = staticmethod(services.issue_api_token)
    actions = [
        Action(
            "revoke",
            _("Revoke"),
            lambda token, by: services.revoke_api_token(token, by=by),
            style="danger",
            confirm=_("Revoke this token? Programs using it stop working at once."),
            condition=lambda token: token.revoked_at is None,
            success=_("The token was revoked."),
        )
    ]

    def can(self, user: Any, action: str) -> bool:
        return user.is_authenticated and action in {"view", "add", "change"}

    def action_perm(self) -> str | None:
        return None  # revoke_api_token itself allows the owner, or whoever may change tokens

    def base_queryset(self, request: HttpRequest) -> QuerySet:
        company = getattr(request, "company", None)
        if company is None:
            return ApiToken.objects.none()
        qs = ApiToken.objects.filter(company=company).select_related("user")
        if not request.user.has_perm("core.change_apitoken"):
            qs = qs.filter(user=request.user)
        return qs

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        return TokenForm(data=data)


@login_required
def token_create(request: HttpRequest) -> HttpResponse:
    """Create a token and show its secret once; it is never stored, only its hash."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and request.company is not None:
        try:
            token, secret = services.issue_api_token(
                request.user,
                request.company,
                name=form.cleaned_data["name"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except KernError as exc:
            apply_errors(form, exc)
        else:
            return render(request, "core/token_secret.html", {"token": token, "secret": secret})
    context = {
        "title": gettext("New API token"),
        "form": form,
        "cancel_url": reverse("core:token_list"),
        "warnings": [],
    }
    return render(request, "ui/form.html", context, status=422 if form.errors else 200)


# --- the import wizard --------------------------------------------------------------------------

IMPORT_SESSION = "kern_import"


def _import_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _allowed_importers(user: Any) -> dict[str, imports.Importer]:
    return {k: i for k, i in imports.importers().items() if not i.permission or user.has_perm(i.permission)}


class ImportUploadForm(KernForm):
    kind = forms.ChoiceField(label=_("What to import"))
    file = forms.FileField(label=_("File (CSV or XLSX)"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = choices


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    """Step 1: choose what to import and upload the file."""
    allowed = _allowed_importers(request.user)
    if not allowed or request.company is None:
        raise DjangoPermissionDenied
    choices = [(k, gettext(i.label)) for k, i in sorted(allowed.items())]
    form = ImportUploadForm(request.POST or None, request.FILES or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            imports.read_table(data, filename=upload.name)  # refuse an unreadable file now
        except KernError as exc:
            form.add_error("file", exc.message)
        else:
            token = uuid.uuid4().hex
            (_import_dir() / token).write_bytes(data)
            request.session[IMPORT_SESSION] = {
                "token": token,
                "kind": form.cleaned_data["kind"],
                "filename": upload.name[:200],
                "company": request.company.pk,
            }
            return HttpResponseRedirect(reverse("core:import_map"))
    return render(
        request,
        "core/import_start.html",
        {"form": form, "importers": [allowed[k] for k in sorted(allowed)]},
        status=422 if form.errors else 200,
    )


def _pending(request: HttpRequest) -> tuple[dict[str, Any], imports.Importer, bytes]:
    state = request.session.get(IMPORT_SESSION)
    if not state or request.company is None or state.get("company") != request.company.pk:
        raise Http404
    importer = _allowed_importers(request.user).get(state["kind"])
    path = _import_dir() / state["token"]
    if importer is None or not path.exists():
        raise Http404
    return state, importer, path.read_bytes()


@login_required
def import_map(request: HttpRequest) -> HttpResponse:
    """Step 2: map the file's columns, then run a dry run (or, once clean, commit)."""
    state, importer, data = _pending(request)
    headers, rows = imports.read_table(data, filename=state["filename"])
    guessed = imports.resolve_mapping(importer, headers, None)
    mapping = {h: request.POST.get(f"map_{i}", guessed.get(h, "")) for i, h in enumerate(headers)}
    mapping = {h: t for h, t in mapping.items() if t}
    report = None
    if request.method == "POST":
        commit = request.POST.get("commit") == "1"
        try:
            report = imports.run_import(
                importer,
                request.company,
                data,
                filename=state["filename"],
                mapping=mapping,
                dry_run=not commit,
                by=request.user,
            )
        except KernError as exc:
            messages.error(request, exc.message)
        else:
            if report.committed:
                (_import_dir() / state["token"]).unlink(missing_ok=True)
                request.session.pop(IMPORT_SESSION, None)
                messages.success(
                    request, gettext("%(count)s rows were imported.") % {"count": report.created}
                )
                return HttpResponseRedirect(reverse("core:import_start"))
    context = {
        "importer": importer,
        "importer_label": gettext(importer.label),
        "filename": state["filename"],
        "headers": [(i, h, mapping.get(h, "")) for i, h in enumerate(headers)],
        "columns": importer.columns,
        "row_count": len(rows),
        "preview": rows[:5],
        "report": report,
    }
    return render(request, "core/import_map.html", context)


# --- registration -------------------------------------------------------------------------------

COMPANIES = CompanyPages()
USERS = UserPages()
CURRENCIES = CurrencyPages()
RATES = ExchangeRatePages()
AUDIT = AuditPages()
TOKENS = TokenPages()


def register_ui() -> None:
    """Settings menu entries and the foundation's dashboard cards (called from CoreConfig.ready)."""
    from kern.core.ui import Widget, register_nav, register_widget

    settings_entries = [
        (_("Companies"), "core:company_list", "core.view_company", 10),
        (_("Users and roles"), "core:user_list", "auth.view_user", 20),
        (_("Currencies"), "core:currency_list", "core.view_currency", 30),
        (_("Exchange rates"), "core:exchangerate_list", "core.view_exchangerate", 40),
        (_("Import"), "core:import_start", None, 60),
        (_("Audit log"), "core:audit_list", "core.view_auditevent", 70),
        (_("API tokens"), "core:token_list", None, 80),
    ]
    for label, url_name, perm, order in settings_entries:
        register_nav("settings", label, url_name, permission=perm, order=order)
    register_nav(
        "accounting",
        _("Exchange rates"),
        "core:exchangerate_list",
        permission="core.view_exchangerate",
        order=90,
    )
    register_nav("accounting", _("Audit log"), "core:audit_list", permission="core.view_auditevent", order=95)

    def latest_rates(request: HttpRequest) -> dict[str, Any]:
        rows = _rates_for(request).order_by("currency_id", "-rate_date").distinct()
        latest: dict[str, ExchangeRate] = {}
        for rate in rows[:200]:
            latest.setdefault(rate.currency_id, rate)
        return {"rates": list(latest.values())[:8]}

    def recent_changes(request: HttpRequest) -> dict[str, Any]:
        return {"events": list(AUDIT.base_queryset(request).order_by("-id")[:8])}

    register_widget(
        Widget(
            "core.rates",
            _("Latest exchange rates"),
            "core/widget_rates.html",
            latest_rates,
            permission="core.view_exchangerate",
            roles=("accountant", "controller", "administrator"),
            order=50,
            width=4,
        )
    )
    register_widget(
        Widget(
            "core.audit",
            _("Recent changes"),
            "core/widget_audit.html",
            recent_changes,
            permission="core.view_auditevent",
            order=90,
        )
    )


# The importers' labels are plain strings of their apps; these markers put them in the catalogue.
_IMPORTER_LABELS = [
    _("Parties (customers, vendors)"),
    _("Contact persons"),
    _("Products"),
]
