"""CRM records: leads and their scoring and assignment, the pipeline, activities, targets.

Opportunities and leads belong to a rep (`owner`) and a sales team (`sales.SalesTeam`, which lives
in sales because quotes, orders and invoices carry it too). Won and lost are the opportunity's
status (`OpportunityStatus`, moved through core.workflow); the stage is where an open opportunity
stands in the pipeline.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from kern.core.models import CompanyOwned
from kern.parties.models import normalise_name

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityStatus",
    "AssignmentRule",
    "CalendarFeed",
    "CrmSettings",
    "EngagementKind",
    "Industry",
    "Lead",
    "LeadEngagement",
    "LeadForm",
    "LeadScoreChange",
    "LeadSource",
    "LeadStatus",
    "LeadSubmission",
    "LostReason",
    "Opportunity",
    "OpportunityQuote",
    "OpportunityStatus",
    "PipelineStage",
    "SalesTarget",
    "ScoringCriterion",
    "ScoringRule",
    "TargetPeriod",
    "Visibility",
]

USER = settings.AUTH_USER_MODEL
AMOUNT = {"max_digits": 20, "decimal_places": 2}


class Visibility(models.TextChoices):
    OWN = "own", _("Own records only")
    TEAM = "team", _("Own and their team's records")
    ALL = "all", _("All records of the company")


class CrmSettings(CompanyOwned):
    """Per-company CRM choices: who sees what, and how hard the public lead form may be hit."""

    rep_visibility = models.CharField(
        _("reps see"), max_length=8, choices=Visibility.choices, default=Visibility.TEAM
    )
    form_rate_limit = models.PositiveIntegerField(
        _("web form submissions per address"), default=5, validators=[MinValueValidator(1)]
    )
    form_rate_window_minutes = models.PositiveIntegerField(
        _("web form window (minutes)"), default=10, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")
        constraints = [models.UniqueConstraint(fields=["company"], name="crmsettings_one_per_company")]

    def __str__(self) -> str:
        return str(_("CRM settings"))


class Industry(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    WHOLESALE = "wholesale", _("Wholesale")
    RETAIL = "retail", _("Retail")
    TRANSPORT = "transport", _("Transport and logistics")
    HOSPITALITY = "hospitality", _("Hospitality")
    ICT = "ict", _("IT and telecom")
    FINANCE = "finance", _("Finance and insurance")
    REAL_ESTATE = "real_estate", _("Real estate")
    PROFESSIONAL = "professional", _("Professional services")
    HEALTHCARE = "healthcare", _("Healthcare")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government")
    OTHER = "other", _("Other")


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Entered by hand")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    CAMPAIGN = "campaign", _("Campaign")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


class LeadForm(CompanyOwned):
    """A public web form that creates leads; embedded on a website by its key."""

    name = models.CharField(_("name"), max_length=120)
    key = models.SlugField(_("key"), max_length=40, unique=True, editable=False)
    title = models.CharField(_("heading"), max_length=200, blank=True)
    consent_text = models.TextField(
        _("consent text"),
        default=_("I agree that my details are stored to contact me about my request."),
    )
    thanks_message = models.CharField(
        _("thank-you message"), max_length=300, default=_("Thank you, we will contact you soon.")
    )
    ask_company = models.BooleanField(_("ask for the organisation"), default=True)
    ask_phone = models.BooleanField(_("ask for a phone number"), default=True)
    ask_message = models.BooleanField(_("ask for a message"), default=True)
    owner = models.ForeignKey(
        USER,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default owner"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lead form")
        verbose_name_plural = _("lead forms")

    def __str__(self) -> str:
        return self.name


class Lead(CompanyOwned):
    TRANSITIONS = {
        (LeadStatus.NEW, LeadStatus.CONTACTED),
        (LeadStatus.NEW, LeadStatus.QUALIFIED),
        (LeadStatus.CONTACTED, LeadStatus.QUALIFIED),
        (LeadStatus.NEW, LeadStatus.DISQUALIFIED),
        (LeadStatus.CONTACTED, LeadStatus.DISQUALIFIED),
        (LeadStatus.DISQUALIFIED, LeadStatus.NEW),
    }

    number = models.CharField(_("number"), max_length=20)
    title = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=14, choices=LeadStatus.choices, default=LeadStatus.NEW)
    source = models.CharField(
        _("source"), max_length=10, choices=LeadSource.choices, default=LeadSource.MANUAL
    )
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    normalised_name = models.CharField(max_length=200, editable=False, db_index=True, blank=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=16, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    industry = models.CharField(_("industry"), max_length=14, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    expected_revenue = models.DecimalField(
        _("expected revenue"), **AMOUNT, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        "sales.SalesTeam",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales team"),
    )
    score = models.IntegerField(_("score"), default=0)
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True)
    consent = models.BooleanField(_("consent to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    consent_text = models.TextField(_("consent text"), blank=True)
    disqualify_reason = models.CharField(_("reason disqualified"), max_length=200, blank=True)
    form = models.ForeignKey(
        LeadForm,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("form"),
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("converted to party"),
    )
    contact = models.ForeignKey(
        "parties.ContactPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("converted to contact"),
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [models.UniqueConstraint(fields=["company", "number"], name="lead_unique_number")]
        indexes = [
            models.Index(fields=["company", "email"], name="lead_email_idx"),
            models.Index(fields=["company", "status", "owner"], name="lead_status_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()

    def save(self, *args, **kwargs) -> None:
        self.normalised_name = normalise_name(self.organisation)
        super().save(*args, **kwargs)

    @property
    def person_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.organisation or self.person_name or self.email


class LeadSubmission(CompanyOwned):
    """One POST to a public lead form: what was sent, from which (hashed) address, and the lead.

    The rows are also the rate limiter's memory, so a burst is counted the same way by every
    server process.
    """

    form = models.ForeignKey(LeadForm, on_delete=models.CASCADE, related_name="submissions")
    lead = models.ForeignKey(
        Lead, on_delete=models.SET_NULL, null=True, blank=True, related_name="submissions"
    )
    at = models.DateTimeField(default=timezone.now)
    client_hash = models.CharField(max_length=64)
    accepted = models.BooleanField(default=True)
    payload = models.JSONField(default=dict, blank=True)

    audit_exclude = frozenset({"client_hash"})

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("lead form submission")
        verbose_name_plural = _("lead form submissions")
        indexes = [models.Index(fields=["client_hash", "at"], name="leadsubmission_rate_idx")]

    def __str__(self) -> str:
        return f"{self.form} {self.at:%Y-%m-%d %H:%M}"


class EngagementKind(models.TextChoices):
    FORM_SUBMISSION = "form_submission", _("Form submitted")
    EMAIL_OPENED = "email_opened", _("E-mail opened")
    EMAIL_CLICKED = "email_clicked", _("E-mail link clicked")
    MEETING_HELD = "meeting_held", _("Meeting held")
    WEB_VISIT = "web_visit", _("Website visit")


class LeadEngagement(CompanyOwned):
    """Something a lead did (behaviour scoring counts these): a form, an opened e-mail, a meeting."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="engagements")
    kind = models.CharField(_("kind"), max_length=16, choices=EngagementKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    source_type = models.CharField(max_length=60, blank=True)
    source_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        indexes = [models.Index(fields=["lead", "kind"], name="engagement_lead_kind_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ScoringCriterion(models.TextChoices):
    COUNTRY = "country", _("Country")
    INDUSTRY = "industry", _("Industry")
    SIZE = "size", _("Number of employees")
    SOURCE = "source", _("Source")
    FORM_SUBMISSIONS = "form_submissions", _("Forms submitted")
    EMAILS_OPENED = "emails_opened", _("E-mails opened")
    EMAILS_CLICKED = "emails_clicked", _("E-mail links clicked")
    MEETINGS_HELD = "meetings_held", _("Meetings held")


ATTRIBUTE_CRITERIA = {ScoringCriterion.COUNTRY, ScoringCriterion.INDUSTRY, ScoringCriterion.SOURCE}
BEHAVIOUR_CRITERIA = {
    ScoringCriterion.FORM_SUBMISSIONS: EngagementKind.FORM_SUBMISSION,
    ScoringCriterion.EMAILS_OPENED: EngagementKind.EMAIL_OPENED,
    ScoringCriterion.EMAILS_CLICKED: EngagementKind.EMAIL_CLICKED,
    ScoringCriterion.MEETINGS_HELD: EngagementKind.MEETING_HELD,
}


class ScoringRule(CompanyOwned):
    """Points for a lead that matches: an attribute (country, industry, source in `values`; size
    between `minimum` and `maximum`) or a behaviour (a count between `minimum` and `maximum`, or with
    `per_occurrence` the points for every occurrence, counting at most `maximum`)."""

    name = models.CharField(_("name"), max_length=120)
    criterion = models.CharField(_("criterion"), max_length=16, choices=ScoringCriterion.choices)
    values = models.CharField(
        _("values"), max_length=500, blank=True, help_text=_("Comma-separated, e.g. NL,BE or ict,finance")
    )
    minimum = models.PositiveIntegerField(_("minimum"), null=True, blank=True)
    maximum = models.PositiveIntegerField(_("maximum"), null=True, blank=True)
    per_occurrence = models.BooleanField(_("points per occurrence"), default=False)
    points = models.IntegerField(_("points"), validators=[MinValueValidator(-1000), MaxValueValidator(1000)])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["criterion", "name"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self) -> str:
        return f"{self.name} ({self.points:+d})"

    def value_list(self) -> list[str]:
        return [v.strip().lower() for v in self.values.split(",") if v.strip()]


class LeadScoreChange(CompanyOwned):
    """The score's history: each recalculation that changed it, with the reasons behind the new score."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="score_changes")
    at = models.DateTimeField(default=timezone.now)
    old_score = models.IntegerField()
    new_score = models.IntegerField()
    reasons = models.JSONField(default=list)
    trigger = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")

    def __str__(self) -> str:
        return f"{self.old_score} → {self.new_score}"


class AssignmentRule(CompanyOwned):
    """Who gets a new lead: the first active rule (by `sequence`) whose territory matches.

    A territory is any combination of countries, a postcode range and industries (empty = any). The
    lead goes to `user`, or round-robin to the members of `team` (the one assigned longest ago).
    """

    name = models.CharField(_("name"), max_length=120)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    countries = models.CharField(_("countries"), max_length=300, blank=True, help_text=_("e.g. NL,BE"))
    postcode_from = models.CharField(_("postcode from"), max_length=16, blank=True)
    postcode_to = models.CharField(_("postcode to"), max_length=16, blank=True)
    industries = models.CharField(_("industries"), max_length=300, blank=True)
    team = models.ForeignKey(
        "sales.SalesTeam",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales team"),
    )
    user = models.ForeignKey(
        USER, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("rep")
    )
    last_assigned = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(team__isnull=False) | Q(user__isnull=False), name="assignmentrule_has_target"
            )
        ]

    def __str__(self) -> str:
        return self.name


class PipelineStage(CompanyOwned):
    name = models.CharField(_("name"), max_length=80)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    probability = models.PositiveSmallIntegerField(
        _("default probability %"), default=10, validators=[MaxValueValidator(100)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="pipelinestage_unique_name"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="pipelinestage_probability_max"),
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(CompanyOwned):
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="lostreason_unique_name")]

    def __str__(self) -> str:
        return self.name


class OpportunityStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Opportunity(CompanyOwned):
    TRANSITIONS = {
        (OpportunityStatus.OPEN, OpportunityStatus.WON),
        (OpportunityStatus.OPEN, OpportunityStatus.LOST),
        (OpportunityStatus.WON, OpportunityStatus.OPEN),
        (OpportunityStatus.LOST, OpportunityStatus.OPEN),
    }

    number = models.CharField(_("number"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    party = models.ForeignKey(
        "parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("customer")
    )
    contact = models.ForeignKey(
        "parties.ContactPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    lead = models.OneToOneField(
        Lead,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opportunity",
        verbose_name=_("from lead"),
    )
    stage = models.ForeignKey(
        PipelineStage, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("stage")
    )
    status = models.CharField(
        _("status"), max_length=6, choices=OpportunityStatus.choices, default=OpportunityStatus.OPEN
    )
    probability = models.PositiveSmallIntegerField(
        _("probability %"), default=10, validators=[MaxValueValidator(100)]
    )
    expected_revenue = models.DecimalField(
        _("expected revenue"), **AMOUNT, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    currency = models.ForeignKey(
        "core.Currency", on_delete=models.PROTECT, related_name="+", verbose_name=_("currency")
    )
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    owner = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("owner")
    )
    team = models.ForeignKey(
        "sales.SalesTeam",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales team"),
    )
    source = models.CharField(_("source"), max_length=10, choices=LeadSource.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    won_reason = models.CharField(_("why we won"), max_length=300, blank=True)
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lost reason"),
    )
    lost_note = models.CharField(_("lost note"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("in stage since"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="opportunity_unique_number"),
            models.CheckConstraint(condition=Q(probability__lte=100), name="opportunity_probability_max"),
            models.CheckConstraint(condition=Q(expected_revenue__gte=0), name="opportunity_revenue_nonneg"),
        ]
        indexes = [
            models.Index(fields=["company", "status", "stage"], name="opportunity_pipeline_idx"),
            models.Index(fields=["company", "party", "status"], name="opportunity_party_idx"),
            models.Index(fields=["company", "status", "expected_close_date"], name="opportunity_close_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def weighted_revenue(self) -> Decimal:
        return (self.expected_revenue * self.probability / Decimal(100)).quantize(Decimal("0.01"))


class OpportunityQuote(CompanyOwned):
    """A quote made for an opportunity (the quote stores source_type/source_id back to it)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="quote_links")
    quote = models.OneToOneField("sales.Quote", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("opportunity quote")
        verbose_name_plural = _("opportunity quotes")

    def __str__(self) -> str:
        return f"{self.opportunity_id} → {self.quote_id}"


class TargetPeriod(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class SalesTarget(CompanyOwned):
    """What a rep should invoice in a period (in the company currency); attainment comes from the
    invoices that carry the rep."""

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+", verbose_name=_("rep"))
    period = models.CharField(
        _("period"), max_length=8, choices=TargetPeriod.choices, default=TargetPeriod.MONTH
    )
    start = models.DateField(_("starts"))
    end = models.DateField(_("ends"), editable=False)
    amount = models.DecimalField(_("target"), **AMOUNT, validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["-start", "user_id"]
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        constraints = [
            models.UniqueConstraint(fields=["company", "user", "period", "start"], name="salestarget_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="salestarget_amount_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.start:%Y-%m} ({self.get_period_display()})"


class ActivityKind(models.TextChoices):
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Activity(CompanyOwned):
    """A task, call, meeting or e-mail, about a party, contact, lead and/or opportunity."""

    TRANSITIONS = {
        (ActivityStatus.PLANNED, ActivityStatus.DONE),
        (ActivityStatus.PLANNED, ActivityStatus.CANCELLED),
        (ActivityStatus.DONE, ActivityStatus.PLANNED),
        (ActivityStatus.CANCELLED, ActivityStatus.PLANNED),
    }

    kind = models.CharField(_("kind"), max_length=8, choices=ActivityKind.choices, default=ActivityKind.TASK)
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED
    )
    due_at = models.DateTimeField(_("due / starts"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"), default=0, validators=[MaxValueValidator(24 * 60 * 14)]
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=300, blank=True)
    assigned_to = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned to")
    )
    party = models.ForeignKey(
        "parties.Party",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("party"),
    )
    contact = models.ForeignKey(
        "parties.ContactPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    lead = models.ForeignKey(
        Lead,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("lead"),
    )
    opportunity = models.ForeignKey(
        Opportunity,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("opportunity"),
    )
    reminder_at = models.DateTimeField(_("remind at"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints = [
            models.CheckConstraint(
                condition=Q(party__isnull=False)
                | Q(contact__isnull=False)
                | Q(lead__isnull=False)
                | Q(opportunity__isnull=False),
                name="activity_is_about_something",
            )
        ]
        indexes = [
            models.Index(fields=["company", "assigned_to", "status", "due_at"], name="activity_agenda_idx"),
            models.Index(fields=["company", "party", "due_at"], name="activity_party_idx"),
            models.Index(fields=["status", "reminder_at"], name="activity_reminder_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"


class CalendarFeed(CompanyOwned):
    """A user's secret iCalendar URL; only the SHA-256 of the secret is stored."""

    audit_exclude = frozenset({"key_hash"})

    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"
