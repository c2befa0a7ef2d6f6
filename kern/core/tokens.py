"""API token secrets: `kern_<prefix>_<secret>`; only the SHA-256 of the whole string is stored.

The secret has 256 bits of entropy, so a fast hash is enough (a slow KDF protects guessable
passwords, not random keys) and lets each request find its token by index.
"""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["hash_secret", "new_secret"]


def new_secret() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return prefix, f"kern_{prefix}_{secrets.token_urlsafe(32)}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
