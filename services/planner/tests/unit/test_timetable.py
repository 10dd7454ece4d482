"""A timetable's busy occurrences (`planner.calendar.domain.read_timetable`): recurrences
expanded by `recurring-ical-events` in their own time zones, and what is refused."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from planner.calendar.domain import MAX_EVENTS, InvalidTimetable, read_timetable

BERLIN = ZoneInfo("Europe/Berlin")


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\nDTSTAMP:20261001T000000Z\r\n{e}END:VEVENT\r\n" for e in events)
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)


def test_a_weekly_lecture_with_an_exdate_keeps_its_wall_time_across_the_dst_change():
    # Wednesdays 10:00-11:30 in Berlin from Oct 14 to Nov 11, 2026, except Oct 28. Berlin falls
    # back on Sunday Oct 25: 10:00 local is 08:00Z before, 09:00Z after.
    timetable = read_timetable(
        ics(
            "UID:la@uni\r\nSUMMARY:Linear algebra\r\n"
            "DTSTART;TZID=Europe/Berlin:20261014T100000\r\n"
            "DTEND;TZID=Europe/Berlin:20261014T113000\r\n"
            "RRULE:FREQ=WEEKLY;UNTIL=20261111T235959Z\r\n"
            "EXDATE;TZID=Europe/Berlin:20261028T100000\r\n"
        ),
        ZoneInfo("UTC"),
    )
    assert timetable.events == 1
    assert [(o.starts_at, o.ends_at) for o in timetable.occurrences] == [
        (utc(2026, 10, 14, 8), utc(2026, 10, 14, 9, 30)),
        (utc(2026, 10, 21, 8), utc(2026, 10, 21, 9, 30)),
        (utc(2026, 11, 4, 9), utc(2026, 11, 4, 10, 30)),
        (utc(2026, 11, 11, 9), utc(2026, 11, 11, 10, 30)),
    ]
    assert {o.summary for o in timetable.occurrences} == {"Linear algebra"}
    for occurrence in timetable.occurrences:
        assert occurrence.starts_at.astimezone(BERLIN).strftime("%H:%M") == "10:00"


def test_a_moved_occurrence_count_duration_and_floating_times():
    timetable = read_timetable(
        ics(
            # Mondays 14:00 UTC, 3 times; the second moved to Tuesday by a RECURRENCE-ID.
            "UID:lab@uni\r\nSUMMARY:Lab\r\nDTSTART:20261102T140000Z\r\nDURATION:PT2H\r\n"
            "RRULE:FREQ=WEEKLY;COUNT=3\r\n",
            "UID:lab@uni\r\nSUMMARY:Lab (moved)\r\nRECURRENCE-ID:20261109T140000Z\r\n"
            "DTSTART:20261110T140000Z\r\nDTEND:20261110T160000Z\r\n",
            # A floating time is the user's wall time (Berlin: UTC+1 in November).
            "UID:f@uni\r\nSUMMARY:Tutorial\r\nDTSTART:20261105T090000\r\nDTEND:20261105T100000\r\n",
        ),
        BERLIN,
    )
    assert [(o.starts_at, o.summary) for o in timetable.occurrences] == [
        (utc(2026, 11, 2, 14), "Lab"),
        (utc(2026, 11, 5, 8), "Tutorial"),
        (utc(2026, 11, 10, 14), "Lab (moved)"),
        (utc(2026, 11, 16, 14), "Lab"),
    ]


def test_all_day_transparent_and_cancelled_events_are_not_busy():
    timetable = read_timetable(
        ics(
            "UID:h@uni\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20261120\r\n",
            "UID:t@uni\r\nSUMMARY:FYI\r\nTRANSP:TRANSPARENT\r\n"
            "DTSTART:20261120T090000Z\r\nDTEND:20261120T100000Z\r\n",
            "UID:c@uni\r\nSUMMARY:Off\r\nSTATUS:CANCELLED\r\n"
            "DTSTART:20261120T110000Z\r\nDTEND:20261120T120000Z\r\n",
        ),
        BERLIN,
    )
    assert (timetable.events, timetable.occurrences) == (3, ())


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not a calendar", "not_icalendar"),
        (b"", "not_icalendar"),
        (b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n", "not_icalendar"),
        (b"\xff\xfe\x00", "not_icalendar"),
        (
            ics(
                "UID:x\r\nDTSTART:20261102T140000Z\r\nDTEND:20261102T150000Z\r\nRRULE:FREQ=DAILY\r\n"
            ),
            "unbounded_recurrence",
        ),
        (
            ics(
                "UID:x\r\nDTSTART:20261102T140000Z\r\nDTEND:20261102T140100Z\r\n"
                "RRULE:FREQ=MINUTELY;UNTIL=20991231T000000Z\r\n"
            ),
            "too_many_occurrences",
        ),
        (
            ics(
                *(
                    f"UID:{i}\r\nDTSTART:20261102T140000Z\r\nDTEND:20261102T150000Z\r\n"
                    for i in range(MAX_EVENTS + 1)
                )
            ),
            "too_many_events",
        ),
    ],
)
def test_what_cannot_become_busy_time_is_refused_with_a_reason(body, reason):
    with pytest.raises(InvalidTimetable) as refused:
        read_timetable(body, BERLIN)
    assert refused.value.reason == reason
