"""The REST API: one NinjaAPI at /api/, every app's router under /api/v1/.

OpenAPI at /api/openapi.json, interactive docs at /api/docs. Authentication: a personal token
(`Authorization: Bearer kern_…`) or the browser session. Errors are application/problem+json.
"""

from __future__ import annotations

from importlib import import_module

from ninja import NinjaAPI

from kern.core.apikit import SessionAuth, TokenAuth, install_error_handlers

# Each of these modules exposes `router`; order is the order of the docs.
ROUTERS = [
    "kern.core.api",
    "kern.parties.api",
    "kern.catalog.api",
    "kern.ledger.api",
    "kern.inventory.api",
    "kern.payments.api",
    "kern.sales.api",
    "kern.purchasing.api",
    "kern.service.api",
    "kern.crm.api",
    "kern.portal.api",
]

api = NinjaAPI(
    title="Kern API",
    version="1",
    description="Kern ERP + CRM. Authenticate with `Authorization: Bearer <token>` or a session. "
    "Creating POSTs honour `Idempotency-Key`. Errors are `application/problem+json`.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

for module_path in ROUTERS:
    api.add_router("/v1/", import_module(module_path).router)
