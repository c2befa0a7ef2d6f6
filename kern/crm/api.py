"""CRM API."""

from ninja import Router

router = Router(tags=["crm"])
