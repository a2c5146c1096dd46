"""UTC time in the one format the service speaks: ISO 8601 with milliseconds and `Z`."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo


def utc_now() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """`2026-11-28T10:00:00.000Z` for an aware datetime (converted to UTC)."""
    m = moment.astimezone(UTC)
    # Not strftime("%Y"): it writes year 999 as "999", which no parser reads back.
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


BUSINESS_ZONE = "Africa/Johannesburg"  # South African time (SAST): documents' dates of issue


@lru_cache(maxsize=1)
def business_zone() -> ZoneInfo:
    """SAST; the `tzdata` package supplies it where the system has no zone database (Lambda)."""
    return ZoneInfo(BUSINESS_ZONE)


def business_date(moment: datetime) -> str:
    """`2026-11-28`: the day in South Africa of an instant (a document's date of issue)."""
    return moment.astimezone(business_zone()).date().isoformat()
