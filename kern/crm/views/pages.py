"""The generic pages of the CRM's records (kern.core.ui.Resource): lists, details, forms, buttons."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.crm import selectors, services
from kern.crm.models import (
    Activity,
    ActivityStatus,
    AssignmentRule,
    Lead,
    LeadForm,
    LeadStatus,
    LostReason,
    Opportunity,
    OpportunityStatus,
    PipelineStage,
    SalesTarget,
    ScoringRule,
)
from kern.crm.views import forms as crm_forms

REASONS = {"same VAT id": _("same VAT id"), "same e-mail": _("same e-mail"), "same name": _("same name")}


class CrmResource(ui.Resource):
    """Resource pages whose user fields offer only the company's people."""

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        return crm_forms.limit_users(form, getattr(request, "company", None))


def timeline_tab(key: str = "timeline") -> ui.Tab:
    """Activities, changes and score changes of the record, newest first."""
    return ui.Tab(
        key,
        _("Timeline"),
        rows=lambda obj, request: selectors.timeline_for(obj),
        columns=[
            ui.Column("at", _("When"), value=lambda item: item.at),
            ui.Column("kind", _("What"), value=lambda item: KINDS.get(item.kind, item.kind)),
            ui.Column("title", _("Subject"), value=lambda item: item.title),
            ui.Column("detail", _("Details"), value=lambda item: item.detail),
            ui.Column("who", _("Who"), value=lambda item: item.who),
        ],
        row_url=lambda item: ui.document_url(item.activity) if item.activity is not None else "",
    )


KINDS = {"activity": _("Activity"), "change": _("Change"), "score": _("Score")}


def activities_tab(field: str) -> ui.Tab:
    return ui.Tab(
        "activities",
        _("Activities"),
        rows=lambda obj, request: selectors.activities_about(obj).order_by("status", "-due_at", "-id"),
        columns=["subject", "kind", "status", "due_at", "assigned_to", "outcome"],
        add_url=lambda obj: reverse("crm:activity_create") + f"?{field}={obj.pk}",
        add_label=_("Plan an activity"),
        permission="crm.view_activity",
    )


# --- leads ----------------------------------------------------------------------------------------


class LeadPages(CrmResource):
    model = Lead
    prefix = "leads/"
    list_columns = [
        "number",
        "title",
        "organisation",
        ui.Column("person", _("Contact"), value=lambda lead: lead.person_name),
        "email",
        "status",
        "source",
        "score",
        "owner",
        "team",
        "country",
        "industry",
        "created_at",
    ]
    default_columns = ["number", "title", "organisation", "person", "status", "score", "owner", "created_at"]
    search_fields = ["number", "title", "organisation", "last_name", "first_name", "email", "phone"]
    filters = ["status", "source", "owner", "team", "industry", "created_at"]
    detail_fields = [
        (_("Lead"), ["number", "title", "status", "source", "owner", "team", "score", "created_at"]),
        (_("Who"), ["organisation", "first_name", "last_name", "job_title", "email", "phone", "website"]),
        (_("Where"), ["street", "postcode", "city", "country", "industry", "employees"]),
        (_("Value and consent"), ["expected_revenue", "consent", "consent_at", "description"]),
        (_("Outcome"), ["disqualify_reason", "party", "contact", "converted_at"]),
    ]
    form_class = crm_forms.LeadEditForm
    create_service = staticmethod(services.create_lead)
    update_service = staticmethod(services.update_lead)
    detail_template = "crm/lead_detail.html"
    actions = ui.workflow_actions(
        Lead,
        {
            LeadStatus.CONTACTED: services.mark_lead_contacted,
            LeadStatus.DISQUALIFIED: services.disqualify_lead,
            LeadStatus.NEW: services.reopen_lead,
        },
        labels={
            LeadStatus.CONTACTED: _("Mark contacted"),
            LeadStatus.DISQUALIFIED: _("Disqualify"),
            LeadStatus.NEW: _("Reopen"),
        },
        styles={LeadStatus.DISQUALIFIED: "outline-danger", LeadStatus.NEW: "outline-secondary"},
    )

    @property
    def tabs(self) -> list[ui.Tab]:  # type: ignore[override]
        return [
            timeline_tab(),
            activities_tab("lead"),
            ui.Tab(
                "score",
                _("Score history"),
                rows=lambda lead, request: lead.score_changes.order_by("-at", "-id"),
                columns=["at", "old_score", "new_score", "trigger"],
                row_url=lambda row: "",
            ),
            ui.Tab(
                "engagements",
                _("Engagement"),
                rows="engagements",
                columns=["at", "kind", "detail"],
                row_url=lambda row: "",
            ),
        ]

    def get_queryset(self, request: HttpRequest) -> Any:
        company = getattr(request, "company", None)
        if company is None:
            return Lead.objects.none()
        return selectors.visible_leads(request.user, company).select_related("owner")

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        data["country"] = str(data.get("country") or "")
        if obj is None and not data.get("source"):
            data["source"] = "manual"
        return data

    def warnings(self, request: HttpRequest, form: Any, obj: Any = None) -> list[str]:
        if obj is not None:
            return []
        found = selectors.lead_duplicates(
            request.company,
            email=form.cleaned_data.get("email", ""),
            organisation=form.cleaned_data.get("organisation", ""),
        )
        return [duplicate_text(d) for d in found]

    def object_title(self, obj: Any) -> str:
        return f"{obj.title} ({obj.number})"

    def detail_sections(self, obj: Any) -> list:
        sections = super().detail_sections(obj)
        reasons = [
            (r.get("rule", ""), f"{int(r.get('points', 0)):+d}  {r.get('detail', '')}".strip(), "")
            for r in obj.score_reasons
        ]
        sections.insert(
            1,
            (
                gettext("Score %(score)s, because") % {"score": obj.score},
                reasons or [("", gettext("no rule applies"), "")],
            ),
        )
        if obj.status in (LeadStatus.NEW, LeadStatus.CONTACTED):
            found = selectors.lead_duplicates(
                obj.company_id, email=obj.email, organisation=obj.organisation, exclude=obj.pk
            )
            if found:
                rows = [
                    (
                        gettext("party") if d.kind == "party" else gettext("lead"),
                        f"{d.number} {d.name} ({REASONS.get(d.reason, d.reason)})",
                        ui.document_url("parties.party" if d.kind == "party" else "crm.lead", d.id),
                    )
                    for d in found
                ]
                sections.insert(1, (gettext("Possible duplicates"), rows))
        return sections


def duplicate_text(d: selectors.Duplicate) -> str:
    kind = gettext("party") if d.kind == "party" else gettext("lead")
    return gettext("%(kind)s %(number)s %(name)s looks like the same (%(reason)s).") % {
        "kind": kind,
        "number": d.number,
        "name": d.name,
        "reason": REASONS.get(d.reason, d.reason),
    }


# --- opportunities --------------------------------------------------------------------------------


class OpportunityPages(CrmResource):
    model = Opportunity
    prefix = "opportunities/"
    list_columns = [
        "number",
        "name",
        "party",
        "stage",
        "status",
        "expected_revenue",
        "currency",
        "probability",
        ui.Column("weighted", _("Weighted"), value=lambda o: o.weighted_revenue, numeric=True),
        "expected_close_date",
        "owner",
        "team",
        "closed_on",
        "created_at",
    ]
    default_columns = [
        "number",
        "name",
        "party",
        "stage",
        "status",
        "expected_revenue",
        "probability",
        "expected_close_date",
        "owner",
    ]
    search_fields = ["number", "name", "party__name"]
    filters = ["status", "stage", "owner", "team", "expected_close_date", "closed_on"]
    detail_fields = [
        (
            _("Opportunity"),
            ["number", "name", "party", "contact", "owner", "team", "status", "source", "lead"],
        ),
        (
            _("Pipeline"),
            [
                "stage",
                "probability",
                "expected_revenue",
                "currency",
                "expected_close_date",
                "stage_changed_at",
            ],
        ),
        (_("Outcome"), ["closed_on", "won_reason", "lost_reason", "lost_note"]),
        (_("Description"), ["description"]),
    ]
    form_class = crm_forms.OpportunityEditForm
    create_service = staticmethod(services.create_opportunity)
    update_service = staticmethod(services.update_opportunity)
    detail_template = "crm/opportunity_detail.html"
    actions = ui.workflow_actions(
        Opportunity,
        {OpportunityStatus.OPEN: services.reopen_opportunity},
        labels={OpportunityStatus.OPEN: _("Reopen")},
        styles={OpportunityStatus.OPEN: "outline-secondary"},
    )

    @property
    def tabs(self) -> list[ui.Tab]:  # type: ignore[override]
        return [timeline_tab(), activities_tab("opportunity"), *opportunity_extra_tabs()]

    def get_queryset(self, request: HttpRequest) -> Any:
        company = getattr(request, "company", None)
        if company is None:
            return Opportunity.objects.none()
        return selectors.visible_opportunities(request.user, company).select_related(
            "party", "stage", "owner", "currency"
        )

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        if obj is None and data is None:
            party = request.GET.get("party", "")
            if party.isdigit():
                form.initial["party"] = int(party)
            form.initial.setdefault("owner", request.user.pk)
        return form

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        if data.get("probability") is None:
            data.pop("probability", None)
        if data.get("currency") is None:
            data.pop("currency", None)
        if obj is None and data.get("owner") is None:
            data["owner"] = request.user
        return data


def opportunity_extra_tabs() -> list[ui.Tab]:
    """Tabs that read other apps (the quotes made for the opportunity)."""
    from kern.crm.views.quotes import quotes_tab

    tab = quotes_tab()
    return [tab] if tab is not None else []


# --- activities ---------------------------------------------------------------------------------


class ActivityPages(CrmResource):
    model = Activity
    prefix = "activities/"
    list_columns = [
        "subject",
        "kind",
        "status",
        "due_at",
        "assigned_to",
        "party",
        "lead",
        "opportunity",
        "reminder_at",
        "outcome",
        "created_at",
    ]
    default_columns = ["subject", "kind", "status", "due_at", "assigned_to", "party", "opportunity"]
    search_fields = ["subject", "notes", "party__name", "lead__title", "opportunity__name"]
    filters = ["kind", "status", "assigned_to", "due_at"]
    detail_fields = [
        (_("Activity"), ["kind", "subject", "status", "due_at", "all_day", "duration_minutes", "location"]),
        (_("About"), ["party", "contact", "lead", "opportunity"]),
        (_("Who and when"), ["assigned_to", "reminder_at", "reminder_sent_at", "done_at"]),
        (_("Notes"), ["notes", "outcome"]),
    ]
    ordering = ["status", "due_at", "id"]
    form_class = crm_forms.ActivityEditForm
    create_service = staticmethod(services.schedule_activity)
    update_service = staticmethod(services.update_activity)
    actions = ui.workflow_actions(
        Activity,
        {
            ActivityStatus.DONE: services.complete_activity,
            ActivityStatus.CANCELLED: services.cancel_activity,
            ActivityStatus.PLANNED: services.reopen_activity,
        },
        labels={
            ActivityStatus.DONE: _("Mark done"),
            ActivityStatus.CANCELLED: _("Cancel"),
            ActivityStatus.PLANNED: _("Reopen"),
        },
        styles={ActivityStatus.CANCELLED: "outline-danger", ActivityStatus.PLANNED: "outline-secondary"},
    )

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("assigned_to", "party", "lead", "opportunity")

    def get_form(self, request: HttpRequest, obj: Any = None, data: Any = None, files: Any = None) -> Any:
        form = super().get_form(request, obj, data, files)
        if obj is None and data is None:
            # "Plan an activity" from a record's page arrives with that record filled in.
            for name in ("party", "contact", "lead", "opportunity"):
                value = request.GET.get(name, "")
                if value.isdigit():
                    form.initial[name] = int(value)
            form.initial.setdefault("assigned_to", request.user.pk)
        return form

    def service_data(self, request: HttpRequest, form: Any, obj: Any = None) -> dict[str, Any]:
        data = dict(form.cleaned_data)
        if data.get("assigned_to") is None:
            data["assigned_to"] = request.user
        return data


# --- targets and configuration --------------------------------------------------------------------


def _set_target(company: Any, *, by: Any, user: Any, period: str, start: Any, amount: Any) -> SalesTarget:
    return services.set_target(company, by=by, user=user, period=period, start=start, amount=amount)


class TargetPages(CrmResource):
    model = SalesTarget
    name = "salestarget"
    prefix = "targets/"
    list_columns = [
        "user",
        "period",
        "start",
        "end",
        "amount",
        ui.Column(
            "invoiced", _("Invoiced"), value=lambda t: selectors.attainment_of(t).invoiced, numeric=True
        ),
        ui.Column(
            "attained", _("Attained %"), value=lambda t: selectors.attainment_of(t).percent, numeric=True
        ),
    ]
    filters = ["user", "period", "start"]
    detail_fields = [
        "user",
        "period",
        "start",
        "end",
        "amount",
        ui.Column("invoiced", _("Invoiced"), value=lambda t: selectors.attainment_of(t).invoiced),
    ]
    form_class = crm_forms.TargetEditForm
    create_service = staticmethod(_set_target)
    delete_service = staticmethod(services.remove_target)
    comments = False
    attachments = False


class StagePages(CrmResource):
    model = PipelineStage
    name = "pipelinestage"
    prefix = "stages/"
    list_columns = ["sequence", "name", "probability", "is_active"]
    ordering = ["sequence", "id"]
    detail_fields = ["name", "sequence", "probability", "is_active"]
    form_class = crm_forms.StageForm
    create_service = staticmethod(services.create_stage)
    update_service = staticmethod(services.update_stage)
    comments = False
    attachments = False


class LostReasonPages(CrmResource):
    model = LostReason
    name = "lostreason"
    prefix = "lost-reasons/"
    list_columns = ["name", "is_active"]
    detail_fields = ["name", "is_active"]
    form_class = crm_forms.LostReasonForm
    create_service = staticmethod(services.create_lost_reason)
    update_service = staticmethod(services.update_lost_reason)
    comments = False
    attachments = False


class ScoringRulePages(CrmResource):
    model = ScoringRule
    name = "scoringrule"
    prefix = "scoring-rules/"
    list_columns = [
        "name",
        "criterion",
        "values",
        "minimum",
        "maximum",
        "per_occurrence",
        "points",
        "is_active",
    ]
    filters = ["criterion", "is_active"]
    detail_fields = [
        "name",
        "criterion",
        "values",
        "minimum",
        "maximum",
        "per_occurrence",
        "points",
        "is_active",
    ]
    form_class = crm_forms.ScoringRuleForm
    create_service = staticmethod(services.create_scoring_rule)
    update_service = staticmethod(services.update_scoring_rule)
    comments = False
    attachments = False


class AssignmentRulePages(CrmResource):
    model = AssignmentRule
    name = "assignmentrule"
    prefix = "assignment-rules/"
    list_columns = [
        "sequence",
        "name",
        "countries",
        "postcode_from",
        "postcode_to",
        "industries",
        "user",
        "is_active",
    ]
    ordering = ["sequence", "id"]
    detail_fields = [
        "name",
        "sequence",
        "countries",
        "postcode_from",
        "postcode_to",
        "industries",
        "user",
        "is_active",
    ]
    form_class = crm_forms.AssignmentRuleForm
    create_service = staticmethod(services.create_assignment_rule)
    update_service = staticmethod(services.update_assignment_rule)
    comments = False
    attachments = False


class LeadFormPages(CrmResource):
    model = LeadForm
    name = "leadform"
    prefix = "lead-forms/"
    list_columns = ["name", "title", "owner", "is_active", "created_at"]
    detail_fields = [
        "name",
        "title",
        "consent_text",
        "thanks_message",
        "ask_company",
        "ask_phone",
        "ask_message",
        "owner",
        "is_active",
    ]
    form_class = crm_forms.LeadFormSettingsForm
    create_service = staticmethod(services.create_lead_form)
    update_service = staticmethod(services.update_lead_form)
    detail_template = "crm/leadform_detail.html"
    comments = False
    attachments = False


LEADS = LeadPages()
OPPORTUNITIES = OpportunityPages()
ACTIVITIES = ActivityPages()
TARGETS = TargetPages()
STAGES = StagePages()
LOST_REASONS = LostReasonPages()
SCORING_RULES = ScoringRulePages()
ASSIGNMENT_RULES = AssignmentRulePages()
LEAD_FORMS = LeadFormPages()
ALL = [
    LEADS,
    OPPORTUNITIES,
    ACTIVITIES,
    TARGETS,
    STAGES,
    LOST_REASONS,
    SCORING_RULES,
    ASSIGNMENT_RULES,
    LEAD_FORMS,
]
