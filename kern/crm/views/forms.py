"""Forms of the CRM pages. Services validate; these only collect and show what was typed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kern.core import ui
from kern.crm.models import (
    Activity,
    AssignmentRule,
    CrmSettings,
    Lead,
    LeadForm,
    LostReason,
    Opportunity,
    PipelineStage,
    SalesTarget,
    ScoringRule,
    TargetPeriod,
)
from kern.parties.models import Party

USER_FIELDS = ("owner", "assigned_to", "user")


def members(company: Any) -> Any:
    return (
        get_user_model()
        .objects.filter(memberships__company=company, is_active=True)
        .order_by("first_name", "last_name", "username")
    )


def limit_users(form: forms.BaseForm, company: Any) -> forms.BaseForm:
    """Offer only the people who work for the company in every user field."""
    for name in USER_FIELDS:
        field = form.fields.get(name)
        if field is not None and hasattr(field, "queryset"):
            field.queryset = members(company) if company is not None else field.queryset.none()
            field.label_from_instance = lambda u: u.get_full_name() or u.get_username()
    return form


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class LeadEditForm(ui.KernModelForm):
    class Meta:
        model = Lead
        fields = [
            "title",
            "source",
            "organisation",
            "first_name",
            "last_name",
            "job_title",
            "email",
            "phone",
            "website",
            "street",
            "postcode",
            "city",
            "country",
            "industry",
            "employees",
            "expected_revenue",
            "owner",
            "team",
            "consent",
            "description",
        ]


class OpportunityEditForm(ui.KernModelForm):
    class Meta:
        model = Opportunity
        fields = [
            "name",
            "party",
            "contact",
            "stage",
            "probability",
            "expected_revenue",
            "currency",
            "expected_close_date",
            "owner",
            "team",
            "description",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["probability"].required = False
        self.fields["stage"].required = False
        self.fields["stage"].help_text = _("Empty: the first stage of the pipeline.")
        self.fields["probability"].help_text = _("Empty: the stage's default probability.")
        if self.instance.pk is None:
            self.fields["currency"].required = False


class ActivityEditForm(ui.KernModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind",
            "subject",
            "due_at",
            "all_day",
            "duration_minutes",
            "assigned_to",
            "party",
            "contact",
            "lead",
            "opportunity",
            "location",
            "reminder_at",
            "notes",
            "outcome",
        ]
        widgets = {"due_at": DateTimeLocal(), "reminder_at": DateTimeLocal()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].required = False
        self.fields["duration_minutes"].required = False
        for name in ("party", "lead", "opportunity", "contact"):
            self.fields[name].queryset = self.fields[name].queryset.select_related()


class ConvertForm(ui.KernForm):
    party = forms.ModelChoiceField(
        Party.objects.none(),
        required=False,
        label=_("Existing party"),
        help_text=_("Empty: a new party is made from the lead."),
    )
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False, initial=True)
    opportunity_name = forms.CharField(label=_("Opportunity name"), max_length=200, required=False)
    expected_revenue = forms.DecimalField(
        label=_("Expected revenue"), max_digits=20, decimal_places=2, min_value=0, required=False
    )
    expected_close_date = forms.DateField(
        label=_("Expected close date"), required=False, widget=forms.DateInput()
    )
    stage = forms.ModelChoiceField(PipelineStage.objects.none(), required=False, label=_("Stage"))

    def __init__(self, *args: Any, company: Any, lead: Lead, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = Party.objects.filter(company=company, is_active=True).order_by("name")
        self.fields["stage"].queryset = PipelineStage.objects.filter(
            company=company, is_active=True
        ).order_by("sequence")
        if not self.is_bound:
            self.initial.setdefault("opportunity_name", lead.title)
            self.initial.setdefault("expected_revenue", lead.expected_revenue)


class WonForm(ui.KernForm):
    won_reason = forms.CharField(label=_("Why did we win?"), max_length=300, required=False)
    expected_revenue = forms.DecimalField(label=_("Revenue"), max_digits=20, decimal_places=2, required=False)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=forms.DateInput())


class LostForm(ui.KernForm):
    lost_reason = forms.ModelChoiceField(LostReason.objects.none(), label=_("Lost reason"), required=False)
    lost_note = forms.CharField(label=_("Note"), max_length=300, required=False)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=forms.DateInput())

    def __init__(self, *args: Any, company: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lost_reason"].queryset = LostReason.objects.filter(company=company, is_active=True)


class TargetEditForm(ui.KernModelForm):
    start = forms.DateField(label=_("Period starting"), widget=forms.DateInput())
    period = forms.ChoiceField(choices=TargetPeriod.choices, label=_("Period"))

    class Meta:
        model = SalesTarget
        fields = ["user", "period", "start", "amount"]


class StageForm(ui.KernModelForm):
    class Meta:
        model = PipelineStage
        fields = ["name", "sequence", "probability", "is_active"]


class LostReasonForm(ui.KernModelForm):
    class Meta:
        model = LostReason
        fields = ["name", "is_active"]


class ScoringRuleForm(ui.KernModelForm):
    class Meta:
        model = ScoringRule
        fields = [
            "name",
            "criterion",
            "values",
            "minimum",
            "maximum",
            "per_occurrence",
            "points",
            "is_active",
        ]


class AssignmentRuleForm(ui.KernModelForm):
    class Meta:
        model = AssignmentRule
        fields = [
            "name",
            "sequence",
            "countries",
            "postcode_from",
            "postcode_to",
            "industries",
            "user",
            "is_active",
        ]


class LeadFormSettingsForm(ui.KernModelForm):
    class Meta:
        model = LeadForm
        fields = [
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


class CrmSettingsForm(ui.KernModelForm):
    class Meta:
        model = CrmSettings
        fields = ["rep_visibility", "form_rate_limit", "form_rate_window_minutes"]
