"""CRM API: leads, opportunities and the pipeline, activities, targets, configuration."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from kern.core.apikit import KernCursorPagination, require_perm, scoped
from kern.crm import selectors, services
from kern.crm.models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    AssignmentRule,
    EngagementKind,
    Industry,
    Lead,
    LeadForm,
    LeadSource,
    LeadStatus,
    LostReason,
    Opportunity,
    OpportunityStatus,
    PipelineStage,
    SalesTarget,
    ScoringCriterion,
    ScoringRule,
    TargetPeriod,
    Visibility,
)

router = Router(tags=["crm"])

Money = Decimal
IndustryCode = Literal[tuple(Industry.values)]  # type: ignore[valid-type]
SourceCode = Literal[tuple(LeadSource.values)]  # type: ignore[valid-type]


def _visible_leads(request: HttpRequest):
    who = request.auth
    return selectors.visible_leads(who.user, who.company)


def _visible_opportunities(request: HttpRequest):
    who = request.auth
    return selectors.visible_opportunities(who.user, who.company)


def _lead(request: HttpRequest, lead_id: int) -> Lead:
    return scoped(_visible_leads(request), request, lead_id)


def _opportunity(request: HttpRequest, opportunity_id: int) -> Opportunity:
    return scoped(_visible_opportunities(request).select_related("party", "stage"), request, opportunity_id)


# --- leads ---------------------------------------------------------------------------------------


class LeadIn(Schema):
    title: str = Field("", max_length=200)
    source: SourceCode = "api"
    organisation: str = Field("", max_length=200)
    first_name: str = Field("", max_length=80)
    last_name: str = Field("", max_length=120)
    job_title: str = Field("", max_length=120)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=40)
    website: str = Field("", max_length=200)
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=16)
    city: str = Field("", max_length=100)
    country: str = Field("", max_length=2)
    industry: IndustryCode | Literal[""] = ""
    employees: int | None = Field(None, ge=0, le=10_000_000)
    expected_revenue: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    description: str = Field("", max_length=10_000)
    consent: bool = False
    owner_id: int | None = None
    team_id: int | None = None


class LeadPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    source: SourceCode | None = None
    organisation: str | None = Field(None, max_length=200)
    first_name: str | None = Field(None, max_length=80)
    last_name: str | None = Field(None, max_length=120)
    job_title: str | None = Field(None, max_length=120)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    website: str | None = Field(None, max_length=200)
    street: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, max_length=16)
    city: str | None = Field(None, max_length=100)
    country: str | None = Field(None, max_length=2)
    industry: IndustryCode | Literal[""] | None = None
    employees: int | None = Field(None, ge=0, le=10_000_000)
    expected_revenue: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    description: str | None = Field(None, max_length=10_000)
    consent: bool | None = None


class ScoreReasonOut(Schema):
    rule_id: int | None = None
    rule: str
    points: int
    detail: str = ""


class LeadOut(Schema):
    id: int
    number: str
    title: str
    status: str
    source: str
    organisation: str
    first_name: str
    last_name: str
    job_title: str
    email: str
    phone: str
    website: str
    street: str
    postcode: str
    city: str
    country: str
    industry: str
    employees: int | None
    expected_revenue: Decimal
    description: str
    owner_id: int | None
    team_id: int | None = None
    score: int
    score_reasons: list[ScoreReasonOut]
    consent: bool
    consent_at: dt.datetime | None
    disqualify_reason: str
    party_id: int | None
    contact_id: int | None
    opportunity_id: int | None
    converted_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_country(obj: Lead) -> str:
        return str(obj.country or "")

    @staticmethod
    def resolve_opportunity_id(obj: Lead) -> int | None:
        opp = getattr(obj, "opportunity", None)
        return opp.pk if opp is not None else None


class DuplicateOut(Schema):
    kind: str
    id: int
    number: str
    name: str
    reason: str


class LeadCreatedOut(LeadOut):
    likely_duplicates: list[DuplicateOut]


def _leads_with_opportunity(qs):
    return qs.select_related("opportunity")


@router.get("/crm/leads", response=list[LeadOut])
@paginate(KernCursorPagination)
def list_leads(
    request: HttpRequest,
    q: str | None = None,
    status: Literal[tuple(LeadStatus.values)] | None = None,  # type: ignore[valid-type]
    source: SourceCode | None = None,
    owner_id: int | None = None,
    min_score: int | None = None,
):
    require_perm(request, "crm.view_lead")
    qs = _leads_with_opportunity(_visible_leads(request))
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(organisation__icontains=q)
            | Q(last_name__icontains=q)
            | Q(email__icontains=q)
            | Q(number__iexact=q)
        )
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if min_score is not None:
        qs = qs.filter(score__gte=min_score)
    return qs


@router.post("/crm/leads", response={201: LeadCreatedOut})
def create_lead(request: HttpRequest, payload: LeadIn):
    """Create a lead; it is scored and, without an owner, assigned by the assignment rules. The
    answer lists likely duplicates among parties and leads."""
    who = require_perm(request, "crm.add_lead")
    data = payload.dict(exclude={"owner_id", "team_id"})
    lead = services.create_lead(
        who.company, by=who.user, owner=payload.owner_id, team=payload.team_id, **data
    )
    lead.likely_duplicates = selectors.lead_duplicates(
        who.company, email=lead.email, organisation=lead.organisation, exclude=lead.pk
    )
    return Status(201, lead)


@router.get("/crm/leads/{lead_id}", response=LeadOut)
def get_lead(request: HttpRequest, lead_id: int):
    require_perm(request, "crm.view_lead")
    return scoped(_leads_with_opportunity(_visible_leads(request)), request, lead_id)


@router.patch("/crm/leads/{lead_id}", response=LeadOut)
def update_lead(request: HttpRequest, lead_id: int, payload: LeadPatch):
    who = require_perm(request, "crm.change_lead")
    lead = _lead(request, lead_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "employees"}
    return services.update_lead(lead, by=who.user, **changes)


@router.get("/crm/leads/{lead_id}/duplicates", response=list[DuplicateOut])
def lead_duplicates(request: HttpRequest, lead_id: int):
    who = require_perm(request, "crm.view_lead")
    lead = _lead(request, lead_id)
    return selectors.lead_duplicates(
        who.company, email=lead.email, organisation=lead.organisation, exclude=lead.pk
    )


class ScoreChangeOut(Schema):
    at: dt.datetime
    old_score: int
    new_score: int
    trigger: str
    reasons: list[ScoreReasonOut]


@router.get("/crm/leads/{lead_id}/score-history", response=list[ScoreChangeOut])
def lead_score_history(request: HttpRequest, lead_id: int):
    require_perm(request, "crm.view_lead")
    return list(_lead(request, lead_id).score_changes.order_by("-at", "-id")[:200])


class EngagementIn(Schema):
    kind: Literal[tuple(EngagementKind.values)]  # type: ignore[valid-type]
    at: dt.datetime | None = None
    detail: str = Field("", max_length=200)
    source_type: str = Field("", max_length=60)
    source_id: str = Field("", max_length=64)


class EngagementOut(Schema):
    id: int
    kind: str
    at: dt.datetime
    detail: str


@router.post("/crm/leads/{lead_id}/engagements", response={201: EngagementOut})
def record_engagement(request: HttpRequest, lead_id: int, payload: EngagementIn):
    """Record behaviour of the lead (an opened e-mail, a visit): the score follows."""
    who = require_perm(request, "crm.change_lead")
    lead = _lead(request, lead_id)
    return Status(201, services.record_engagement(lead, by=who.user, **payload.dict()))


class DisqualifyIn(Schema):
    reason: str = Field("", max_length=200)


@router.post("/crm/leads/{lead_id}/contacted", response=LeadOut)
def lead_contacted(request: HttpRequest, lead_id: int):
    who = require_perm(request, "crm.change_lead")
    return services.mark_lead_contacted(_lead(request, lead_id), by=who.user)


@router.post("/crm/leads/{lead_id}/disqualify", response=LeadOut)
def disqualify_lead(request: HttpRequest, lead_id: int, payload: DisqualifyIn):
    who = require_perm(request, "crm.change_lead")
    return services.disqualify_lead(_lead(request, lead_id), by=who.user, reason=payload.reason)


@router.post("/crm/leads/{lead_id}/reopen", response=LeadOut)
def reopen_lead(request: HttpRequest, lead_id: int):
    who = require_perm(request, "crm.change_lead")
    return services.reopen_lead(_lead(request, lead_id), by=who.user)


class AssignIn(Schema):
    owner_id: int | None = None
    team_id: int | None = None


@router.post("/crm/leads/{lead_id}/assign", response=LeadOut)
def assign_lead(request: HttpRequest, lead_id: int, payload: AssignIn):
    """Give the lead to a rep and/or team; with neither, run the assignment rules again."""
    who = require_perm(request, "crm.change_lead")
    lead = _lead(request, lead_id)
    services.assign_lead(lead, owner=payload.owner_id, team=payload.team_id, by=who.user)
    return scoped(_leads_with_opportunity(Lead.objects.all()), request, lead_id)


class ConvertIn(Schema):
    party_id: int | None = None
    create_opportunity: bool = True
    opportunity_name: str = Field("", max_length=200)
    expected_revenue: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    expected_close_date: dt.date | None = None
    stage_id: int | None = None
    owner_id: int | None = None


class ConversionOut(Schema):
    lead_id: int
    party_id: int
    contact_id: int | None
    opportunity_id: int | None
    opportunity_number: str | None


@router.post("/crm/leads/{lead_id}/convert", response={201: ConversionOut})
def convert_lead(request: HttpRequest, lead_id: int, payload: ConvertIn):
    """Qualify the lead into a party (new, or `party_id`), a contact and an opportunity. A lead
    that was converted before answers 409 naming its opportunity."""
    who = require_perm(request, "crm.change_lead")
    lead = _lead(request, lead_id)
    result = services.convert_lead(
        lead,
        by=who.user,
        party=payload.party_id,
        create_opportunity=payload.create_opportunity,
        opportunity_name=payload.opportunity_name,
        expected_revenue=payload.expected_revenue,
        expected_close_date=payload.expected_close_date,
        stage=payload.stage_id,
        owner=payload.owner_id,
    )
    return Status(
        201,
        {
            "lead_id": result.lead.pk,
            "party_id": result.party.pk,
            "contact_id": result.contact.pk if result.contact else None,
            "opportunity_id": result.opportunity.pk if result.opportunity else None,
            "opportunity_number": result.opportunity.number if result.opportunity else None,
        },
    )


# --- lead forms ------------------------------------------------------------------------------


class LeadFormIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    title: str = Field("", max_length=200)
    consent_text: str = Field("", max_length=2000)
    thanks_message: str = Field("", max_length=300)
    ask_company: bool = True
    ask_phone: bool = True
    ask_message: bool = True
    owner_id: int | None = None
    is_active: bool = True


class LeadFormPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    title: str | None = Field(None, max_length=200)
    consent_text: str | None = Field(None, min_length=1, max_length=2000)
    thanks_message: str | None = Field(None, min_length=1, max_length=300)
    ask_company: bool | None = None
    ask_phone: bool | None = None
    ask_message: bool | None = None
    owner_id: int | None = None
    is_active: bool | None = None


class LeadFormOut(Schema):
    id: int
    name: str
    key: str
    title: str
    consent_text: str
    thanks_message: str
    ask_company: bool
    ask_phone: bool
    ask_message: bool
    owner_id: int | None
    is_active: bool
    url: str

    @staticmethod
    def resolve_url(obj: LeadForm) -> str:
        from django.urls import reverse

        return reverse("crm:public_form", kwargs={"key": obj.key})


def _form_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None or k == "owner_id"}
    else:
        data = {k: v for k, v in data.items() if v != "" or k in ("title",)}
    if "owner_id" in data:
        data["owner"] = data.pop("owner_id")
    return data


@router.get("/crm/lead-forms", response=list[LeadFormOut])
@paginate(KernCursorPagination)
def list_lead_forms(request: HttpRequest):
    require_perm(request, "crm.view_leadform")
    return scoped(LeadForm, request)


@router.post("/crm/lead-forms", response={201: LeadFormOut})
def create_lead_form(request: HttpRequest, payload: LeadFormIn):
    who = require_perm(request, "crm.add_leadform")
    return Status(
        201, services.create_lead_form(who.company, by=who.user, **_form_fields(payload, partial=False))
    )


@router.get("/crm/lead-forms/{form_id}", response=LeadFormOut)
def get_lead_form(request: HttpRequest, form_id: int):
    require_perm(request, "crm.view_leadform")
    return scoped(LeadForm, request, form_id)


@router.patch("/crm/lead-forms/{form_id}", response=LeadFormOut)
def update_lead_form(request: HttpRequest, form_id: int, payload: LeadFormPatch):
    who = require_perm(request, "crm.change_leadform")
    form = scoped(LeadForm, request, form_id)
    return services.update_lead_form(form, by=who.user, **_form_fields(payload, partial=True))


# --- opportunities ---------------------------------------------------------------------------


class OpportunityIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    party_id: int
    contact_id: int | None = None
    stage_id: int | None = None
    probability: int | None = Field(None, ge=0, le=100)
    expected_revenue: Decimal = Field(Decimal("0"), ge=0, max_digits=20, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    expected_close_date: dt.date | None = None
    owner_id: int | None = None
    team_id: int | None = None
    source: SourceCode | Literal[""] = ""
    description: str = Field("", max_length=10_000)


class OpportunityPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    party_id: int | None = None
    contact_id: int | None = None
    stage_id: int | None = None
    probability: int | None = Field(None, ge=0, le=100)
    expected_revenue: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3)
    expected_close_date: dt.date | None = None
    owner_id: int | None = None
    team_id: int | None = None
    description: str | None = Field(None, max_length=10_000)


class OpportunityOut(Schema):
    id: int
    number: str
    name: str
    party_id: int
    party_name: str
    contact_id: int | None
    lead_id: int | None
    stage_id: int
    stage_name: str
    status: str
    probability: int
    expected_revenue: Decimal
    weighted_revenue: Decimal
    currency: str = Field(alias="currency_id")
    expected_close_date: dt.date | None
    owner_id: int | None
    team_id: int | None = None
    source: str
    description: str
    won_reason: str
    lost_reason_id: int | None
    lost_note: str
    closed_on: dt.date | None
    stage_changed_at: dt.datetime
    created_at: dt.datetime

    @staticmethod
    def resolve_party_name(obj: Opportunity) -> str:
        return obj.party.name

    @staticmethod
    def resolve_stage_name(obj: Opportunity) -> str:
        return obj.stage.name


def _opp_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        nullable = {"contact_id", "expected_close_date", "owner_id", "team_id"}
        data = {k: v for k, v in data.items() if v is not None or k in nullable}
    renames = {
        "party_id": "party",
        "contact_id": "contact",
        "stage_id": "stage",
        "owner_id": "owner",
        "team_id": "team",
    }
    return {renames.get(k, k): v for k, v in data.items()}


@router.get("/crm/opportunities", response=list[OpportunityOut])
@paginate(KernCursorPagination)
def list_opportunities(
    request: HttpRequest,
    q: str | None = None,
    status: Literal[tuple(OpportunityStatus.values)] | None = None,  # type: ignore[valid-type]
    stage_id: int | None = None,
    owner_id: int | None = None,
    party_id: int | None = None,
):
    require_perm(request, "crm.view_opportunity")
    qs = _visible_opportunities(request).select_related("party", "stage")
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(party__name__icontains=q) | Q(number__iexact=q))
    if status:
        qs = qs.filter(status=status)
    if stage_id is not None:
        qs = qs.filter(stage_id=stage_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if party_id is not None:
        qs = qs.filter(party_id=party_id)
    return qs


@router.post("/crm/opportunities", response={201: OpportunityOut})
def create_opportunity(request: HttpRequest, payload: OpportunityIn):
    who = require_perm(request, "crm.add_opportunity")
    fields = _opp_fields(payload, partial=False)
    if fields.get("owner") is None:
        fields["owner"] = who.user
    return Status(201, services.create_opportunity(who.company, by=who.user, **fields))


@router.get("/crm/opportunities/{opportunity_id}", response=OpportunityOut)
def get_opportunity(request: HttpRequest, opportunity_id: int):
    require_perm(request, "crm.view_opportunity")
    return _opportunity(request, opportunity_id)


@router.patch("/crm/opportunities/{opportunity_id}", response=OpportunityOut)
def update_opportunity(request: HttpRequest, opportunity_id: int, payload: OpportunityPatch):
    who = require_perm(request, "crm.change_opportunity")
    opp = _opportunity(request, opportunity_id)
    return services.update_opportunity(opp, by=who.user, **_opp_fields(payload, partial=True))


class MoveIn(Schema):
    stage_id: int


@router.post("/crm/opportunities/{opportunity_id}/move", response=OpportunityOut)
def move_opportunity(request: HttpRequest, opportunity_id: int, payload: MoveIn):
    """Move an open opportunity to another pipeline stage (what the kanban board does)."""
    who = require_perm(request, "crm.change_opportunity")
    services.move_opportunity(_opportunity(request, opportunity_id), stage=payload.stage_id, by=who.user)
    return _opportunity(request, opportunity_id)


class WonIn(Schema):
    won_reason: str = Field("", max_length=300)
    expected_revenue: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=2)
    closed_on: dt.date | None = None


class LostIn(Schema):
    lost_reason_id: int | None = None
    lost_note: str = Field("", max_length=300)
    closed_on: dt.date | None = None


@router.post("/crm/opportunities/{opportunity_id}/won", response=OpportunityOut)
def mark_won(request: HttpRequest, opportunity_id: int, payload: WonIn):
    """Close as won; `won_reason` and a revenue above zero are required (422 names the field)."""
    who = require_perm(request, "crm.change_opportunity")
    services.mark_won(_opportunity(request, opportunity_id), by=who.user, **payload.dict())
    return _opportunity(request, opportunity_id)


@router.post("/crm/opportunities/{opportunity_id}/lost", response=OpportunityOut)
def mark_lost(request: HttpRequest, opportunity_id: int, payload: LostIn):
    who = require_perm(request, "crm.change_opportunity")
    services.mark_lost(
        _opportunity(request, opportunity_id),
        by=who.user,
        lost_reason=payload.lost_reason_id,
        lost_note=payload.lost_note,
        closed_on=payload.closed_on,
    )
    return _opportunity(request, opportunity_id)


@router.post("/crm/opportunities/{opportunity_id}/reopen", response=OpportunityOut)
def reopen_opportunity(request: HttpRequest, opportunity_id: int):
    who = require_perm(request, "crm.change_opportunity")
    services.reopen_opportunity(_opportunity(request, opportunity_id), by=who.user)
    return _opportunity(request, opportunity_id)


class QuoteLineIn(Schema):
    product_id: int
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=20, decimal_places=4)
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=20, decimal_places=4)
    description: str = Field("", max_length=500)
    options: list[int | str] | None = Field(None, max_length=100)


class OpportunityQuoteIn(Schema):
    lines: list[QuoteLineIn] = Field(default_factory=list, max_length=500)
    valid_until: dt.date | None = None
    customer_reference: str = Field("", max_length=80)
    notes: str = Field("", max_length=5000)


class QuoteBrief(Schema):
    id: int
    number: str
    status: str
    quote_date: dt.date
    valid_until: dt.date
    net_total: Decimal
    total: Decimal
    currency: str = Field(alias="currency_id")
    sales_rep_id: int | None
    team_id: int | None
    source_type: str
    source_id: int | None


@router.get("/crm/opportunities/{opportunity_id}/quotes", response=list[QuoteBrief])
def opportunity_quotes(request: HttpRequest, opportunity_id: int):
    """The quotes made for the opportunity, newest first."""
    require_perm(request, "sales.view_quote")
    return list(selectors.quotes_for_opportunity(_opportunity(request, opportunity_id))[:100])


@router.post("/crm/opportunities/{opportunity_id}/quotes", response={201: QuoteBrief})
def create_opportunity_quote(request: HttpRequest, opportunity_id: int, payload: OpportunityQuoteIn):
    """A draft quote (sales' CPQ) for the opportunity's customer, contact, currency, owner and team,
    linked back to the opportunity. A closed opportunity is 409."""
    who = require_perm(request, "sales.add_quote")
    opp = _opportunity(request, opportunity_id)
    data = payload.dict(exclude_unset=True)
    lines = [{**line.dict(exclude_none=True), "product": line.product_id} for line in payload.lines]
    for line in lines:
        line.pop("product_id")
    data.pop("lines", None)
    quote = services.create_quote_for_opportunity(opp, by=who.user, lines=lines, **data)
    return Status(201, quote)


class CardOut(Schema):
    id: int
    number: str
    name: str
    party_name: str
    expected_revenue: Decimal
    currency: str
    probability: int
    expected_close_date: dt.date | None
    owner_id: int | None


class ColumnOut(Schema):
    stage_id: int
    stage: str
    probability: int
    count: int
    expected: Decimal
    weighted: Decimal
    cards: list[CardOut]


@router.get("/crm/pipeline", response=list[ColumnOut])
def pipeline(request: HttpRequest, owner_id: int | None = None, q: str = ""):
    """The kanban board: open opportunities per stage, with totals in the company currency."""
    who = require_perm(request, "crm.view_opportunity")
    board = selectors.kanban_board(who.user, who.company, owner=owner_id, search=q[:100])
    return [
        {
            "stage_id": col.stage.pk,
            "stage": col.stage.name,
            "probability": col.stage.probability,
            "count": col.count,
            "expected": col.expected,
            "weighted": col.weighted,
            "cards": [
                {
                    "id": o.pk,
                    "number": o.number,
                    "name": o.name,
                    "party_name": o.party.name,
                    "expected_revenue": o.expected_revenue,
                    "currency": o.currency_id,
                    "probability": o.probability,
                    "expected_close_date": o.expected_close_date,
                    "owner_id": o.owner_id,
                }
                for o in col.cards
            ],
        }
        for col in board
    ]


class ForecastOut(Schema):
    month: dt.date
    key: int | None
    label: str
    count: int
    expected: Decimal
    weighted: Decimal
    won: Decimal


@router.get("/crm/forecast", response=list[ForecastOut])
def forecast(
    request: HttpRequest,
    start: dt.date | None = None,
    months: int = Query(6, ge=1, le=36),
    by: Literal["rep", "team", "total"] = "rep",
):
    """Weighted forecast per month of expected close: pipeline, weighted by probability, and won."""
    who = require_perm(request, "crm.view_opportunity")
    start = start or timezone.localdate()
    return selectors.weighted_forecast(who.user, who.company, start=start, months=months, by=by)


# --- configuration ----------------------------------------------------------------------------


class StageIn(Schema):
    name: str = Field(min_length=1, max_length=80)
    sequence: int = Field(10, ge=0, le=100_000)
    probability: int = Field(10, ge=0, le=100)
    is_active: bool = True


class StagePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=80)
    sequence: int | None = Field(None, ge=0, le=100_000)
    probability: int | None = Field(None, ge=0, le=100)
    is_active: bool | None = None


class StageOut(StageIn):
    id: int


@router.get("/crm/stages", response=list[StageOut])
def list_stages(request: HttpRequest):
    require_perm(request, "crm.view_pipelinestage")
    return list(scoped(PipelineStage, request).order_by("sequence", "id"))


@router.post("/crm/stages", response={201: StageOut})
def create_stage(request: HttpRequest, payload: StageIn):
    who = require_perm(request, "crm.add_pipelinestage")
    return Status(201, services.create_stage(who.company, by=who.user, **payload.dict()))


@router.patch("/crm/stages/{stage_id}", response=StageOut)
def update_stage(request: HttpRequest, stage_id: int, payload: StagePatch):
    who = require_perm(request, "crm.change_pipelinestage")
    stage = scoped(PipelineStage, request, stage_id)
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_stage(stage, by=who.user, **changes)


class LostReasonIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    is_active: bool = True


class LostReasonOut(LostReasonIn):
    id: int


@router.get("/crm/lost-reasons", response=list[LostReasonOut])
def list_lost_reasons(request: HttpRequest):
    require_perm(request, "crm.view_lostreason")
    return list(scoped(LostReason, request).order_by("name"))


@router.post("/crm/lost-reasons", response={201: LostReasonOut})
def create_lost_reason(request: HttpRequest, payload: LostReasonIn):
    who = require_perm(request, "crm.add_lostreason")
    return Status(201, services.create_lost_reason(who.company, by=who.user, **payload.dict()))


class ScoringRuleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    criterion: Literal[tuple(ScoringCriterion.values)]  # type: ignore[valid-type]
    values: str = Field("", max_length=500)
    minimum: int | None = Field(None, ge=0, le=10_000_000)
    maximum: int | None = Field(None, ge=0, le=10_000_000)
    per_occurrence: bool = False
    points: int = Field(ge=-1000, le=1000)
    is_active: bool = True


class ScoringRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    values: str | None = Field(None, max_length=500)
    minimum: int | None = Field(None, ge=0, le=10_000_000)
    maximum: int | None = Field(None, ge=0, le=10_000_000)
    per_occurrence: bool | None = None
    points: int | None = Field(None, ge=-1000, le=1000)
    is_active: bool | None = None


class ScoringRuleOut(ScoringRuleIn):
    id: int


@router.get("/crm/scoring-rules", response=list[ScoringRuleOut])
def list_scoring_rules(request: HttpRequest):
    require_perm(request, "crm.view_scoringrule")
    return list(scoped(ScoringRule, request).order_by("criterion", "name"))


@router.post("/crm/scoring-rules", response={201: ScoringRuleOut})
def create_scoring_rule(request: HttpRequest, payload: ScoringRuleIn):
    """Add a rule; every lead still being worked is rescored."""
    who = require_perm(request, "crm.add_scoringrule")
    return Status(201, services.create_scoring_rule(who.company, by=who.user, **payload.dict()))


@router.patch("/crm/scoring-rules/{rule_id}", response=ScoringRuleOut)
def update_scoring_rule(request: HttpRequest, rule_id: int, payload: ScoringRulePatch):
    who = require_perm(request, "crm.change_scoringrule")
    rule = scoped(ScoringRule, request, rule_id)
    changes = payload.dict(exclude_unset=True)
    changes = {k: v for k, v in changes.items() if v is not None or k in ("minimum", "maximum")}
    return services.update_scoring_rule(rule, by=who.user, **changes)


class AssignmentRuleIn(Schema):
    name: str = Field(min_length=1, max_length=120)
    sequence: int = Field(10, ge=0, le=100_000)
    countries: str = Field("", max_length=300)
    postcode_from: str = Field("", max_length=16)
    postcode_to: str = Field("", max_length=16)
    industries: str = Field("", max_length=300)
    team_id: int | None = None
    user_id: int | None = None
    is_active: bool = True


class AssignmentRulePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=120)
    sequence: int | None = Field(None, ge=0, le=100_000)
    countries: str | None = Field(None, max_length=300)
    postcode_from: str | None = Field(None, max_length=16)
    postcode_to: str | None = Field(None, max_length=16)
    industries: str | None = Field(None, max_length=300)
    team_id: int | None = None
    user_id: int | None = None
    is_active: bool | None = None


class AssignmentRuleOut(Schema):
    id: int
    name: str
    sequence: int
    countries: str
    postcode_from: str
    postcode_to: str
    industries: str
    team_id: int | None = None
    user_id: int | None
    is_active: bool


def _rule_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial)
    if partial:
        data = {k: v for k, v in data.items() if v is not None or k in ("team_id", "user_id")}
    return {{"team_id": "team", "user_id": "user"}.get(k, k): v for k, v in data.items()}


@router.get("/crm/assignment-rules", response=list[AssignmentRuleOut])
def list_assignment_rules(request: HttpRequest):
    require_perm(request, "crm.view_assignmentrule")
    return list(scoped(AssignmentRule, request).order_by("sequence", "id"))


@router.post("/crm/assignment-rules", response={201: AssignmentRuleOut})
def create_assignment_rule(request: HttpRequest, payload: AssignmentRuleIn):
    who = require_perm(request, "crm.add_assignmentrule")
    return Status(
        201, services.create_assignment_rule(who.company, by=who.user, **_rule_fields(payload, partial=False))
    )


@router.patch("/crm/assignment-rules/{assignment_rule_id}", response=AssignmentRuleOut)
def update_assignment_rule(request: HttpRequest, assignment_rule_id: int, payload: AssignmentRulePatch):
    who = require_perm(request, "crm.change_assignmentrule")
    rule = scoped(AssignmentRule, request, assignment_rule_id)
    return services.update_assignment_rule(rule, by=who.user, **_rule_fields(payload, partial=True))


class SettingsIn(Schema):
    rep_visibility: Literal[tuple(Visibility.values)] | None = None  # type: ignore[valid-type]
    form_rate_limit: int | None = Field(None, ge=1, le=10_000)
    form_rate_window_minutes: int | None = Field(None, ge=1, le=10_080)


class SettingsOut(Schema):
    rep_visibility: str
    form_rate_limit: int
    form_rate_window_minutes: int


@router.get("/crm/settings", response=SettingsOut)
def get_settings(request: HttpRequest):
    who = require_perm(request, "crm.view_crmsettings")
    return selectors.crm_settings(who.company)


@router.patch("/crm/settings", response=SettingsOut)
def update_settings(request: HttpRequest, payload: SettingsIn):
    who = require_perm(request, "crm.change_crmsettings")
    changes = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return services.update_crm_settings(who.company, by=who.user, **changes)


# --- activities -------------------------------------------------------------------------------

KindCode = Literal[tuple(ActivityKind.values)]  # type: ignore[valid-type]


class ActivityIn(Schema):
    kind: KindCode = "task"
    subject: str = Field(min_length=1, max_length=200)
    notes: str = Field("", max_length=10_000)
    due_at: dt.datetime | None = None
    all_day: bool = False
    duration_minutes: int | None = Field(None, ge=0, le=20_160)
    location: str = Field("", max_length=200)
    outcome: str = Field("", max_length=300)
    assigned_to_id: int | None = None
    party_id: int | None = None
    contact_id: int | None = None
    lead_id: int | None = None
    opportunity_id: int | None = None
    reminder_at: dt.datetime | None = None
    done: bool = Field(False, description="log something that already happened")


class ActivityPatch(Schema):
    kind: KindCode | None = None
    subject: str | None = Field(None, min_length=1, max_length=200)
    notes: str | None = Field(None, max_length=10_000)
    due_at: dt.datetime | None = None
    all_day: bool | None = None
    duration_minutes: int | None = Field(None, ge=0, le=20_160)
    location: str | None = Field(None, max_length=200)
    outcome: str | None = Field(None, max_length=300)
    assigned_to_id: int | None = None
    reminder_at: dt.datetime | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    notes: str
    status: str
    due_at: dt.datetime | None
    all_day: bool
    duration_minutes: int
    location: str
    outcome: str
    assigned_to_id: int
    party_id: int | None
    contact_id: int | None
    lead_id: int | None
    opportunity_id: int | None
    reminder_at: dt.datetime | None
    reminder_sent_at: dt.datetime | None
    done_at: dt.datetime | None
    created_at: dt.datetime


def _activity_fields(payload: Schema, *, partial: bool) -> dict:
    data = payload.dict(exclude_unset=partial, exclude={"done"})
    if partial:
        nullable = {"due_at", "reminder_at"}
        data = {k: v for k, v in data.items() if v is not None or k in nullable}
    renames = {
        "assigned_to_id": "assigned_to",
        "party_id": "party",
        "contact_id": "contact",
        "lead_id": "lead",
        "opportunity_id": "opportunity",
    }
    return {renames.get(k, k): v for k, v in data.items() if not (k == "assigned_to_id" and v is None)}


def _activities(request: HttpRequest):
    return scoped(Activity, request)


@router.get("/crm/activities", response=list[ActivityOut])
@paginate(KernCursorPagination)
def list_activities(
    request: HttpRequest,
    assigned_to_id: int | None = None,
    status: Literal[tuple(ActivityStatus.values)] | None = None,  # type: ignore[valid-type]
    kind: KindCode | None = None,
    party_id: int | None = None,
    lead_id: int | None = None,
    opportunity_id: int | None = None,
    due_before: dt.datetime | None = None,
):
    require_perm(request, "crm.view_activity")
    qs = _activities(request)
    filters = {
        "assigned_to_id": assigned_to_id,
        "status": status,
        "kind": kind,
        "party_id": party_id,
        "lead_id": lead_id,
        "opportunity_id": opportunity_id,
    }
    qs = qs.filter(**{k: v for k, v in filters.items() if v is not None})
    if due_before is not None:
        qs = qs.filter(due_at__lt=due_before)
    return qs


@router.post("/crm/activities", response={201: ActivityOut})
def create_activity(request: HttpRequest, payload: ActivityIn):
    """Plan an activity (or, with `done`, log one that happened) about a party, contact, lead or
    opportunity."""
    who = require_perm(request, "crm.add_activity")
    fields = _activity_fields(payload, partial=False)
    make = services.log_activity if payload.done else services.schedule_activity
    return Status(201, make(who.company, by=who.user, **fields))


@router.get("/crm/activities/{activity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, activity_id: int):
    require_perm(request, "crm.view_activity")
    return scoped(Activity, request, activity_id)


@router.patch("/crm/activities/{activity_id}", response=ActivityOut)
def update_activity(request: HttpRequest, activity_id: int, payload: ActivityPatch):
    who = require_perm(request, "crm.change_activity")
    activity = scoped(Activity, request, activity_id)
    return services.update_activity(activity, by=who.user, **_activity_fields(payload, partial=True))


class DoneIn(Schema):
    outcome: str = Field("", max_length=300)


@router.post("/crm/activities/{activity_id}/done", response=ActivityOut)
def complete_activity(request: HttpRequest, activity_id: int, payload: DoneIn):
    who = require_perm(request, "crm.change_activity")
    return services.complete_activity(
        scoped(Activity, request, activity_id), by=who.user, outcome=payload.outcome
    )


@router.post("/crm/activities/{activity_id}/cancel", response=ActivityOut)
def cancel_activity(request: HttpRequest, activity_id: int):
    who = require_perm(request, "crm.change_activity")
    return services.cancel_activity(scoped(Activity, request, activity_id), by=who.user)


@router.post("/crm/activities/{activity_id}/reopen", response=ActivityOut)
def reopen_activity(request: HttpRequest, activity_id: int):
    who = require_perm(request, "crm.change_activity")
    return services.reopen_activity(scoped(Activity, request, activity_id), by=who.user)


class MyDayOut(Schema):
    day: dt.date
    overdue: list[ActivityOut]
    today: list[ActivityOut]
    upcoming: list[ActivityOut]
    unscheduled: list[ActivityOut]
    done_today: list[ActivityOut]


@router.get("/crm/my-day", response=MyDayOut)
def my_day(request: HttpRequest):
    """The caller's agenda: overdue, today, the coming week, undated, and done today."""
    who = require_perm(request, "crm.view_activity")
    return selectors.my_day(who.user, who.company)


class FeedOut(Schema):
    url: str
    prefix: str


@router.post("/crm/calendar-feed", response={201: FeedOut})
def issue_calendar_feed(request: HttpRequest):
    """A new secret iCalendar URL of the caller's activities (the old one stops working). The URL
    is shown once."""
    who = require_perm(request, "crm.view_activity")
    from django.urls import reverse

    feed, secret = services.issue_calendar_feed(who.user, who.company, by=who.user)
    url = request.build_absolute_uri(reverse("crm:calendar_feed", kwargs={"secret": secret}))
    return Status(201, {"url": url, "prefix": feed.prefix})


# --- targets ----------------------------------------------------------------------------------


class TargetIn(Schema):
    user_id: int
    period: Literal[tuple(TargetPeriod.values)] = "month"  # type: ignore[valid-type]
    start: dt.date
    amount: Decimal = Field(ge=0, max_digits=20, decimal_places=2)


class TargetOut(Schema):
    id: int
    user_id: int
    period: str
    start: dt.date
    end: dt.date
    amount: Decimal
    invoiced: Decimal
    attained_percent: Decimal | None

    @staticmethod
    def resolve_invoiced(obj: SalesTarget) -> Decimal:
        return selectors.attainment_of(obj).invoiced

    @staticmethod
    def resolve_attained_percent(obj: SalesTarget) -> Decimal | None:
        return selectors.attainment_of(obj).percent


@router.get("/crm/targets", response=list[TargetOut])
@paginate(KernCursorPagination)
def list_targets(request: HttpRequest, user_id: int | None = None):
    require_perm(request, "crm.view_salestarget")
    qs = scoped(SalesTarget, request)
    if user_id is not None:
        qs = qs.filter(user_id=user_id)
    return qs


@router.post("/crm/targets", response={201: TargetOut})
def set_target(request: HttpRequest, payload: TargetIn):
    """Set a rep's target for the month, quarter or year that holds `start` (replaces an earlier one)."""
    who = require_perm(request, "crm.add_salestarget")
    return Status(
        201,
        services.set_target(
            who.company,
            by=who.user,
            user=payload.user_id,
            period=payload.period,
            start=payload.start,
            amount=payload.amount,
        ),
    )


@router.delete("/crm/targets/{target_id}", response={204: None})
def remove_target(request: HttpRequest, target_id: int):
    who = require_perm(request, "crm.delete_salestarget")
    services.remove_target(scoped(SalesTarget, request, target_id), by=who.user)
    return Status(204, None)


# --- customer 360 -----------------------------------------------------------------------------


class DocumentOut(Schema):
    kind: str
    id: int
    number: str
    date: dt.date | None
    amount: Decimal | None
    currency: str
    status: str
    due: dt.date | None = None
    open_amount: Decimal | None = None
    overdue: bool = False


class ContactBrief(Schema):
    id: int
    name: str
    job_title: str
    email: str
    phone: str
    is_primary: bool


class OpportunityBrief(Schema):
    id: int
    number: str
    name: str
    stage: str
    probability: int
    expected_revenue: Decimal
    currency: str
    expected_close_date: dt.date | None


class ActivityBrief(Schema):
    id: int
    kind: str
    subject: str
    status: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    outcome: str
    assigned_to_id: int


class CreditOut(Schema):
    limit: Decimal
    receivables: Decimal
    open_orders: Decimal
    used: Decimal
    status: Literal["ok", "warning", "blocked"]


class Customer360Out(Schema):
    party_id: int
    name: str
    number: str
    as_of: dt.datetime
    currency: str
    contacts: list[ContactBrief]
    open_opportunities: list[OpportunityBrief]
    pipeline_value: Decimal
    weighted_pipeline: Decimal
    open_quotes: list[DocumentOut]
    orders: list[DocumentOut]
    deliveries_in_transit: list[DocumentOut]
    open_invoices: list[DocumentOut]
    open_amount: Decimal
    overdue_amount: Decimal
    overdue_count: int
    credit: CreditOut
    last_payments: list[DocumentOut]
    open_tickets: list[DocumentOut]
    recent_activities: list[ActivityBrief]
    planned_activities: list[ActivityBrief]
    lifetime_revenue: Decimal
    gross_margin: Decimal | None
    margin_percent: Decimal | None
    customer_since: dt.date | None
    last_order: dt.date | None
    last_contact: dt.datetime | None


@router.get("/crm/customers/{party_id}/360", response=Customer360Out)
def customer_360(request: HttpRequest, party_id: int):
    """Everything about a customer in one call, read from one database snapshot."""
    from kern.parties.models import Party

    who = require_perm(request, "parties.view_party")
    party = scoped(Party.objects.select_related("company"), request, party_id)
    view = selectors.customer_360(party, who.user)
    data = {name: getattr(view, name) for name in Customer360Out.model_fields if hasattr(view, name)}
    data.update(
        party_id=party.pk,
        name=party.name,
        number=party.number,
        margin_percent=view.margin_percent,
        credit={
            "limit": view.credit_limit,
            "receivables": view.credit_receivables,
            "open_orders": view.credit_open_orders,
            "used": view.credit_used,
            "status": view.credit_status,
        },
    )
    return data
