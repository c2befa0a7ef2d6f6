"""Signing in through the real login form, shared by the browser tests."""

from __future__ import annotations

PASSWORD = "browser-pw-2026"


def log_in(page, base: str, username: str, *, portal: bool = False) -> None:
    """Sign in on the staff login page (or, with `portal`, the customer portal's) and wait for home."""
    home = f"{base}/portal/" if portal else f"{base}/"
    page.goto(home if portal else f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(home)
