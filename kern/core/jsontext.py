"""Compact JSON text, exactly as `json.dumps(value, separators=(",", ":"), …)` writes it, faster.

Hash chains (the audit log, the ledger) are taken over such text, so it must never change: rows
hashed years ago are verified with today's code. orjson writes the same text several times faster
for what those callers hold — text, whole numbers, flags, null, lists and objects with text keys —
and json itself writes it wherever the two could differ: text beyond ASCII or with DEL (json
escapes them), escaped control characters (the case of the hex digits), keys that are not text,
integers beyond 64 bits. Floats are not among what the callers hold (they pass them as text).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import orjson

__all__ = ["compact_json"]

# Datetimes and dataclasses go to `default` as json would hand them.
_PASSTHROUGH = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def compact_json(value: Any, *, sort_keys: bool = False, default: Callable[[Any], Any] | None = None) -> str:
    """json.dumps(value, separators=(",", ":"), sort_keys=sort_keys, default=default)."""
    option = (_PASSTHROUGH | orjson.OPT_SORT_KEYS) if sort_keys else _PASSTHROUGH
    try:
        text = orjson.dumps(value, default=default, option=option).decode()
    except TypeError:  # orjson.JSONEncodeError: a key that is not text, a huge integer, …
        pass
    else:
        if text.isascii() and "\x7f" not in text and "\\u" not in text:
            return text
    return json.dumps(value, separators=(",", ":"), sort_keys=sort_keys, default=default)
