"""Quotes made for an opportunity (sales' CPQ), linked back to it."""

from __future__ import annotations

from typing import Any


def quotes_tab() -> Any:
    return None
