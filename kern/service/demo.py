"""Demo data of the service desk: teams, SLA set-up, knowledge articles, canned replies and
tickets in every state with running, at-risk, breached and met SLA timers. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kern.parties.models import ContactPerson, Party
from kern.service import services
from kern.service.models import (
    CannedReply,
    KnowledgeArticle,
    KnowledgeCategory,
    RoutingRule,
    ServiceContract,
    Team,
    TeamMember,
    Ticket,
    TicketCategory,
    TicketStatus,
    TierThreshold,
)

ARTICLES = [
    (
        "Hoe vraag ik een retour aan?",
        "Retouren",
        "retour terugsturen omruilen",
        "public",
        "Log in op het klantportaal, open de order en kies <b>Retour aanvragen</b>. "
        "U ontvangt binnen een werkdag een retourlabel.",
    ),
    (
        "Factuur kwijt of opnieuw nodig",
        "Facturen",
        "factuur pdf kopie ubl",
        "public",
        "Alle facturen staan in het klantportaal onder <i>Facturen</i>, als PDF en als UBL.",
    ),
    (
        "Levering is beschadigd aangekomen",
        "Leveringen",
        "schade beschadigd levering kapot",
        "public",
        "Maak foto's van de verpakking en het product en voeg ze toe aan een ticket. "
        "Wij sturen binnen twee werkdagen een vervangend product.",
    ),
    (
        "Procedure: creditnota bij schade",
        "Leveringen",
        "creditnota schade intern",
        "internal",
        "Controleer de foto's, maak een creditnota in Verkoop en koppel die aan het ticket.",
    ),
]

CANNED = [
    (
        "Bedankt, we kijken ernaar",
        "Beste {contact},\n\nBedankt voor uw bericht over {subject}. We zoeken het uit en laten "
        "binnen een werkdag van ons horen.\n\nMet vriendelijke groet,\n{agent}",
    ),
    (
        "Opgelost",
        "Beste {contact},\n\nHet probleem uit ticket {ticket} is opgelost. Laat het ons weten als "
        "er nog iets is.\n\nMet vriendelijke groet,\n{agent}",
    ),
]

TICKETS = [
    # subject, state, hours ago opened, priority, category
    ("Bestelling nog niet ontvangen", "new", 1, "normal", "Leveringen"),
    ("Factuur klopt niet: dubbel berekend", "open", 6, "high", "Facturen"),
    ("Pakket beschadigd bij levering", "open", 30, "urgent", "Leveringen"),
    ("Retour van 3 stoelen", "pending", 20, "normal", "Retouren"),
    ("Vraag over levertijd bureaus", "resolved", 50, "low", "Leveringen"),
    ("Adreswijziging doorgeven", "closed", 120, "normal", "Algemeen"),
    ("Bestelling nog niet ontvangen (dubbel)", "merged", 2, "normal", "Leveringen"),
    ("Storing in de bestelpagina", "breached", 200, "high", "Algemeen"),
]


def load_service(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx["company"]
    users = ctx.get("users", {})
    agent, manager = users.get("service_agent"), users.get("administrator")
    team = Team.objects.for_company(company).filter(is_default=True).first()
    if team is None:
        team = services.create_team(company, name="Support", is_default=True)
    if not team.email:
        services.update_team(team, email="support@kern-demo.nl", web_form_enabled=True, lead=manager)
    premium = Team.objects.for_company(company).filter(
        name="Premium support"
    ).first() or services.create_team(
        company, name="Premium support", email="premium@kern-demo.nl", lead=manager
    )
    for member_team, user, skills in [
        (team, agent, ["levering", "factuur"]),
        (team, manager, ["factuur"]),
        (premium, manager, []),
    ]:
        if user is not None and not TeamMember.objects.filter(team=member_team, user=user).exists():
            services.add_team_member(member_team, user=user, skills=skills)
    categories = {}
    for name, skill in [
        ("Leveringen", "levering"),
        ("Facturen", "factuur"),
        ("Retouren", "levering"),
        ("Algemeen", ""),
    ]:
        categories[name] = TicketCategory.objects.for_company(company).filter(
            name=name
        ).first() or services.create_category(company, name=name, team=team, skill=skill)

    if not RoutingRule.objects.for_company(company).exists():
        services.create_routing_rule(
            company, name="Gold-klanten naar Premium", min_tier="gold", team=premium, sequence=10
        )
    if not TierThreshold.objects.for_company(company).exists():
        services.set_tier_threshold(company, tier="silver", min_revenue=Decimal("25000"))
        services.set_tier_threshold(company, tier="gold", min_revenue=Decimal("100000"))
    customers = list(Party.objects.for_company(company).filter(is_customer=True).order_by("pk")[:12])
    if customers and not ServiceContract.objects.for_company(company).exists():
        services.create_contract(
            company,
            party=customers[0],
            reference="SLA-GOLD-001",
            tier="gold",
            starts_on=dt.date.today().replace(month=1, day=1),
        )
    if not KnowledgeArticle.objects.for_company(company).exists():
        for title, cat, keywords, visibility, body in ARTICLES:
            kb_cat = KnowledgeCategory.objects.for_company(company).filter(
                name=cat
            ).first() or services.create_knowledge_category(company, name=cat)
            article = services.create_article(
                company, title=title, category=kb_cat, keywords=keywords, visibility=visibility, body=body
            )
            services.publish_article(article)
    for name, body in CANNED:
        if not CannedReply.objects.for_company(company).filter(name=name).exists():
            services.create_canned_reply(company, name=name, body=body)
    if Ticket.objects.for_company(company).exists() or not customers:
        return
    now = timezone.now()
    merged_target = None
    for i, (subject, state, hours_ago, priority, cat) in enumerate(TICKETS):
        customer = customers[0] if state == "merged" else customers[i % len(customers)]
        contact = ContactPerson.objects.filter(party=customer).first()
        opened = now - dt.timedelta(hours=hours_ago)
        ticket = services.open_ticket(
            company,
            subject=subject,
            description=f"{subject}. Kunt u mij helpen?",
            channel=["email", "portal", "web_form", "phone"][i % 4],
            customer=customer,
            contact=contact,
            requester_email=(contact.email if contact and contact.email else customer.email)
            or "klant@example.nl",
            requester_name=str(contact or customer),
            priority=priority,
            category=categories[cat],
            now=opened,
        )
        if i == 0:
            merged_target = ticket
        if state in ("open", "pending", "resolved", "closed") and agent is not None:
            services.reply_to_ticket(
                ticket,
                body="Dank voor uw bericht, we zoeken het uit.",
                by=agent,
                then=TicketStatus.PENDING if state == "pending" else None,
            )
            services.add_note(ticket, body="Magazijn gevraagd om de zending na te kijken.", by=agent)
        if state in ("resolved", "closed"):
            services.resolve_ticket(ticket, by=agent)
        if state == "closed":
            services.close_ticket(ticket, by=agent)
        if state == "merged" and merged_target is not None:
            services.merge_tickets(ticket, merged_target, by=agent)
    services.check_service_levels(company=company)
