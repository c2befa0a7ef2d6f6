from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.builders import a_company, a_user, an_api_client

settings.register_profile(
    "kern",
    derandomize=True,  # deterministic in CI: the same examples every run
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    max_examples=int(os.environ.get("KERN_HYPOTHESIS_EXAMPLES", "50")),
)
settings.load_profile("kern")


def pytest_collection_modifyitems(config, items):
    from django.conf import settings as django_settings

    if django_settings.DATABASE_VENDOR != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL row locks; run with DATABASE_URL=postgres://…")
        for item in items:
            if "concurrency" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Add the tables of test-only models (tests/core/workflow_model.py) to the test database."""
    from django.db import connection

    from kern.core.audit import connect
    from tests.core.workflow_model import Ticket

    with django_db_blocker.unblock(), connection.schema_editor() as editor:
        editor.create_model(Ticket)
    connect([Ticket])


@pytest.fixture
def company(db):
    return a_company("Acme")


@pytest.fixture
def other_company(db):
    return a_company("Other")


@pytest.fixture
def admin(company):
    return a_user(company, "administrator")


@pytest.fixture
def api(company):
    """An API client of an administrator of `company`."""
    return an_api_client(company, "administrator")


@pytest.fixture
def other_api(other_company):
    return an_api_client(other_company, "administrator")


@pytest.fixture(autouse=True)
def _language_of_each_test_is_its_own():
    """A page test in Dutch leaves Dutch active in the thread (LocaleMiddleware activates the
    request's language and nothing resets it); each test starts from the default language so a
    later test's English message check does not depend on the order tests run in."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
