"""The CRM's configuration: stages, lost reasons, scoring and assignment rules, settings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from kern.core.db import atomic
from kern.core.models import Company
from kern.core.services import validated
from kern.crm.exceptions import CrmValidationError
from kern.crm.models import (
    ATTRIBUTE_CRITERIA,
    AssignmentRule,
    CrmSettings,
    Industry,
    LostReason,
    PipelineStage,
    ScoringCriterion,
    ScoringRule,
    Visibility,
)
from kern.crm.services._common import acting, member, resolve
from kern.sales.models import SalesTeam

__all__ = [
    "create_assignment_rule",
    "create_lost_reason",
    "create_scoring_rule",
    "create_stage",
    "update_assignment_rule",
    "update_crm_settings",
    "update_lost_reason",
    "update_scoring_rule",
    "update_stage",
]


def _set(obj: Any, allowed: set[str], fields: dict[str, Any]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise CrmValidationError.on(sorted(unknown)[0], gettext("unknown field"))
    for name, value in fields.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)


def _save(obj: Any, by: Any) -> Any:
    validated(obj)
    with atomic(), acting(by):
        obj.save()
    return obj


STAGE_FIELDS = {"name", "sequence", "probability", "is_active"}


def create_stage(company: Company, *, by: Any = None, **fields: Any) -> PipelineStage:
    stage = PipelineStage(company=company)
    _set(stage, STAGE_FIELDS, fields)
    _unique_name(stage)
    return _save(stage, by)


def update_stage(stage: PipelineStage, *, by: Any = None, **fields: Any) -> PipelineStage:
    _set(stage, STAGE_FIELDS, fields)
    _unique_name(stage)
    return _save(stage, by)


def _unique_name(obj: Any) -> None:
    clash = type(obj).objects.filter(company_id=obj.company_id, name__iexact=obj.name).exclude(pk=obj.pk)
    if obj.name and clash.exists():
        raise CrmValidationError.on(
            "name", gettext("there is already one called %(name)s") % {"name": repr(obj.name)}
        )


def create_lost_reason(company: Company, *, by: Any = None, **fields: Any) -> LostReason:
    reason = LostReason(company=company)
    _set(reason, {"name", "is_active"}, fields)
    _unique_name(reason)
    return _save(reason, by)


def update_lost_reason(reason: LostReason, *, by: Any = None, **fields: Any) -> LostReason:
    _set(reason, {"name", "is_active"}, fields)
    _unique_name(reason)
    return _save(reason, by)


RULE_FIELDS = {"name", "criterion", "values", "minimum", "maximum", "per_occurrence", "points", "is_active"}


def _check_rule(rule: ScoringRule) -> None:
    if rule.criterion not in ScoringCriterion.values:
        raise CrmValidationError.on(
            "criterion", gettext("unknown criterion %(criterion)s") % {"criterion": repr(rule.criterion)}
        )
    if rule.criterion in ATTRIBUTE_CRITERIA and not rule.value_list():
        raise CrmValidationError.on("values", gettext("list the values that score, e.g. NL,BE"))
    if rule.criterion == ScoringCriterion.INDUSTRY:
        bad = [v for v in rule.value_list() if v not in Industry.values]
        if bad:
            raise CrmValidationError.on(
                "values", gettext("unknown industries: %(industries)s") % {"industries": ", ".join(bad)}
            )
    if rule.minimum is not None and rule.maximum is not None and rule.minimum > rule.maximum:
        raise CrmValidationError.on("maximum", gettext("the maximum is below the minimum"))
    if rule.criterion == ScoringCriterion.SIZE and rule.minimum is None and rule.maximum is None:
        raise CrmValidationError.on("minimum", gettext("give a minimum and/or maximum number of employees"))


def create_scoring_rule(
    company: Company, *, by: Any = None, rescore: bool = True, **fields: Any
) -> ScoringRule:
    rule = ScoringRule(company=company)
    _set(rule, RULE_FIELDS, fields)
    _check_rule(rule)
    with atomic():
        _save(rule, by)
        if rescore:
            _rescore(company, by)
    return rule


def update_scoring_rule(
    rule: ScoringRule, *, by: Any = None, rescore: bool = True, **fields: Any
) -> ScoringRule:
    _set(rule, RULE_FIELDS, fields)
    _check_rule(rule)
    with atomic():
        _save(rule, by)
        if rescore:
            _rescore(rule.company, by)
    return rule


def _rescore(company: Company, by: Any) -> None:
    from kern.crm.services.leads import rescore_leads

    rescore_leads(company, by=by)


ASSIGNMENT_FIELDS = {
    "name",
    "sequence",
    "countries",
    "postcode_from",
    "postcode_to",
    "industries",
    "team",
    "user",
    "is_active",
}


def _assignment(rule: AssignmentRule, fields: dict[str, Any]) -> None:
    refs = {k: fields.pop(k) for k in ("team", "user") if k in fields}
    _set(rule, ASSIGNMENT_FIELDS - {"team", "user"}, fields)
    if "user" in refs:
        rule.user = member(rule.company_id, "user", refs["user"])
    if "team" in refs:
        rule.team = resolve(SalesTeam, rule.company_id, "team", refs["team"])
    rule.countries = ",".join(c.strip().upper() for c in rule.countries.split(",") if c.strip())
    rule.industries = ",".join(i.strip().lower() for i in rule.industries.split(",") if i.strip())
    bad = [i for i in rule.industries.split(",") if i and i not in Industry.values]
    if bad:
        raise CrmValidationError.on(
            "industries", gettext("unknown industries: %(industries)s") % {"industries": ", ".join(bad)}
        )
    if rule.user_id is None and rule.team_id is None:
        raise CrmValidationError.on("user", gettext("give a rep or a team to assign to"))


def create_assignment_rule(company: Company, *, by: Any = None, **fields: Any) -> AssignmentRule:
    rule = AssignmentRule(company=company)
    _assignment(rule, fields)
    return _save(rule, by)


def update_assignment_rule(rule: AssignmentRule, *, by: Any = None, **fields: Any) -> AssignmentRule:
    _assignment(rule, fields)
    return _save(rule, by)


SETTINGS_FIELDS = {"rep_visibility", "form_rate_limit", "form_rate_window_minutes"}


def update_crm_settings(company: Company, *, by: Any = None, **fields: Any) -> CrmSettings:
    with atomic(), acting(by):
        config, _created = CrmSettings.objects.get_or_create(
            company=company, defaults={"rep_visibility": Visibility.TEAM}
        )
        _set(config, SETTINGS_FIELDS, fields)
        validated(config)
        config.save()
    return config
