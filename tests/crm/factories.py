"""Builders of CRM records for the CRM tests (through the services, like users make them)."""

from __future__ import annotations

import itertools
from decimal import Decimal
from typing import Any

from kern.crm import services
from tests.builders import a_customer, a_user

_seq = itertools.count(1)


def a_rep(company: Any, *roles: str, **kwargs: Any) -> Any:
    return a_user(company, *(roles or ("sales_rep",)), **kwargs)


def a_lead(company: Any, **fields: Any) -> Any:
    n = next(_seq)
    fields.setdefault("organisation", f"Prospect {n} BV")
    fields.setdefault("last_name", f"Jansen{n}")
    fields.setdefault("email", f"contact{n}@prospect{n}.example")
    return services.create_lead(company, **fields)


def an_opportunity(company: Any, party: Any = None, **fields: Any) -> Any:
    n = next(_seq)
    fields.setdefault("name", f"Deal {n}")
    fields.setdefault("expected_revenue", Decimal("1000.00"))
    return services.create_opportunity(company, party=party or a_customer(company), **fields)


def a_team(company: Any, name: str | None = None, *, manager: Any = None, members: tuple = ()) -> Any:
    # Test set-up: sales owns teams; until its team service lands the row is made directly.
    from kern.sales.models import SalesTeam

    team = SalesTeam.objects.create(company=company, name=name or f"Team {next(_seq)}", manager=manager)
    team.members.set(members)
    return team
