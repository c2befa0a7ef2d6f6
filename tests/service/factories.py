"""Builders for service desk tests: agents in a team, a customer with a contact, tickets."""

from __future__ import annotations

from typing import Any

from kern.parties import services as party_services
from kern.service import services
from kern.service.models import Team
from tests.builders import a_customer, a_user


def an_agent(company, *roles: str, team: Team | None = None, skills: list[str] | None = None, **kw: Any):
    user = a_user(company, *(roles or ("service_agent",)), **kw)
    team = team or Team.objects.get(company=company, is_default=True)
    services.add_team_member(team, user=user, skills=skills or [])
    return user


def a_customer_with_contact(
    company, name: str = "Bakkerij De Vries", email: str = "anna@devries.test", **fields: Any
):
    customer = a_customer(company, name, **fields)
    contact = party_services.add_contact(customer, first_name="Anna", last_name="de Vries", email=email)
    return customer, contact


def a_ticket(company, subject: str = "Levering kwijt", **fields: Any):
    fields.setdefault("description", "Mijn bestelling is niet aangekomen.")
    fields.setdefault("channel", "api")
    return services.open_ticket(company, subject=subject, **fields)
