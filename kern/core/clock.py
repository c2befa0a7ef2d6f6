"""The current time as Django's `timezone.now()` gives it with USE_TZ on (Kern's settings always
turn it on): an aware datetime in UTC — without reading the setting at every call.

Every audit row, outbox event and new row's `created_at` asks for the time: some forty times per
order-to-cash cycle. `timezone.now()` reads `settings.USE_TZ` through Django's settings proxy
each time, which costs twice as much as reading the clock.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

__all__ = ["now"]

now = partial(dt.datetime.now, dt.UTC)
