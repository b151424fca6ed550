"""The nightly schedule, tested by computing its fire times, not by waiting for the clock."""
from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import pytest

from flows.orchestration.nightly import next_fire_times, nightly_schedule
from models.errors import BadArguments

PARIS = ZoneInfo("Europe/Paris")


def test_nightly_at_two_in_paris() -> None:
    schedule = nightly_schedule("0 2 * * *", "Europe/Paris")
    times = next_fire_times(schedule, 3, dt.datetime(2026, 11, 26, 12, 0, tzinfo=PARIS))
    assert [t.astimezone(PARIS).strftime("%Y-%m-%d %H:%M") for t in times] == [
        "2026-11-27 02:00", "2026-11-28 02:00", "2026-11-29 02:00"]


def test_spring_forward_night_has_no_two_oclock() -> None:
    # 29 March 2026: clocks in Paris jump from 02:00 to 03:00.
    schedule = nightly_schedule("0 2 * * *", "Europe/Paris")
    times = next_fire_times(schedule, 3, dt.datetime(2026, 3, 27, 12, 0, tzinfo=PARIS))
    local = [t.astimezone(PARIS) for t in times]
    assert [t.day for t in local] == [28, 29, 30]  # one run every night, none skipped
    assert local[1].hour == 3 and local[0].hour == local[2].hour == 2
    gaps = [(b - a).total_seconds() / 3600 for a, b in itertools.pairwise(times)]
    assert gaps == [24.0, 23.0]  # 03:00 CEST is 01:00 UTC, like 02:00 CET the night before


def test_fall_back_night_runs_once() -> None:
    # 25 October 2026: 02:00-03:00 happens twice in Paris.
    schedule = nightly_schedule("30 2 * * *", "Europe/Paris")
    times = next_fire_times(schedule, 3, dt.datetime(2026, 10, 24, 12, 0, tzinfo=PARIS))
    assert [t.astimezone(PARIS).day for t in times] == [25, 26, 27]


def test_bad_cron_and_timezone_are_bad_arguments() -> None:
    with pytest.raises(BadArguments, match="cron"):
        nightly_schedule("every night", "Europe/Paris")
    with pytest.raises(BadArguments, match="timezone"):
        nightly_schedule("0 2 * * *", "Mars/Olympus")
