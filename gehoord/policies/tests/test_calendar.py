"""The counting rules of SPEC 5 on real calendars, with every due instant worked out by hand.

Starts are written in local time with their offset, expected instants in UTC. Amsterdam and
Brussels are +01:00 in winter and +02:00 in summer, London +00:00 and +01:00; summer time ran
from Sun 29 Mar 2026 to Sun 25 Oct 2026 (01:00 UTC both times, in the EU and the UK alike).
Holidays used below: NL 25/26 Dec, 1 Jan, Good Friday, Easter Monday, King's Day (27 Apr, or the
26th when the 27th is a Sunday) and Liberation Day (5 May) in lustrum years only; England adds
May Day and substitute ("observed") Mondays and Tuesdays for holidays on a weekend; Belgium has
no substitute days.
"""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gehoord.policies.calendar import BusinessCalendar, Duration, PolicyError, Unit

BH = Unit.business_hours

NL = BusinessCalendar(timezone="Europe/Amsterdam", country="NL")
ENG = BusinessCalendar(timezone="Europe/London", country="GB", subdivision="ENG")
BE = BusinessCalendar(timezone="Europe/Brussels", country="BE")
NL_MON_SAT = BusinessCalendar(timezone="Europe/Amsterdam", country="NL", working_weekdays=frozenset(range(6)))
NL_EVERY_DAY = BusinessCalendar(timezone="Europe/Amsterdam", country="NL", working_weekdays=frozenset(range(7)))
NL_CLOSED_NEW_YEARS_EVES = BusinessCalendar(
    timezone="Europe/Amsterdam", country="NL", closure_days=frozenset({date(2025, 12, 24), date(2025, 12, 31)})
)
NL_CLOSED_MON_21_DEC = BusinessCalendar(
    timezone="Europe/Amsterdam", country="NL", closure_days=frozenset({date(2026, 12, 21)})
)
NL_MORNINGS = BusinessCalendar(timezone="Europe/Amsterdam", country="NL", opens=time(8, 30), closes=time(12, 0))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def due(calendar: BusinessCalendar, start: str, amount: int, unit: Unit) -> datetime:
    return calendar.add(at(start), Duration(amount, unit))


# --- hours: elapsed time ---------------------------------------------------------------------

HOURS = [
    # Sat 28 Mar 2026 12:00 CET = 11:00Z; 24 h later is 11:00Z, which is 13:00 CEST on the Sunday.
    pytest.param(NL, "2026-03-28T12:00+01:00", 24, "2026-03-29T11:00:00Z", id="nl-spring-forward"),
    # Sat 24 Oct 2026 12:00 CEST = 10:00Z; 24 h later is 10:00Z, which is 11:00 CET on the Sunday.
    pytest.param(NL, "2026-10-24T12:00+02:00", 24, "2026-10-25T10:00:00Z", id="nl-fall-back"),
    # Sat 28 Mar 2026 12:00 GMT; 24 h later is 12:00Z = 13:00 BST.
    pytest.param(ENG, "2026-03-28T12:00+00:00", 24, "2026-03-29T12:00:00Z", id="eng-spring-forward"),
    # Sat 24 Oct 2026 12:00 BST = 11:00Z; 24 h later is 11:00Z = 11:00 GMT.
    pytest.param(ENG, "2026-10-24T12:00+01:00", 24, "2026-10-25T11:00:00Z", id="eng-fall-back"),
    # Sun 29 Mar 2026 01:30 CET = 00:30Z; one hour later is 01:30Z = 03:30 CEST (02:xx never happens).
    pytest.param(NL, "2026-03-29T01:30+01:00", 1, "2026-03-29T01:30:00Z", id="nl-over-the-missing-hour"),
    # Thu 24 Dec 2026 10:00 GMT + 48 h = Sat 26 Dec 10:00Z: hours ignore holidays and weekends.
    pytest.param(ENG, "2026-12-24T10:00+00:00", 48, "2026-12-26T10:00:00Z", id="eng-over-christmas"),
    # 0 hours is the start instant itself, to the microsecond.
    pytest.param(NL, "2026-12-21T10:15:30.5+01:00", 0, "2026-12-21T09:15:30.500000Z", id="zero"),
]


@pytest.mark.parametrize(("calendar", "start", "amount", "expected"), HOURS)
def test_hours_are_elapsed_time(calendar, start, amount, expected):
    assert due(calendar, start, amount, Unit.hours) == at(expected)


# --- business hours ----------------------------------------------------------------------------

BUSINESS_HOURS = [
    # Mon 21 Dec 2026 10:00 CET + 4 h: 10-14 → 14:00 CET = 13:00Z.
    pytest.param(NL, "2026-12-21T10:00+01:00", 4, "2026-12-21T13:00:00Z", id="same-day"),
    # Mon 10:00 + 7 h: 10-17, used up exactly at closing → Mon 17:00 CET, not Tue 09:00.
    pytest.param(NL, "2026-12-21T10:00+01:00", 7, "2026-12-21T16:00:00Z", id="ends-at-closing"),
    # Mon 10:00 + 8 h: Mon 10-17 (7), Tue 22 09-10 (8) → Tue 10:00 CET = 09:00Z.
    pytest.param(NL, "2026-12-21T10:00+01:00", 8, "2026-12-22T09:00:00Z", id="next-morning"),
    # Tue 22 Dec 09:00 + 8 h: the whole day → Tue 17:00 CET = 16:00Z.
    pytest.param(NL, "2026-12-22T09:00+01:00", 8, "2026-12-22T16:00:00Z", id="start-at-opening"),
    # Fri 18 Dec 2026 15:00 + 4 h: Fri 15-17 (2), Sat, Sun, Mon 21 09-11 (4) → 10:00Z.
    pytest.param(NL, "2026-12-18T15:00+01:00", 4, "2026-12-21T10:00:00Z", id="over-weekend"),
    # NL Thu 24 Dec 2026 16:00 + 3 h: Thu 16-17 (1), Fri 25 and Sat 26 Christmas, Sun,
    # Mon 28 09-11 (3) → 10:00Z.
    pytest.param(NL, "2026-12-24T16:00+01:00", 3, "2026-12-28T10:00:00Z", id="nl-over-christmas"),
    # England, same: Thu 16-17 (1), Fri 25, Sat, Sun, Mon 28 Boxing Day (observed),
    # Tue 29 09-11 (3) → 11:00 GMT.
    pytest.param(ENG, "2026-12-24T16:00+00:00", 3, "2026-12-29T11:00:00Z", id="eng-over-christmas"),
    # Wed 23 Dec 2026 13:00 + 16 h: Wed 13-17 (4), Thu 24 09-17 (12), Fri 25 to Sun 27 off,
    # Mon 28 09-13 (16) → 12:00Z.
    pytest.param(NL, "2026-12-23T13:00+01:00", 16, "2026-12-28T12:00:00Z", id="several-days"),
    # Tue 22 Dec 07:30, before opening: counting starts 09:00, + 2 h → 11:00 CET = 10:00Z.
    pytest.param(NL, "2026-12-22T07:30+01:00", 2, "2026-12-22T10:00:00Z", id="before-opening"),
    # Tue 22 Dec 18:00, after closing: counting starts Wed 09:00, + 2 h → Wed 11:00 CET = 10:00Z.
    pytest.param(NL, "2026-12-22T18:00+01:00", 2, "2026-12-23T10:00:00Z", id="after-closing"),
    # Tue 22 Dec 17:00, exactly closing: nothing left that day; Wed 09-10 → 09:00Z.
    pytest.param(NL, "2026-12-22T17:00+01:00", 1, "2026-12-23T09:00:00Z", id="at-closing"),
    # Sat 19 Dec 2026 12:00: counting starts Mon 21 09:00; + 1 h → 10:00 CET = 09:00Z.
    pytest.param(NL, "2026-12-19T12:00+01:00", 1, "2026-12-21T09:00:00Z", id="start-on-saturday"),
    # Fri 25 Dec 2026 10:00, Christmas: counting starts Mon 28 09:00; + 1 h → 09:00Z.
    pytest.param(NL, "2026-12-25T10:00+01:00", 1, "2026-12-28T09:00:00Z", id="start-on-holiday"),
    # 0 business hours is the start instant, even on a Saturday: Sat 12:00 CET = 11:00Z.
    pytest.param(NL, "2026-12-19T12:00+01:00", 0, "2026-12-19T11:00:00Z", id="zero-on-saturday"),
    # Fri 27 Mar 2026 16:00 CET + 2 h: Fri 16-17 (1), Mon 30 09-10 CEST (2) → 08:00Z.
    pytest.param(NL, "2026-03-27T16:00+01:00", 2, "2026-03-30T08:00:00Z", id="over-spring-forward"),
    # Fri 23 Oct 2026 16:00 CEST + 2 h: Fri 16-17 (1), Mon 26 09-10 CET (2) → 09:00Z.
    pytest.param(NL, "2026-10-23T16:00+02:00", 2, "2026-10-26T09:00:00Z", id="over-fall-back"),
    # Closed Mon 21 Dec 2026: Fri 18 16:00 + 2 h: Fri 16-17 (1), Mon closed, Tue 22 09-10 → 09:00Z.
    pytest.param(NL_CLOSED_MON_21_DEC, "2026-12-18T16:00+01:00", 2, "2026-12-22T09:00:00Z", id="closure-day"),
    # Open 08:30-12:00: Mon 21 Dec 11:00 + 2 h: Mon 11-12 (1), Tue 08:30-09:30 → 08:30Z.
    pytest.param(NL_MORNINGS, "2026-12-21T11:00+01:00", 2, "2026-12-22T08:30:00Z", id="own-hours"),
    # Seconds carry through: Mon 10:15:30 + 1 h → 11:15:30 CET.
    pytest.param(NL, "2026-12-21T10:15:30+01:00", 1, "2026-12-21T10:15:30Z", id="seconds"),
    # London: Mon 21 Dec 16:30 GMT + 1 h: Mon 16:30-17 (½), Tue 09:00-09:30 → 09:30Z.
    pytest.param(ENG, "2026-12-21T16:30+00:00", 1, "2026-12-22T09:30:00Z", id="eng-half-and-half"),
]


@pytest.mark.parametrize(("calendar", "start", "amount", "expected"), BUSINESS_HOURS)
def test_business_hours_count_only_inside_opening_hours(calendar, start, amount, expected):
    assert due(calendar, start, amount, Unit.business_hours) == at(expected)


# --- calendar days -----------------------------------------------------------------------------

CALENDAR_DAYS = [
    # Mon 21 Dec 2026 + 14 → Mon 4 Jan 2027, end 23:59:59 CET = 22:59:59Z.
    pytest.param(NL, "2026-12-21T10:00+01:00", 14, "2027-01-04T22:59:59Z", id="two-weeks"),
    # 0 days → end of the start day, Mon 21 Dec 23:59:59 CET.
    pytest.param(NL, "2026-12-21T10:00+01:00", 0, "2026-12-21T22:59:59Z", id="zero"),
    # Thu 31 Dec 2026 + 1 → Fri 1 Jan 2027: holidays count as calendar days.
    pytest.param(NL, "2026-12-31T10:00+01:00", 1, "2027-01-01T22:59:59Z", id="holiday-counts"),
    # London: Mon 21 Dec 2026 + 7 → Mon 28 Dec 23:59:59 GMT.
    pytest.param(ENG, "2026-12-21T10:00+00:00", 7, "2026-12-28T23:59:59Z", id="eng-week"),
    # Fri 27 Mar 2026 (CET) + 3 → Mon 30 Mar, 23:59:59 CEST = 21:59:59Z.
    pytest.param(NL, "2026-03-27T10:00+01:00", 3, "2026-03-30T21:59:59Z", id="nl-spring-forward"),
    # Sat 28 Mar 2026 + 1 → Sun 29 Mar, the changeover day itself; its end is in CEST.
    pytest.param(NL, "2026-03-28T10:00+01:00", 1, "2026-03-29T21:59:59Z", id="nl-changeover-day"),
    # Fri 23 Oct 2026 (CEST) + 3 → Mon 26 Oct, 23:59:59 CET = 22:59:59Z.
    pytest.param(NL, "2026-10-23T10:00+02:00", 3, "2026-10-26T22:59:59Z", id="nl-fall-back"),
    # Sat 24 Oct 2026 + 1 → Sun 25 Oct, back in CET by its end.
    pytest.param(NL, "2026-10-24T10:00+02:00", 1, "2026-10-25T22:59:59Z", id="nl-fall-back-day"),
    # London: Fri 27 Mar 2026 (GMT) + 3 → Mon 30 Mar 23:59:59 BST = 22:59:59Z.
    pytest.param(ENG, "2026-03-27T10:00+00:00", 3, "2026-03-30T22:59:59Z", id="eng-spring-forward"),
    # London: Fri 23 Oct 2026 (BST) + 3 → Mon 26 Oct 23:59:59 GMT.
    pytest.param(ENG, "2026-10-23T10:00+01:00", 3, "2026-10-26T23:59:59Z", id="eng-fall-back"),
    # 23:30Z on Sun 20 Dec is already Mon 21 Dec 00:30 in Amsterdam: the local day counts,
    # + 1 → Tue 22 Dec.
    pytest.param(NL, "2026-12-20T23:30:00Z", 1, "2026-12-22T22:59:59Z", id="local-day-not-utc-day"),
]


@pytest.mark.parametrize(("calendar", "start", "amount", "expected"), CALENDAR_DAYS)
def test_calendar_days_end_at_the_end_of_the_local_day(calendar, start, amount, expected):
    assert due(calendar, start, amount, Unit.calendar_days) == at(expected)


# --- working days ------------------------------------------------------------------------------

WORKING_DAYS = [
    # Fri 19 Dec 2025 + 3: Mon 22, Tue 23, Wed 24 → Wed 24 23:59:59 CET = 22:59:59Z.
    pytest.param(NL, "2025-12-19T10:00+01:00", 3, "2025-12-24T22:59:59Z", id="over-weekend"),
    # Mon 22 Dec 2025 + 3: Tue 23, Wed 24, (Thu 25, Fri 26 Christmas, Sat, Sun) Mon 29.
    pytest.param(NL, "2025-12-22T10:00+01:00", 3, "2025-12-29T22:59:59Z", id="nl-christmas"),
    # Tue 30 Dec 2025 + 2: Wed 31, (Thu 1 Jan) Fri 2 Jan 2026.
    pytest.param(NL, "2025-12-30T10:00+01:00", 2, "2026-01-02T22:59:59Z", id="nl-new-year"),
    # Sat 20 Dec 2025 + 1: the Saturday is not counted, (Sun) Mon 22.
    pytest.param(NL, "2025-12-20T12:00+01:00", 1, "2025-12-22T22:59:59Z", id="start-on-saturday"),
    # Sat 20 Dec 2025 + 0 → end of the start day, even though it is no working day.
    pytest.param(NL, "2025-12-20T12:00+01:00", 0, "2025-12-20T22:59:59Z", id="zero-on-saturday"),
    # Thu 25 Dec 2025, Christmas + 1: (Fri 26, Sat, Sun) Mon 29.
    pytest.param(NL, "2025-12-25T12:00+01:00", 1, "2025-12-29T22:59:59Z", id="start-on-holiday"),
    # NL Thu 24 Dec 2026 + 1: (Fri 25, Sat 26, Sun 27) Mon 28 — no substitute days in NL.
    pytest.param(NL, "2026-12-24T10:00+01:00", 1, "2026-12-28T22:59:59Z", id="nl-christmas-2026"),
    # England Thu 24 Dec 2026 + 1: (Fri 25, Sat 26, Sun 27, Mon 28 Boxing Day observed) Tue 29.
    pytest.param(ENG, "2026-12-24T10:00+00:00", 1, "2026-12-29T23:59:59Z", id="eng-boxing-day-observed"),
    # England Thu 24 Dec 2026 + 3: (25-28 as above) Tue 29, Wed 30, Thu 31.
    pytest.param(ENG, "2026-12-24T10:00+00:00", 3, "2026-12-31T23:59:59Z", id="eng-christmas-week"),
    # England Fri 24 Dec 2027 + 1: (Sat 25, Sun 26, Mon 27 Christmas observed, Tue 28 Boxing Day
    # observed) Wed 29.
    pytest.param(ENG, "2027-12-24T10:00+00:00", 1, "2027-12-29T23:59:59Z", id="eng-christmas-observed"),
    # England Fri 31 Dec 2027 + 1: (Sat 1 Jan, Sun 2, Mon 3 New Year observed) Tue 4 Jan 2028.
    pytest.param(ENG, "2027-12-31T10:00+00:00", 1, "2028-01-04T23:59:59Z", id="eng-new-year-observed"),
    # NL Fri 31 Dec 2027 + 1: (Sat 1 Jan, Sun 2) Mon 3 Jan 2028 — no substitute day.
    pytest.param(NL, "2027-12-31T10:00+01:00", 1, "2028-01-03T22:59:59Z", id="nl-new-year-on-saturday"),
    # Belgium Thu 24 Dec 2026 + 1: (Fri 25, Sat, Sun) Mon 28 — 26 Dec is no Belgian holiday.
    pytest.param(BE, "2026-12-24T10:00+01:00", 1, "2026-12-28T22:59:59Z", id="be-christmas"),
    # Belgium Fri 14 Aug 2026 + 1: (Sat 15 Assumption, no substitute; Sun) Mon 17, 23:59:59 CEST.
    pytest.param(BE, "2026-08-14T10:00+02:00", 1, "2026-08-17T21:59:59Z", id="be-no-substitute"),
    # NL Thu 2 Apr 2026 + 1: (Fri 3 Good Friday, Sat, Sun, Mon 6 Easter Monday) Tue 7, CEST.
    pytest.param(NL, "2026-04-02T10:00+02:00", 1, "2026-04-07T21:59:59Z", id="nl-easter"),
    # England Thu 2 Apr 2026 + 1: (Good Friday, Sat, Sun, Easter Monday) Tue 7, 23:59:59 BST.
    pytest.param(ENG, "2026-04-02T10:00+01:00", 1, "2026-04-07T22:59:59Z", id="eng-easter"),
    # England Fri 1 May 2026 + 1: (Sat, Sun, Mon 4 May Day) Tue 5.
    pytest.param(ENG, "2026-05-01T10:00+01:00", 1, "2026-05-05T22:59:59Z", id="eng-may-day"),
    # NL Fri 24 Apr 2026 + 1: (Sat, Sun, Mon 27 King's Day) Tue 28.
    pytest.param(NL, "2026-04-24T10:00+02:00", 1, "2026-04-28T21:59:59Z", id="nl-kings-day"),
    # Mon-Sat calendar, Fri 25 Apr 2025 + 1: 27 Apr 2025 was a Sunday, so King's Day moved to
    # Sat 26 (off); Sun 27 no working weekday → Mon 28.
    pytest.param(NL_MON_SAT, "2025-04-25T10:00+02:00", 1, "2025-04-28T21:59:59Z", id="nl-kings-day-moved"),
    # Seven-day calendar, Sat 26 Apr 2025 + 1: Sun 27 Apr 2025 is an ordinary day that year.
    pytest.param(NL_EVERY_DAY, "2025-04-26T10:00+02:00", 1, "2025-04-27T21:59:59Z", id="nl-27-april-2025"),
    # NL Fri 2 May 2025 + 1: (Sat, Sun, Mon 5 May Liberation Day, a lustrum year) Tue 6.
    pytest.param(NL, "2025-05-02T10:00+02:00", 1, "2025-05-06T21:59:59Z", id="nl-liberation-day-2025"),
    # NL Mon 4 May 2026 + 1: Tue 5 May 2026 is a working day (no lustrum year).
    pytest.param(NL, "2026-05-04T10:00+02:00", 1, "2026-05-05T21:59:59Z", id="nl-5-may-2026"),
    # Closed 24 and 31 Dec 2025, Mon 22 Dec + 3: Tue 23, (Wed 24 closed, Thu 25, Fri 26, Sat,
    # Sun) Mon 29, Tue 30.
    pytest.param(NL_CLOSED_NEW_YEARS_EVES, "2025-12-22T10:00+01:00", 3, "2025-12-30T22:59:59Z", id="closure-days"),
    # Fri 27 Mar 2026 (CET) + 1 → Mon 30 Mar, 23:59:59 CEST = 21:59:59Z.
    pytest.param(NL, "2026-03-27T10:00+01:00", 1, "2026-03-30T21:59:59Z", id="nl-spring-forward"),
    # Fri 23 Oct 2026 (CEST) + 1 → Mon 26 Oct, 23:59:59 CET = 22:59:59Z.
    pytest.param(NL, "2026-10-23T10:00+02:00", 1, "2026-10-26T22:59:59Z", id="nl-fall-back"),
    # 23:30Z on Sun 21 Dec 2025 is Mon 22 Dec 00:30 in Amsterdam: counting from Monday,
    # + 1 → Tue 23 (counting from the UTC Sunday would give Monday).
    pytest.param(NL, "2025-12-21T23:30:00Z", 1, "2025-12-23T22:59:59Z", id="local-day-not-utc-day"),
]


@pytest.mark.parametrize(("calendar", "start", "amount", "expected"), WORKING_DAYS)
def test_working_days_skip_weekends_holidays_and_closure_days(calendar, start, amount, expected):
    assert due(calendar, start, amount, Unit.working_days) == at(expected)


# --- reminders ---------------------------------------------------------------------------------

REMINDERS = [
    # Due Wed 24 Dec 2025 end, 1 working day ahead → start of Tue 23, 00:00 CET = 23:00Z on the 22nd.
    pytest.param(NL, "2025-12-24T22:59:59Z", Duration(1, Unit.working_days), "2025-12-22T23:00:00Z", id="wd"),
    # Due Mon 4 Jan 2027 end, 1 working day ahead: (Sun 3, Sat 2, Fri 1 New Year) Thu 31 Dec 00:00.
    pytest.param(NL, "2027-01-04T22:59:59Z", Duration(1, Unit.working_days), "2026-12-30T23:00:00Z", id="wd-new-year"),
    # England, due Tue 29 Dec 2026 end: (Mon 28 observed, Sun, Sat, Fri 25) Thu 24 00:00 GMT.
    pytest.param(ENG, "2026-12-29T23:59:59Z", Duration(1, Unit.working_days), "2026-12-24T00:00:00Z", id="wd-eng"),
    # Due Sun 3 Jan 2027 (a calendar-day deadline): (Sat 2, Fri 1 New Year) Thu 31 Dec 00:00.
    pytest.param(NL, "2027-01-03T22:59:59Z", Duration(1, Unit.working_days), "2026-12-30T23:00:00Z", id="wd-sunday"),
    # 0 working days ahead of Wed 24 Dec 2025 → start of that day.
    pytest.param(NL, "2025-12-24T22:59:59Z", Duration(0, Unit.working_days), "2025-12-23T23:00:00Z", id="wd-zero"),
    # Due Mon 4 Jan 2027 end, 2 calendar days ahead → start of Sat 2 Jan, 00:00 CET.
    pytest.param(NL, "2027-01-04T22:59:59Z", Duration(2, Unit.calendar_days), "2027-01-01T23:00:00Z", id="cd"),
    # Due Mon 30 Mar 2026 end (CEST), 1 calendar day ahead → Sun 29 Mar 00:00, still CET.
    pytest.param(NL, "2026-03-30T21:59:59Z", Duration(1, Unit.calendar_days), "2026-03-28T23:00:00Z", id="cd-dst"),
    # Hours are elapsed time back: 2026-03-29T11:00Z - 24 h, across the change.
    pytest.param(NL, "2026-03-29T11:00:00Z", Duration(24, Unit.hours), "2026-03-28T11:00:00Z", id="hours"),
    # Due Mon 21 Dec 2026 11:00 CET, 4 business hours ahead: Mon 09-11 (2), Sat, Sun,
    # Fri 18 17→15 (4) → Fri 15:00 CET = 14:00Z.
    pytest.param(NL, "2026-12-21T11:00+01:00", Duration(4, BH), "2026-12-18T14:00:00Z", id="bh"),
    # Due Tue 22 Dec 10:00, 1 business hour ahead → exactly Tue's opening, 09:00 CET.
    pytest.param(NL, "2026-12-22T10:00+01:00", Duration(1, BH), "2026-12-22T08:00:00Z", id="bh-to-opening"),
    # Due Tue 22 Dec 09:00 (opening), 1 business hour ahead → Mon 21 16:00 CET.
    pytest.param(NL, "2026-12-22T09:00+01:00", Duration(1, BH), "2026-12-21T15:00:00Z", id="bh-at-opening"),
    # Due Tue 22 Dec 18:00 (after closing), 1 business hour ahead → Tue 16:00 CET.
    pytest.param(NL, "2026-12-22T18:00+01:00", Duration(1, BH), "2026-12-22T15:00:00Z", id="bh-after-closing"),
    # Due Mon 28 Dec 2026 10:00, 2 business hours ahead: Mon 09-10 (1), Sun, Sat, Fri 25
    # Christmas, Thu 24 17→16 (2) → 15:00Z.
    pytest.param(NL, "2026-12-28T10:00+01:00", Duration(2, BH), "2026-12-24T15:00:00Z", id="bh-christmas"),
]


@pytest.mark.parametrize(("calendar", "due_at", "before", "expected"), REMINDERS)
def test_reminders_count_back_from_the_due_instant(calendar, due_at, before, expected):
    assert calendar.remind_at(at(due_at), before) == at(expected)


# --- the holidays the tables above rely on -----------------------------------------------------

HOLIDAYS = [
    (NL, [date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1), date(2026, 4, 3), date(2026, 4, 6),
          date(2026, 4, 27), date(2025, 5, 5), date(2026, 12, 25)]),
    (NL_EVERY_DAY, [date(2025, 4, 26), date(2026, 12, 26), date(2027, 12, 25), date(2028, 1, 1)]),
    (ENG, [date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 4), date(2026, 12, 25), date(2026, 12, 28),
           date(2027, 12, 27), date(2027, 12, 28), date(2028, 1, 3)]),
    (BE, [date(2026, 12, 25)]),
]
ORDINARY_DAYS = [
    # NL: 5 May outside lustrum years, no substitute days, no Boxing Day observed.
    (NL, [date(2026, 5, 5), date(2026, 12, 28), date(2028, 1, 3), date(2025, 12, 24)]),
    (NL_EVERY_DAY, [date(2025, 4, 27)]),
    (ENG, [date(2026, 4, 27), date(2026, 12, 24), date(2026, 12, 29)]),
    (BE, [date(2026, 12, 28), date(2026, 8, 17)]),
]


@pytest.mark.parametrize(("calendar", "days"), HOLIDAYS)
def test_public_holidays_are_no_working_days(calendar, days):
    assert [day for day in days if calendar.is_working_day(day)] == []


@pytest.mark.parametrize(("calendar", "days"), ORDINARY_DAYS)
def test_ordinary_weekdays_are_working_days(calendar, days):
    assert [day for day in days if not calendar.is_working_day(day)] == []


def test_is_working_day_refuses_a_datetime():
    with pytest.raises(TypeError, match="takes a date"):
        NL.is_working_day(datetime(2025, 12, 25, 12, 0, tzinfo=UTC))


def test_closure_days_and_weekends_are_no_working_days():
    assert not NL_CLOSED_NEW_YEARS_EVES.is_working_day(date(2025, 12, 24))
    assert NL.is_working_day(date(2025, 12, 24))
    assert not NL.is_working_day(date(2025, 12, 20))  # a Saturday
    assert NL_MON_SAT.is_working_day(date(2025, 12, 20))


# --- boundaries --------------------------------------------------------------------------------


@pytest.mark.parametrize("unit", list(Unit))
def test_a_naive_start_is_refused(unit):
    with pytest.raises(ValueError, match="timezone-aware"):
        NL.add(datetime(2026, 12, 21, 10, 0), Duration(1, unit))


@pytest.mark.parametrize("unit", list(Unit))
def test_results_are_in_utc(unit):
    result = NL.add(at("2026-12-21T10:00+01:00"), Duration(1, unit))
    assert result.tzinfo is UTC
    assert NL.remind_at(result, Duration(1, unit)).tzinfo is UTC


def test_a_calendar_round_trips_through_a_dict():
    calendar = BusinessCalendar(
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        working_weekdays=frozenset({0, 1, 2, 3, 5}),
        opens=time(8, 30),
        closes=time(17, 45),
        closure_days=frozenset({date(2026, 12, 31), date(2026, 12, 24)}),
    )
    data = calendar.to_dict()
    assert data == {
        "timezone": "Europe/London",
        "country": "GB",
        "subdivision": "ENG",
        "working_weekdays": [0, 1, 2, 3, 5],
        "opens": "08:30",
        "closes": "17:45",
        "closure_days": ["2026-12-24", "2026-12-31"],
    }
    assert BusinessCalendar.from_dict(data) == calendar


def test_from_dict_fills_in_the_defaults():
    calendar = BusinessCalendar.from_dict({"timezone": "Europe/Amsterdam", "country": "NL"})
    assert calendar == NL
    assert calendar.working_weekdays == frozenset({0, 1, 2, 3, 4})
    assert (calendar.opens, calendar.closes) == (time(9, 0), time(17, 0))


def test_a_duration_round_trips_through_a_dict():
    duration = Duration(14, Unit.calendar_days)
    assert duration.to_dict() == {"amount": 14, "unit": "calendar_days"}
    assert Duration.from_dict({"amount": 14, "unit": "calendar_days"}) == duration


BAD_CALENDARS = [
    pytest.param({"timezone": "Europe/Amstredam", "country": "NL"}, "timezone", "unknown time zone", id="zone"),
    pytest.param({"timezone": "", "country": "NL"}, "timezone", "unknown time zone", id="empty-zone"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "XX"}, "country", "no public holidays", id="country"),
    pytest.param(
        {"timezone": "Europe/London", "country": "GB", "subdivision": "England"},
        "subdivision", "GB has no subdivision 'England' (known: ENG, NIR, SCT, WLS)", id="subdivision",
    ),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "working_weekdays": []},
                 "working_weekdays", "one or more", id="no-weekdays"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "working_weekdays": [7]},
                 "working_weekdays", "0 (Monday) to 6 (Sunday)", id="weekday-7"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "working_weekdays": [True]},
                 "working_weekdays[0]", "expected a whole number", id="weekday-bool"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "opens": "9:00"},
                 "opens", "HH:MM", id="opens-format"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "closes": "25:00"},
                 "closes", "HH:MM", id="closes-hour"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "opens": "17:00", "closes": "09:00"},
                 "closes", "close after they open", id="closes-before-opening"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "closure_days": ["24-12-2026"]},
                 "closure_days[0]", "YYYY-MM-DD", id="closure-day-format"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "closure_days": "2026-12-24"},
                 "closure_days", "expected a list", id="closure-days-not-a-list"),
    pytest.param({"timezone": "Europe/Amsterdam"}, "", "missing field country", id="missing"),
    pytest.param({"timezone": "Europe/Amsterdam", "country": "NL", "holidays": []},
                 "", "unknown field holidays", id="unknown"),
    pytest.param(["Europe/Amsterdam"], "", "expected an object", id="not-an-object"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_CALENDARS)
def test_bad_calendars_are_refused_naming_the_field(data, field, message):
    with pytest.raises(PolicyError) as raised:
        BusinessCalendar.from_dict(data)
    assert raised.value.field == field
    assert message in raised.value.problem


BAD_DURATIONS = [
    pytest.param({"amount": -1, "unit": "hours"}, "amount", "between 0 and 10000", id="negative"),
    pytest.param({"amount": 10_001, "unit": "hours"}, "amount", "between 0 and 10000", id="huge"),
    pytest.param({"amount": 1.5, "unit": "hours"}, "amount", "expected a whole number, not 1.5", id="float"),
    pytest.param({"amount": True, "unit": "hours"}, "amount", "expected a whole number", id="bool"),
    pytest.param({"amount": "3", "unit": "hours"}, "amount", "expected a whole number, not text '3'", id="text"),
    pytest.param({"amount": 3, "unit": "weeks"}, "unit", "'weeks' is not one of hours, business_hours", id="unit"),
]


@pytest.mark.parametrize(("data", "field", "message"), BAD_DURATIONS)
def test_bad_durations_are_refused_naming_the_field(data, field, message):
    with pytest.raises(PolicyError) as raised:
        Duration.from_dict(data)
    assert raised.value.field == field
    assert message in raised.value.problem


def test_policy_errors_are_value_errors():
    with pytest.raises(ValueError, match="^amount: must be between 0 and 10000, not -1$"):
        Duration(-1, Unit.hours)


# --- properties --------------------------------------------------------------------------------

ZONES_AND_COUNTRIES = [
    ("Europe/Amsterdam", "NL", None),
    ("Europe/London", "GB", "ENG"),
    ("Europe/Brussels", "BE", None),
]
DAY_UNITS = [Unit.calendar_days, Unit.working_days]


@st.composite
def calendars(draw) -> BusinessCalendar:
    timezone, country, subdivision = draw(st.sampled_from(ZONES_AND_COUNTRIES))
    # Opening hours on quarter hours between 06:00 and 21:00, clear of the night-time DST changes.
    opens_quarter = draw(st.integers(24, 80))
    closes_quarter = draw(st.integers(opens_quarter + 1, 84))
    return BusinessCalendar(
        timezone=timezone,
        country=country,
        subdivision=subdivision,
        working_weekdays=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        opens=time(opens_quarter // 4, opens_quarter % 4 * 15),
        closes=time(closes_quarter // 4, closes_quarter % 4 * 15),
        closure_days=draw(st.frozensets(st.dates(date(2025, 1, 1), date(2028, 12, 31)), max_size=60)),
    )


starts = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 6, 30), timezones=st.just(UTC))
amounts = st.integers(0, 40)
units = st.sampled_from(list(Unit))


def local(calendar: BusinessCalendar, instant: datetime) -> datetime:
    return instant.astimezone(calendar.zone)


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """The business time inside [start, end], measured day by day (an oracle for `add`)."""
    total = timedelta()
    day = local(calendar, start).date()
    while day <= local(calendar, end).date():
        if calendar.is_working_day(day):
            opens = datetime.combine(day, calendar.opens, tzinfo=calendar.zone).astimezone(UTC)
            closes = datetime.combine(day, calendar.closes, tzinfo=calendar.zone).astimezone(UTC)
            total += max(timedelta(), min(end, closes) - max(start, opens))
        day += timedelta(days=1)
    return total


@settings(deadline=None)
@given(calendars(), starts, amounts, units)
def test_due_is_never_before_its_start(calendar, start, amount, unit):
    assert calendar.add(start, Duration(amount, unit)) >= start


@settings(deadline=None)
@given(calendars(), starts, amounts, st.sampled_from(DAY_UNITS))
def test_day_units_end_at_23_59_59_local(calendar, start, amount, unit):
    due_local = local(calendar, calendar.add(start, Duration(amount, unit)))
    assert due_local.time() == time(23, 59, 59)
    assert (due_local.date() - local(calendar, start).date()).days >= amount


@settings(deadline=None)
@given(calendars(), starts, st.integers(1, 40))
def test_working_days_end_on_a_working_day(calendar, start, amount):
    due_at = calendar.add(start, Duration(amount, Unit.working_days))
    assert calendar.is_working_day(local(calendar, due_at).date())


@settings(deadline=None)
@given(calendars(), starts, units, amounts, amounts)
def test_due_grows_with_the_amount(calendar, start, unit, smaller, larger):
    assume(smaller <= larger)
    assert calendar.add(start, Duration(smaller, unit)) <= calendar.add(start, Duration(larger, unit))


@settings(deadline=None)
@given(calendars(), starts, units, st.integers(0, 20), st.integers(0, 20))
def test_counting_on_from_a_due_instant_adds_up(calendar, start, unit, first, second):
    in_two_steps = calendar.add(calendar.add(start, Duration(first, unit)), Duration(second, unit))
    assert in_two_steps == calendar.add(start, Duration(first + second, unit))


@settings(deadline=None)
@given(calendars(), starts, st.integers(1, 60))
def test_business_hours_end_inside_business_hours_of_a_working_day(calendar, start, amount):
    due_at = calendar.add(start, Duration(amount, Unit.business_hours))
    due_local = local(calendar, due_at)
    assert calendar.is_working_day(due_local.date())
    assert calendar.opens < due_local.time() <= calendar.closes
    assert business_time_between(calendar, start, due_at) == timedelta(hours=amount)


@settings(deadline=None)
@given(calendars(), starts, st.integers(0, 40), st.sampled_from(DAY_UNITS))
def test_day_reminders_fall_at_the_start_of_a_day_no_later_than_the_due_day(calendar, start, amount, unit):
    due_at = calendar.add(start, Duration(amount, unit))
    remind_local = local(calendar, calendar.remind_at(due_at, Duration(1, unit)))
    assert remind_local.time() == time(0, 0)
    assert remind_local.date() < local(calendar, due_at).date()
    if unit == Unit.working_days:
        assert calendar.is_working_day(remind_local.date())


@settings(deadline=None)
@given(calendars(), starts, st.integers(1, 40))
def test_a_working_day_reminder_as_long_as_the_term_points_back_to_the_start_day(calendar, start, amount):
    start_day = local(calendar, start).date()
    assume(calendar.is_working_day(start_day))
    term = Duration(amount, Unit.working_days)
    reminder = calendar.remind_at(calendar.add(start, term), term)
    assert reminder == datetime.combine(start_day, time(0, 0), tzinfo=calendar.zone)


@settings(deadline=None)
@given(calendars(), starts, st.integers(1, 60))
def test_business_hour_reminders_mirror_adding(calendar, start, amount):
    term = Duration(amount, Unit.business_hours)
    reminder = calendar.remind_at(calendar.add(start, term), term)
    # Counting back lands on the first business instant at or after the start.
    assert reminder >= start
    assert business_time_between(calendar, start, reminder) == timedelta()
    reminder_local = local(calendar, reminder)
    assert calendar.is_working_day(reminder_local.date())
    assert calendar.opens <= reminder_local.time() < calendar.closes
