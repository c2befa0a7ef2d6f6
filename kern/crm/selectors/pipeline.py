"""Reads of the pipeline: stages, the kanban board, the weighted forecast."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from kern.core.models import Company
from kern.core.money import quantize
from kern.core.selectors import MissingExchangeRate, rate_on
from kern.crm.exceptions import CrmValidationError
from kern.crm.models import LostReason, Opportunity, OpportunityStatus, PipelineStage
from kern.crm.selectors.visibility import visible_opportunities

__all__ = [
    "ForecastRow",
    "KanbanColumn",
    "RateCache",
    "active_stages",
    "first_stage",
    "kanban_board",
    "lost_reasons",
    "month_starts",
    "totals_by_month",
    "weighted_forecast",
]

ZERO = Decimal("0")


def active_stages(company: Any) -> QuerySet[PipelineStage]:
    return PipelineStage.objects.for_company(company).filter(is_active=True).order_by("sequence", "id")


def first_stage(company: Any) -> PipelineStage | None:
    return active_stages(company).first()


def lost_reasons(company: Any) -> QuerySet[LostReason]:
    return LostReason.objects.for_company(company).filter(is_active=True)


class RateCache:
    """Converts amounts into the company currency with one rate lookup per currency."""

    def __init__(self, company: Company, on: dt.date | None = None) -> None:
        self.company = company
        self.base = company.base_currency_id
        self.on = on or dt.date.today()
        self._rates: dict[str, Decimal | None] = {self.base: Decimal(1)}

    def rate(self, currency: str) -> Decimal | None:
        if currency not in self._rates:
            try:
                self._rates[currency] = rate_on(currency, self.base, self.on, company=self.company)
            except MissingExchangeRate:
                self._rates[currency] = None  # shown unconverted rather than failing the page
        return self._rates[currency]

    def to_base(self, amount: Decimal, currency: str) -> Decimal:
        rate = self.rate(currency)
        return quantize(amount * (rate if rate is not None else Decimal(1)), self.base)


@dataclass
class KanbanColumn:
    stage: PipelineStage
    cards: list[Opportunity] = field(default_factory=list)
    count: int = 0
    expected: Decimal = ZERO
    weighted: Decimal = ZERO


def kanban_board(
    user: Any, company: Company, *, owner: int | None = None, search: str = "", limit_per_stage: int = 200
) -> list[KanbanColumn]:
    """Open opportunities the user may see, one column per active stage, totals in company currency."""
    columns = {stage.pk: KanbanColumn(stage) for stage in active_stages(company)}
    qs = (
        visible_opportunities(user, company)
        .filter(status=OpportunityStatus.OPEN, stage_id__in=list(columns))
        .select_related("party", "owner")
        .order_by("expected_close_date", "-expected_revenue", "id")
    )
    if owner:
        qs = qs.filter(owner_id=owner)
    if search:
        qs = qs.filter(
            Q(name__icontains=search) | Q(party__name__icontains=search) | Q(number__iexact=search)
        )
    rates = RateCache(company)
    for opp in qs:
        column = columns[opp.stage_id]
        column.count += 1
        amount = rates.to_base(opp.expected_revenue, opp.currency_id)
        column.expected += amount
        column.weighted += quantize(amount * opp.probability / Decimal(100), company.base_currency_id)
        if len(column.cards) < limit_per_stage:
            column.cards.append(opp)
    return list(columns.values())


@dataclass
class ForecastRow:
    month: dt.date
    key: int | None
    label: str
    count: int = 0
    expected: Decimal = ZERO
    weighted: Decimal = ZERO
    won: Decimal = ZERO


def month_starts(start: dt.date, months: int) -> list[dt.date]:
    """The first days of `months` months from `start`'s month; a range beyond the calendar's last
    year is a validation error (422 / a form message), not a crash."""
    first = start.replace(day=1)
    out = []
    for i in range(months):
        y, m = divmod(first.month - 1 + i, 12)
        if first.year + y > dt.MAXYEAR:
            raise CrmValidationError.on("start", f"the period runs past the year {dt.MAXYEAR}")
        out.append(dt.date(first.year + y, m + 1, 1))
    return out


def _month(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def weighted_forecast(
    user: Any, company: Company, *, start: dt.date, months: int = 6, by: str = "rep"
) -> list[ForecastRow]:
    """Per month (by expected close date) and per rep, team or in total: the open pipeline, its
    probability-weighted value, and what was won in that month — in the company currency."""
    if by not in {"rep", "team", "total"}:
        raise ValueError("by is rep, team or total")
    bounds = month_starts(start, months + 1)  # the month after the last one bounds the query
    months_list, end = bounds[:-1], bounds[-1]
    begin = months_list[0]
    group = {"rep": "owner_id", "team": "team_id", "total": None}[by]
    base = visible_opportunities(user, company)
    weighted = ExpressionWrapper(
        F("expected_revenue") * F("probability"), output_field=DecimalField(max_digits=30, decimal_places=4)
    )
    fields = ["month", "currency_id", *([group] if group else [])]
    open_rows = (
        base.filter(
            status=OpportunityStatus.OPEN, expected_close_date__gte=begin, expected_close_date__lt=end
        )
        .annotate(month=TruncMonth("expected_close_date"))
        .values(*fields)
        .annotate(n=Count("id"), expected=Sum("expected_revenue"), weighted=Sum(weighted))
        .order_by()
    )
    won_rows = (
        base.filter(status=OpportunityStatus.WON, closed_on__gte=begin, closed_on__lt=end)
        .annotate(month=TruncMonth("closed_on"))
        .values(*fields)
        .annotate(won=Sum("expected_revenue"))
        .order_by()
    )
    rates = RateCache(company)
    rows: dict[tuple[dt.date, int | None], ForecastRow] = {}

    def row_for(item: dict[str, Any]) -> ForecastRow:
        key = (_month(item["month"]), item.get(group) if group else None)
        if key not in rows:
            rows[key] = ForecastRow(month=key[0], key=key[1], label="")
        return rows[key]

    for item in open_rows:
        row = row_for(item)
        row.count += item["n"]
        row.expected += rates.to_base(item["expected"] or ZERO, item["currency_id"])
        row.weighted += rates.to_base((item["weighted"] or ZERO) / Decimal(100), item["currency_id"])
    for item in won_rows:
        row_for(item).won += rates.to_base(item["won"] or ZERO, item["currency_id"])
    labels = _labels(by, {key for (_m, key) in rows if key is not None})
    for row in rows.values():
        row.label = labels.get(row.key, "") if row.key is not None else ""
    return sorted(rows.values(), key=lambda r: (r.month, r.label, r.key or 0))


def _labels(by: str, keys: set[int]) -> dict[int, str]:
    if not keys:
        return {}
    if by == "rep":
        users = get_user_model().objects.filter(pk__in=keys)
        return {u.pk: (u.get_full_name() or u.get_username()) for u in users}
    from kern.crm.selectors.teams import team_names

    return team_names(keys)


def totals_by_month(rows: list[ForecastRow]) -> dict[dt.date, dict[str, Decimal]]:
    out: dict[dt.date, dict[str, Decimal]] = defaultdict(
        lambda: {"expected": ZERO, "weighted": ZERO, "won": ZERO}
    )
    for row in rows:
        out[row.month]["expected"] += row.expected
        out[row.month]["weighted"] += row.weighted
        out[row.month]["won"] += row.won
    return dict(out)
