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
