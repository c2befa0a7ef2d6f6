"""Demo data of the CRM: a realistic pipeline (idempotent; `ctx["scale"]` multiplies it).

Reps and a manager, scoring and assignment rules, a web form, leads in every state (some with
behaviour, some converted), opportunities in every stage and won/lost ones, quotes for the open
deals in the proposal and negotiation stages (made from the opportunity, priced by sales, linked
back), activities (overdue, today, coming, done) and monthly targets.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from kern.catalog import selectors as catalog
from kern.crm import services
from kern.crm.models import Lead, LostReason, Opportunity, PipelineStage
from kern.parties.models import Party

DEMO_DOMAIN = "demo-lead.example"
PROPOSAL_PROBABILITY = 50  # the default "Proposal" stage and beyond
ORGS = [
    ("Koffiebranderij Het Anker", "hospitality", "NL", "1016 AB", "Amsterdam", 35),
    ("Installatietechniek Noord", "construction", "NL", "9723 CD", "Groningen", 120),
    ("Datalab Utrecht", "ict", "NL", "3511 EF", "Utrecht", 60),
    ("Zorggroep Rijnmond", "healthcare", "NL", "3011 GH", "Rotterdam", 850),
    ("Logistiek Brabant", "transport", "NL", "5611 IJ", "Eindhoven", 240),
    ("Bouwbedrijf Van Dam", "construction", "NL", "2511 KL", "Den Haag", 75),
    ("Gemeente Zuidhaven", "government", "NL", "4811 MN", "Breda", 400),
    ("Bloemenveiling Westland", "wholesale", "NL", "2671 OP", "Naaldwijk", 300),
    ("Brouwerij De Gouden Leeuw", "manufacturing", "BE", "2000", "Antwerpen", 45),
    ("Softwarehuis Gent", "ict", "BE", "9000", "Gent", 25),
    ("Maschinenbau Köhler", "manufacturing", "DE", "40210", "Düsseldorf", 520),
    ("Hotel Zeezicht", "hospitality", "NL", "2042 QR", "Zandvoort", 40),
    ("Accountantskantoor Visser", "professional", "NL", "8011 ST", "Zwolle", 18),
    ("Tandartsenpraktijk Smile", "healthcare", "NL", "6511 UV", "Nijmegen", 12),
    ("Retailketen Mode&Meer", "retail", "NL", "1315 WX", "Almere", 160),
]
FIRST = ["Anna", "Bram", "Eva", "Jeroen", "Lotte", "Mark", "Noor", "Pieter", "Sophie", "Tim"]
LAST = ["Jansen", "de Vries", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Bos"]
DEALS = [
    "Nieuwe inrichting",
    "Jaarcontract",
    "Uitbreiding",
    "Vervanging",
    "Proefproject",
    "Onderhoudscontract",
]


def _reps(company: Any, ctx: dict[str, Any]) -> list[Any]:
    """The demo's sales rep and sales manager (the demo has one user per role)."""
    users = ctx.get("users", {})
    reps = [u for u in (users.get("sales_rep"), users.get("sales_manager")) if u is not None]
    if not reps:
        reps = list(
            get_user_model().objects.filter(memberships__company=company, is_active=True).order_by("id")[:2]
        )
    return reps


def load_crm(ctx: dict[str, Any], progress: Any = None) -> None:
    company = ctx["company"]
    scale = max(1, int(ctx.get("scale", 1)))
    services.install_crm_defaults(company)
    if Lead.objects.for_company(company).filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        return
    rng = random.Random(90)  # deterministic demo data
    reps = _reps(company, ctx)
    manager = ctx.get("users", {}).get("sales_manager") or reps[0]
    west, east = reps[-2], reps[-1]
    _rules(company, west, east, manager)
    form = services.create_lead_form(
        company, name="Contact", title="Vraag een offerte aan", owner=reps[0], by=manager
    )
    today = timezone.localdate()
    now = timezone.now()
    leads = _leads(company, rng, scale, reps, form)
    if progress:
        progress(1, 4)
    stages = list(PipelineStage.objects.for_company(company).filter(is_active=True).order_by("sequence"))
    reasons = list(LostReason.objects.for_company(company))
    customers = list(
        Party.objects.for_company(company).filter(is_customer=True, is_active=True).order_by("id")
    )
    opportunities = []
    # A few qualified leads become opportunities the way a rep would do it.
    for lead in leads[: 3 * scale]:
        result = services.convert_lead(
            lead,
            by=lead.owner or manager,
            expected_revenue=Decimal(rng.randrange(20, 400) * 100),
            expected_close_date=today + dt.timedelta(days=rng.randrange(10, 150)),
        )
        opportunities.append(result.opportunity)
    for i in range(25 * scale):
        if not customers:
            break
        party = customers[(i * 7) % len(customers)]
        owner = reps[i % len(reps)]
        opp = services.create_opportunity(
            company,
            by=owner,
            name=f"{DEALS[i % len(DEALS)]} {party.name}"[:200],
            party=party,
            owner=owner,
            stage=stages[i % len(stages)] if stages else None,
            expected_revenue=Decimal(rng.randrange(5, 600) * 100),
            expected_close_date=today + dt.timedelta(days=rng.randrange(-20, 180)),
            source=rng.choice(["referral", "web_form", "event", "manual", "campaign"]),
        )
        opportunities.append(opp)
    if progress:
        progress(2, 4)
    for i, opp in enumerate(opportunities):
        if i % 6 == 4:
            services.mark_won(
                opp,
                by=opp.owner,
                won_reason=rng.choice(["Beste prijs-kwaliteit", "Snelle levering", "Bestaande relatie"]),
                closed_on=today - dt.timedelta(days=rng.randrange(0, 90)),
            )
        elif i % 6 == 5 and reasons:
            services.mark_lost(
                opp,
                by=opp.owner,
                lost_reason=reasons[i % len(reasons)],
                closed_on=today - dt.timedelta(days=rng.randrange(0, 90)),
            )
    _quotes(company, rng, scale, opportunities)
    _activities(company, rng, scale, opportunities, leads, now)
    if progress:
        progress(3, 4)
    for rep in reps:
        for months_ahead in (-1, 0, 1, 2):
            start = (today.replace(day=1) + dt.timedelta(days=32 * months_ahead)).replace(day=1)
            services.set_target(
                company,
                by=manager,
                user=rep,
                period="month",
                start=start,
                amount=Decimal(25000 + 5000 * (rep.pk % 3)),
            )
    if progress:
        progress(4, 4)


def _quotes(company: Any, rng: random.Random, scale: int, opportunities: list[Opportunity]) -> None:
    """Open deals that reached a proposal get a quote the way a rep makes one: from the
    opportunity (`create_quote_for_opportunity`: sales prices it, the CRM links it back), for
    about the expected revenue. Without sellable products (the CRM demo on its own) none."""
    products = list(
        catalog.products_for(company)
        .filter(is_active=True, can_be_sold=True, is_configurable=False, sale_price__gt=0)
        .order_by("sku")[:20]
    )
    proposed = [o for o in opportunities if o.status == "open" and o.probability >= PROPOSAL_PROBABILITY]
    if not products:
        return
    for i, opp in enumerate(proposed[: 4 * scale]):
        main, extra = rng.choice(products), rng.choice(products)
        lines = [
            {"product": main.pk, "quantity": max(1, min(200, int(opp.expected_revenue / main.sale_price)))}
        ]
        if i % 3 == 0 and extra != main:
            lines.append({"product": extra.pk, "quantity": rng.randrange(1, 5)})
        services.create_quote_for_opportunity(
            opp, by=opp.owner, lines=lines, customer_reference=f"{opp.number} {opp.name}"[:80]
        )


def _rules(company: Any, west: Any, east: Any, manager: Any) -> None:
    for name, criterion, values, minimum, maximum, per, points in [
        ("Benelux", "country", "NL,BE", None, None, False, 10),
        ("Duitsland", "country", "DE", None, None, False, 5),
        ("IT-bedrijven", "industry", "ict", None, None, False, 15),
        ("Productie", "industry", "manufacturing", None, None, False, 10),
        ("Middelgroot (50-500)", "size", "", 50, 500, False, 20),
        ("Groot (500+)", "size", "", 501, None, False, 10),
        ("Formulier ingevuld", "form_submissions", "", None, 3, True, 5),
        ("E-mail geopend", "emails_opened", "", None, 5, True, 2),
        ("Afspraak gehad", "meetings_held", "", 1, None, False, 25),
    ]:
        services.create_scoring_rule(
            company,
            by=manager,
            rescore=False,
            name=name,
            criterion=criterion,
            values=values,
            minimum=minimum,
            maximum=maximum,
            per_occurrence=per,
            points=points,
        )
    services.create_assignment_rule(
        company,
        by=manager,
        name="Randstad",
        sequence=10,
        countries="NL",
        postcode_from="1000",
        postcode_to="3999",
        user=west,
    )
    services.create_assignment_rule(
        company,
        by=manager,
        name="Oost en zuid",
        sequence=20,
        countries="NL",
        postcode_from="4000",
        postcode_to="9999",
        user=east,
    )
    services.create_assignment_rule(
        company, by=manager, name="Export", sequence=30, countries="BE,DE", user=manager
    )


def _leads(company: Any, rng: random.Random, scale: int, reps: list[Any], form: Any) -> list[Lead]:
    created = []
    for i in range(30 * scale):
        org, industry, country, postcode, city, size = ORGS[i % len(ORGS)]
        first, last = FIRST[i % len(FIRST)], LAST[(i * 3) % len(LAST)]
        suffix = f" {i // len(ORGS) + 1}" if i >= len(ORGS) else ""
        lead = services.create_lead(
            company,
            by=reps[i % len(reps)],
            title=f"{rng.choice(['Offerteaanvraag', 'Informatie', 'Demo', 'Terugbelverzoek'])} {org}{suffix}",
            organisation=f"{org}{suffix}",
            first_name=first,
            last_name=last,
            job_title=rng.choice(
                ["Inkoper", "Directeur", "Office manager", "Hoofd ICT", "Facilitair manager"]
            ),
            email=f"{first.lower()}.{last.lower().replace(' ', '')}{i}@{DEMO_DOMAIN}",
            phone=f"+31 6 {rng.randrange(10000000, 99999999)}",
            postcode=postcode,
            city=city,
            country=country,
            industry=industry,
            employees=size,
            expected_revenue=Decimal(rng.randrange(10, 300) * 100),
            source=rng.choice(["web_form", "event", "referral", "import", "campaign"]),
            consent=True,
        )
        for _ in range(rng.randrange(0, 4)):
            services.record_engagement(lead, "email_opened", detail="Nieuwsbrief")
        if i % 5 == 0:
            services.record_engagement(lead, "form_submission", detail=form.name)
        created.append(lead)
    # Work done on them: some contacted, some disqualified (converted ones are picked by the caller).
    for i, lead in enumerate(created):
        if i % 4 == 1:
            services.mark_lead_contacted(lead, by=lead.owner)
        elif i % 9 == 8:
            services.disqualify_lead(lead, by=lead.owner, reason="Geen budget dit jaar")
    return [lead for lead in created if lead.status in ("new", "contacted")]


def _activities(
    company: Any,
    rng: random.Random,
    scale: int,
    opportunities: list[Opportunity],
    leads: list[Lead],
    now: dt.datetime,
) -> None:
    open_opps = [o for o in opportunities if o.status == "open"]
    for i, opp in enumerate(open_opps):
        owner = opp.owner
        if owner is None:
            continue
        services.log_activity(
            company,
            by=owner,
            kind=rng.choice(["call", "email", "meeting"]),
            subject=rng.choice(["Kennismaking", "Behoefte besproken", "Offerte toegelicht", "Prijsafspraak"]),
            opportunity=opp,
            due_at=now - dt.timedelta(days=rng.randrange(1, 40)),
            outcome=rng.choice(["Positief", "Wil bedenktijd", "Stuurt specificaties"]),
        )
        offset = dt.timedelta(days=(i % 9) - 3, hours=rng.randrange(0, 6))
        due = now.replace(hour=9, minute=0, second=0, microsecond=0) + offset
        services.schedule_activity(
            company,
            by=owner,
            kind=["call", "meeting", "task"][i % 3],
            subject=rng.choice(
                ["Nabellen offerte", "Demo op locatie", "Contract voorbereiden", "Beslissing bespreken"]
            ),
            opportunity=opp,
            due_at=due,
            reminder_at=due - dt.timedelta(minutes=30),
            location="Op locatie" if i % 3 == 1 else "",
        )
    for lead in leads[: 10 * scale]:
        if lead.owner is not None:
            services.schedule_activity(
                company,
                by=lead.owner,
                kind="call",
                subject=f"Eerste contact {lead.organisation}"[:200],
                lead=lead,
                due_at=now + dt.timedelta(days=rng.randrange(-2, 5), hours=1),
            )
