"""The served API under an OpenAPI fuzzer (schemathesis): no input may produce a 5xx.

Every operation of /api/openapi.json is called with generated valid and invalid input through the
whole WSGI stack (middleware, auth, idempotency, problem+json), as an administrator of a company
with some data. Examples per operation are few and derandomized so the suite stays fast and
deterministic; `KERN_FUZZ_EXAMPLES=200 pytest tests/test_api_fuzz.py` digs deeper.
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from kern.wsgi import application
from tests.builders import a_customer, a_product, a_user

EXAMPLES = int(os.environ.get("KERN_FUZZ_EXAMPLES", "12"))


# Each request in its own transaction, as in production: on PostgreSQL a refused statement (say,
# a number out of range, answered 422) aborts the enclosing transaction, which a test-wide
# transaction would carry into every later request.
@pytest.mark.django_db(transaction=True)
def test_no_input_makes_the_api_fail_with_a_server_error(company):
    from kern.core.services import issue_api_token

    a_customer(company, "Fuzz Klant")
    a_product(company, "FUZZ-1")
    _token, secret = issue_api_token(a_user(company, "administrator"), company, name="fuzz")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        # No shrinking: the first failing case is reported as found (shrinking a request through
        # the whole stack can take many minutes).
        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        )
        @given(case=operation.as_strategy())
        def call(case):
            response = case.call(headers=headers)
            assert response.status_code < 500, (
                f"{case.method} {case.formatted_path} -> {response.status_code} "
                f"(query {case.query}, body {str(case.body)[:200]})"
            )

        try:
            call()
        except AssertionError as exc:
            failures.append(str(exc).splitlines()[0])
    assert operations > 20
    assert not failures, "server errors:\n" + "\n".join(failures)
