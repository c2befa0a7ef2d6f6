"""Core API: my companies, currencies, exchange rates and my API tokens."""

import datetime as dt
import json
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from kern.core import imports, selectors, services
from kern.core.apikit import KernCursorPagination, principal, require_perm
from kern.core.exceptions import NotFound, ValidationFailed
from kern.core.models import ApiToken, Company, Currency, ExchangeRate

router = Router(tags=["core"])


class CompanyOut(Schema):
    id: int
    name: str
    legal_name: str
    kvk_number: str
    vat_id: str
    base_currency: str = Field(alias="base_currency_id")
    fiscal_year_start_month: int
    street: str
    postcode: str
    city: str
    country: str
    iban: str

    @staticmethod
    def resolve_country(obj: Company) -> str:
        return str(obj.country)


class CurrencyOut(Schema):
    code: str
    name: str
    minor_units: int
    is_active: bool


class RateIn(Schema):
    currency: str = Field(min_length=3, max_length=3)
    rate: Decimal = Field(gt=0, max_digits=20, decimal_places=10)
    rate_date: dt.date
    base: str = Field("EUR", min_length=3, max_length=3)


class RateOut(Schema):
    id: int
    base: str = Field(alias="base_id")
    currency: str = Field(alias="currency_id")
    rate_date: dt.date
    rate: Decimal
    company_specific: bool

    @staticmethod
    def resolve_company_specific(obj: ExchangeRate) -> bool:
        return obj.company_id is not None


class RateLookupOut(Schema):
    from_currency: str
    to_currency: str
    on: dt.date
    rate: Decimal


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    expires_at: dt.datetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    company_id: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenCreatedOut(TokenOut):
    secret: str


@router.get("/companies", response=list[CompanyOut])
def list_my_companies(request: HttpRequest):
    return selectors.companies_of(principal(request).user)


@router.get("/companies/current", response=CompanyOut)
def current_company(request: HttpRequest):
    return principal(request).company


@router.get("/currencies", response=list[CurrencyOut], auth=None)
def list_currencies(request: HttpRequest, active: bool = True):
    return Currency.objects.filter(is_active=True) if active else Currency.objects.all()


@router.get("/exchange-rates", response=list[RateOut])
@paginate(KernCursorPagination)
def list_exchange_rates(request: HttpRequest, currency: str | None = None):
    company = principal(request).company
    qs = ExchangeRate.objects.filter(company__isnull=True) | ExchangeRate.objects.filter(company=company)
    if currency:
        qs = qs.filter(currency_id=currency.upper())
    return qs


@router.post("/exchange-rates", response={201: RateOut})
def create_exchange_rate(request: HttpRequest, payload: RateIn):
    who = require_perm(request, "core.add_exchangerate")
    rate = services.set_exchange_rate(
        payload.currency,
        payload.rate,
        on=payload.rate_date,
        base=payload.base,
        company=who.company,
        source="api",
    )
    return Status(201, rate)


@router.get("/exchange-rates/lookup", response=RateLookupOut)
def lookup_exchange_rate(request: HttpRequest, from_currency: str, to_currency: str, on: dt.date):
    rate = selectors.rate_on(
        from_currency.upper(), to_currency.upper(), on, company=principal(request).company
    )
    return {
        "from_currency": from_currency.upper(),
        "to_currency": to_currency.upper(),
        "on": on,
        "rate": rate,
    }


@router.get("/tokens", response=list[TokenOut])
def list_my_tokens(request: HttpRequest):
    who = principal(request)
    return ApiToken.objects.filter(user=who.user, company=who.company)


@router.post("/tokens", response={201: TokenCreatedOut})
def create_token(request: HttpRequest, payload: TokenIn):
    who = principal(request)
    token, secret = services.issue_api_token(
        who.user, who.company, name=payload.name, expires_at=payload.expires_at
    )
    out = TokenOut.from_orm(token).dict()
    return Status(201, {**out, "secret": secret})


@router.post("/tokens/{token_id}/revoke", response=TokenOut)
def revoke_token(request: HttpRequest, token_id: int):
    who = principal(request)
    token = ApiToken.objects.filter(pk=token_id, user=who.user, company=who.company).first()
    if token is None:
        raise NotFound("token not found")
    return services.revoke_api_token(token, by=who.user)


class ImportErrorOut(Schema):
    row: int
    column: str
    message: str


class ImportReportOut(Schema):
    kind: str
    dry_run: bool
    total_rows: int
    valid_rows: int
    created: int
    committed: bool
    mapping: dict[str, str]
    errors: list[ImportErrorOut]


class ImporterOut(Schema):
    kind: str
    label: str
    columns: list[dict]


@router.get("/imports", response=list[ImporterOut])
def list_importers(request: HttpRequest):
    return [
        {
            "kind": imp.kind,
            "label": imp.label,
            "columns": [{"name": c.name, "label": c.label, "required": c.required} for c in imp.columns],
        }
        for imp in imports.importers().values()
    ]


@router.post("/imports/{kind}", response={200: ImportReportOut, 201: ImportReportOut, 422: ImportReportOut})
def run_import(
    request: HttpRequest,
    kind: str,
    file: UploadedFile = File(...),
    dry_run: bool = Form(True),
    mapping: str = Form("{}", description='JSON object: {"file column": "field"}'),
):
    """Upload a CSV or XLSX file. A dry run reports every bad row; a commit is all-or-nothing."""
    importer = imports.get_importer(kind)
    who = require_perm(request, importer.permission) if importer.permission else principal(request)
    try:
        column_map = json.loads(mapping or "{}")
    except json.JSONDecodeError:
        raise ValidationFailed.on("mapping", gettext("mapping must be a JSON object")) from None
    if not isinstance(column_map, dict) or not all(isinstance(v, str) for v in column_map.values()):
        raise ValidationFailed.on("mapping", gettext("mapping must be a JSON object of column names"))
    if file.size and file.size > 20 * 1024 * 1024:
        raise ValidationFailed.on("file", gettext("the file is larger than 20 MB"))
    report = imports.run_import(
        importer,
        who.company,
        file.read(),
        filename=file.name or "",
        mapping=column_map,
        dry_run=dry_run,
        by=who.user,
    )
    status = 422 if report.errors else (200 if dry_run else 201)
    return Status(status, report.as_dict())
