"""The calendar's rules that need no database: feed tokens, the iCalendar feed of a user's
sessions (RFC 5545, written with `icalendar`), and a timetable's busy occurrences (read with
`icalendar`, recurrences expanded with `recurring-ical-events`)."""

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

import recurring_ical_events
from dateutil.rrule import rrulestr
from icalendar import Alarm, Calendar, Event, vRecur

FEED_PATH = "/api/v1/calendar/feed/{token}.ics"
TOKEN_BYTES = 32
"""256 random bits (the API asks for at least 128)."""
FEED_HISTORY = timedelta(days=30)
"""The feed holds sessions that ended at most this long ago, and every later one."""
REFRESH_INTERVAL = timedelta(hours=1)
"""What the feed suggests to calendar apps as their polling interval."""
DEFAULT_ALARM_MINUTES = 10
MAX_ALARM_MINUTES = 1440
PRODID = "-//Schediora//Study plan//EN"

MAX_EVENTS = 1000
"""Events (VEVENT components) one uploaded timetable may hold."""
MAX_OCCURRENCES = 5000
"""Busy occurrences one timetable may expand to (a weekly class for a year is 52)."""
MAX_SUMMARY = 500


def new_token() -> str:
    """A feed token: URL-safe, 256 bits of randomness."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> bytes:
    """What is stored of a token and what a feed request is looked up by. A random 256-bit
    token needs no slow hash: SHA-256 cannot be reversed to it."""
    return hashlib.sha256(token.encode()).digest()


def feed_url(base_url: str, token: str) -> str:
    return base_url.rstrip("/") + FEED_PATH.format(token=token)


def parse_alarm(value: str) -> int | None:
    """`?alarm=`: minutes before a planned session (0..1440), or `none`. Raises ValueError."""
    if value == "none":
        return None
    if not value.isascii() or not value.isdigit() or int(value) > MAX_ALARM_MINUTES:
        raise ValueError(f"minutes from 0 to {MAX_ALARM_MINUTES}, or none")
    return int(value)


def build_feed(sessions: Iterable[Mapping[str, Any]], alarm_minutes: int | None) -> bytes:
    """The user's sessions as a VCALENDAR: one VEVENT each, `UID` `<session id>@schediora`,
    times in UTC, `DTSTAMP` its last change (so the same sessions give the same bytes), the
    rationale and notes as `DESCRIPTION`, skipped ones `CANCELLED`, and a display alarm before
    each planned one (unless `alarm_minutes` is None)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "Schediora")
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH_INTERVAL)
    for row in sessions:
        event = Event()
        event.add("uid", f"{row['id']}@schediora")
        event.add("dtstamp", row["updated_at"].astimezone(UTC))
        event.add("last-modified", row["updated_at"].astimezone(UTC))
        event.add("dtstart", row["starts_at"].astimezone(UTC))
        event.add("dtend", row["ends_at"].astimezone(UTC))
        event.add("summary", row["title"])
        description = "\n\n".join(text for text in (row["rationale"], row["notes"]) if text)
        if description:
            event.add("description", description)
        if row["status"] == "skipped":
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED")
        if row["status"] == "planned" and alarm_minutes is not None:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", row["title"])
            alarm.add("trigger", timedelta(minutes=-alarm_minutes))
            event.add_component(alarm)
        calendar.add_component(event)
    return calendar.to_ical()


FEED_FORMAT = "1"
"""Part of every tag: change it when `build_feed` writes other bytes for the same rows."""


def etag_of(sessions: Iterable[Mapping[str, Any]], alarm_minutes: int | None) -> str:
    """A strong validator computed from what the document is made of (the rows, in order, and
    the alarm), not from its bytes: `build_feed` writes the same bytes for the same inputs, so
    a request that revalidates is answered 304 without building the document."""
    digest = hashlib.sha256(f"{FEED_FORMAT}|{alarm_minutes}".encode())
    for row in sessions:
        digest.update(repr(tuple(row[c] for c in sorted(row))).encode())
    return '"' + digest.hexdigest()[:32] + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 §13.1.2: `*`, or any listed tag equal by the weak comparison."""
    if if_none_match is None:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == wanted for tag in if_none_match.split(","))


class InvalidTimetable(Exception):
    """An upload that cannot become busy times; `reason` is stable, the message says why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Occurrence:
    starts_at: datetime
    ends_at: datetime
    summary: str


@dataclass(frozen=True)
class Timetable:
    events: int
    occurrences: tuple[Occurrence, ...]


def read_timetable(body: bytes, zone: ZoneInfo) -> Timetable:
    """Every busy occurrence of an uploaded iCalendar, recurrences expanded in their own time
    zones (floating times in `zone`, the user's). All-day, transparent and cancelled events
    are not busy. Raises `InvalidTimetable`: not iCalendar, more than `MAX_EVENTS` events, an
    RRULE with neither COUNT nor UNTIL (it would repeat forever), or more than
    `MAX_OCCURRENCES` occurrences."""
    try:
        calendar = Calendar.from_ical(body)
    except (ValueError, TypeError, KeyError, IndexError, UnicodeDecodeError) as exc:
        raise InvalidTimetable("not_icalendar", f"The body is not iCalendar: {exc}") from None
    if not isinstance(calendar, Calendar) or calendar.name != "VCALENDAR":
        raise InvalidTimetable("not_icalendar", "The body is not one VCALENDAR.")
    events = calendar.walk("VEVENT")
    if len(events) > MAX_EVENTS:
        raise InvalidTimetable(
            "too_many_events", f"{len(events)} events; a timetable may have {MAX_EVENTS}."
        )
    planned = 0
    for event in events:
        for rule in _rules(event):
            if "COUNT" not in rule and "UNTIL" not in rule:
                raise InvalidTimetable(
                    "unbounded_recurrence",
                    f"The event {_summary(event)!r} repeats forever (RRULE without COUNT or "
                    "UNTIL); give it an end.",
                )
            # Counted lazily first: a rule like FREQ=MINUTELY until 2099 is refused after a few
            # thousand steps instead of being expanded whole.
            planned += _count_up_to(event, rule, MAX_OCCURRENCES + 1 - planned)
            if planned > MAX_OCCURRENCES:
                raise InvalidTimetable(
                    "too_many_occurrences",
                    f"The events repeat more than {MAX_OCCURRENCES} times in all.",
                )
    found: list[Occurrence] = []
    seen = 0
    try:
        for event in recurring_ical_events.of(calendar).all():
            seen += 1
            occurrence = _occurrence(event, zone)
            if occurrence is not None:
                found.append(occurrence)
            # Transparent, cancelled and all-day ones count too, against an endless expansion.
            if len(found) > MAX_OCCURRENCES or seen > 2 * MAX_OCCURRENCES:
                raise InvalidTimetable(
                    "too_many_occurrences",
                    f"The events repeat more than {MAX_OCCURRENCES} times in all.",
                )
    except InvalidTimetable:
        raise
    except Exception as exc:  # the library raises many kinds on bad input
        raise InvalidTimetable("not_icalendar", f"The events cannot be read: {exc}") from None
    return Timetable(len(events), tuple(sorted(found, key=lambda o: (o.starts_at, o.ends_at))))


def _rules(event: Event) -> list[Mapping[str, Any]]:
    rules = event.get("RRULE")
    if rules is None:
        return []
    return rules if isinstance(rules, list) else [rules]


def _count_up_to(event: Event, rule: Any, limit: int) -> int:
    """How many times `rule` repeats `event`, counting at most `limit` (dateutil, lazily)."""
    start = event.get("DTSTART")
    if start is None:
        return 0
    first = start.dt
    if not isinstance(first, datetime):
        first = datetime.combine(first, time())
    if first.tzinfo is not None and "UNTIL" in rule:
        first = first.astimezone(UTC)  # dateutil needs UNTIL and DTSTART alike (both UTC)
    elif first.tzinfo is None:
        rule = {k: v for k, v in rule.items() if k != "UNTIL"} | (
            {"UNTIL": [_naive(u) for u in rule["UNTIL"]]} if "UNTIL" in rule else {}
        )
    try:
        text = vRecur(rule).to_ical().decode()
        return sum(1 for _ in islice(rrulestr(text, dtstart=first), limit))
    except (ValueError, TypeError) as exc:
        raise InvalidTimetable(
            "not_icalendar", f"The event {_summary(event)!r} has an invalid RRULE: {exc}"
        ) from None


def _naive(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def _summary(event: Event) -> str:
    return str(event.get("SUMMARY", ""))[:MAX_SUMMARY]


def _occurrence(event: Event, zone: ZoneInfo) -> Occurrence | None:
    if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
        return None
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return None
    start = event.get("DTSTART")
    end = event.get("DTEND")
    if start is None or end is None:
        return None
    starts_at, ends_at = start.dt, end.dt
    if not isinstance(starts_at, datetime) or not isinstance(ends_at, datetime):
        return None  # all-day: a date, not busy time
    starts_at, ends_at = _aware(starts_at, zone), _aware(ends_at, zone)
    if ends_at <= starts_at:
        return None
    return Occurrence(starts_at.astimezone(UTC), ends_at.astimezone(UTC), _summary(event))


def _aware(instant: datetime, zone: ZoneInfo) -> datetime:
    """A floating time (no zone, no Z) is the user's wall time."""
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=zone)


def day_of(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()
