"""Portal API."""

from ninja import Router

router = Router(tags=["portal"])
