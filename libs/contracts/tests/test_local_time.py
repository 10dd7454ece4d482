"""Local days and wall-time ranges on the days a DST change skips or repeats an hour."""

from datetime import UTC, date, datetime

from schediora_contracts.local_time import day_bounds, minutes_of, wall_ranges, zone_of


def test_a_skipped_midnight_starts_the_day_at_the_change():
    start, end = day_bounds(date(2026, 9, 6), zone_of("America/Santiago"))
    assert start == datetime(2026, 9, 6, 4, tzinfo=UTC)  # 00:00 -04 never shows: 01:00 -03
    assert (end - start).total_seconds() == 23 * 3600


def test_a_range_across_the_autumn_change_is_one_range_an_hour_longer():
    berlin = zone_of("Europe/Berlin")
    assert wall_ranges(date(2026, 10, 25), minutes_of("01:00"), minutes_of("04:00"), berlin) == [
        (datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2026, 10, 25, 3, tzinfo=UTC))
    ]


def test_a_range_inside_the_skipped_hour_is_no_time():
    berlin = zone_of("Europe/Berlin")
    assert wall_ranges(date(2026, 3, 29), minutes_of("02:00"), minutes_of("03:00"), berlin) == []


def test_24_00_is_the_end_of_the_day():
    assert minutes_of("24:00") == 24 * 60
    kiritimati = zone_of("Pacific/Kiritimati")
    late = wall_ranges(date(2026, 11, 23), minutes_of("22:00"), minutes_of("24:00"), kiritimati)
    assert late == [(datetime(2026, 11, 23, 8, tzinfo=UTC), datetime(2026, 11, 23, 10, tzinfo=UTC))]


def test_an_unknown_zone_is_utc():
    assert zone_of("Mars/Olympus").key == "UTC"
