"""Prepared queries: compiled once, then run with other values — the same rows the ORM gives.

The customer 360 built on them follows each viewer's visibility: reps in no team, one team or
two (three shapes of the same query in one process), a manager, and the `own` rule. On
PostgreSQL it reads in one REPEATABLE READ READ ONLY transaction, set in its BEGIN.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.test.utils import CaptureQueriesContext

from kern.core.prepared import Prepared
from kern.crm import selectors, services
from kern.crm.selectors.customer360 import snapshot
from kern.parties.models import Party
from tests.builders import a_customer
from tests.crm.factories import a_rep, a_team, an_opportunity

pytestmark = pytest.mark.django_db


def _parties(shape, *, company_id, since, ids):
    """Customers of a company created since a moment, among some ids, with their number of
    contacts: an int, a datetime and a tuple as parameters, a join and an aggregate."""
    return (
        Party.objects.filter(company_id=company_id, created_at__gte=since, pk__in=ids)
        .annotate(active_contacts=Count("contacts", filter=Q(contacts__is_active=True)))
        .order_by("id")
        .values_list("id", "name", "created_at", "active_contacts")
    )


def test_a_prepared_query_is_built_once_and_gives_the_orm_rows_for_other_values(company, other_company):
    built = []

    def build(shape, **values):
        built.append(values)
        return _parties(shape, **values)

    prepared = Prepared(build)
    ours = [a_customer(company, name=f"Klant {i}") for i in range(3)]
    theirs = a_customer(other_company, name="Hun klant")
    long_ago = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    for company_id, ids in (
        (company.pk, (ours[0].pk, ours[2].pk)),
        (company.pk, (ours[1].pk, theirs.pk)),
        (other_company.pk, (ours[1].pk, theirs.pk)),
    ):
        values = {"company_id": company_id, "since": long_ago, "ids": ids}
        with CaptureQueriesContext(connection) as run:
            rows = prepared.rows((len(ids),), **values)
        assert rows == [tuple(row) for row in _parties((), **values)]
        assert len(run.captured_queries) == 1
    assert [row[1] for row in rows] == ["Hun klant"]
    # Built once with stand-ins, never again for the same shape.
    assert len(built) == 1 and built[0]["company_id"] < 0
    # No ids: Django answers without asking the database, so this shape runs the ordinary way.
    assert prepared.rows((0,), company_id=company.pk, since=long_ago, ids=()) == []
    assert [compiled is not None for compiled in prepared._compiled.values()] == [True, False]


def test_a_query_whose_values_the_orm_writes_into_the_sql_is_built_every_time(company):
    def inlined(shape, *, party_id):
        return Party.objects.filter(pk=RawSQL(str(party_id), ())).values_list("name")

    prepared = Prepared(inlined)
    first, second = a_customer(company, name="Eerste"), a_customer(company, name="Tweede")
    assert prepared.rows(party_id=first.pk) == [("Eerste",)]
    assert prepared.rows(party_id=second.pk) == [("Tweede",)]
    assert list(prepared._compiled.values()) == [None]


def test_the_360_shows_each_viewer_the_open_deals_they_may_see(company):
    anna, bram, carl, dana = (a_rep(company) for _ in range(4))
    boss, head = a_rep(company, "sales_manager"), a_rep(company, "sales_manager")
    west = a_team(company, "West", manager=boss, members=(anna, dana))
    east = a_team(company, "Oost", members=(bram, carl, dana))
    party = a_customer(company, name="Groothandel Jansen")
    for name, owner, team in (
        ("Anna's", anna, west),
        ("Bram's", bram, east),
        ("Carl's", carl, None),
        ("Anna's without a team", anna, None),
    ):
        an_opportunity(company, party=party, owner=owner, team=team, name=name)
    lost = an_opportunity(company, party=party, owner=anna, team=west, name="Lost")
    services.mark_lost(lost, lost_reason=selectors.lost_reasons(company).first(), by=anna)

    def sees(user):
        user = type(user).objects.get(pk=user.pk)  # a new request
        view = selectors.customer_360(party, user)
        visible = selectors.visible_opportunities(type(user).objects.get(pk=user.pk), company)
        expected = visible.filter(party=party, status="open")
        assert view.pipeline_value == sum((o.expected_revenue for o in expected), Decimal("0.00"))
        assert sorted(o.name for o in view.open_opportunities) == sorted(o.name for o in expected)
        return sorted(o.name for o in view.open_opportunities)

    # Team visibility: their own and their teams' deals; one team, two teams, none managed.
    assert sees(anna) == ["Anna's", "Anna's without a team"]
    assert sees(bram) == ["Bram's"]
    assert sees(carl) == ["Bram's", "Carl's"]
    assert sees(dana) == ["Anna's", "Bram's"]
    assert sees(boss) == ["Anna's"]
    assert sees(head) == ["Anna's", "Anna's without a team", "Bram's", "Carl's"]
    services.update_crm_settings(company, rep_visibility="own")
    assert sees(carl) == ["Carl's"]
    assert sees(dana) == []
    assert sees(boss) == ["Anna's"]


def _transaction_mode() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW transaction_isolation")
        isolation = cursor.fetchone()[0]
        cursor.execute("SHOW transaction_read_only")
        return isolation, cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the 360 opens its own
@pytest.mark.skipif(settings.DATABASE_VENDOR != "postgresql", reason="PostgreSQL's transaction modes")
def test_the_360_reads_in_one_read_only_repeatable_read_transaction_and_leaves_the_connection_as_it_was():
    with snapshot():
        assert _transaction_mode() == ("repeatable read", "on")
    with transaction.atomic():
        assert _transaction_mode() == ("read committed", "off")
