"""Business calendars and deadline arithmetic (SPEC 5), without Django.

A calendar has a time zone, working weekdays, business hours, the public holidays of a country
(and subdivision, from the `holidays` library) and the organisation's own closure days. A working
day is a working weekday that is neither a public holiday nor a closure day.

Counting rules for `BusinessCalendar.add(start, duration)`; `start` must be timezone-aware and
the result is an aware datetime in UTC:

- hours: the exact instant start + N hours of elapsed time. Across a daylight-saving change this
  is elapsed time, not the wall clock: 24 hours from 12:00 on the Saturday before summer time
  begins is 13:00 local on the Sunday.
- business_hours: N hours counted only inside business hours [opens, closes) on working days, in
  the calendar's time zone. A start outside business hours starts counting at the next opening.
  The result is the instant the N-th hour is used up; when that is exactly closing time, the
  result is the closing instant, not the next morning. 0 business hours is the start instant.
- calendar_days: the end of the N-th calendar day after the local day of the start.
- working_days: the end of the N-th working day after the local day of the start; the start day
  is not counted, whether or not it is a working day.
- For both day units, 0 days is the end of the start day, and "end of day" is 23:59:59 local
  time (to the second) converted to UTC.

Reminders, `BusinessCalendar.remind_at(due, before)`, mirror these rules backwards from a due
instant:

- hours: due - N hours.
- business_hours: N business hours counted back from the due instant (a due instant outside
  business hours counts back from the previous closing); exactly at opening time stays there.
- calendar_days / working_days: the start (00:00 local) of the N-th calendar / working day
  before the due instant's local day. A reminder so lands at the beginning of a day the handler
  can still act on, also when the due day itself is not a working day.
"""

import functools
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Self, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

# An upper bound so that a typo in a policy form cannot make the day-by-day counting run for
# centuries: 10,000 working days is about 40 years.
MAX_AMOUNT = 10_000

END_OF_DAY = time(23, 59, 59)
WEEKDAYS_MON_FRI = frozenset(range(5))
_TIME_FORMAT = re.compile(r"\d{2}:\d{2}")
_ONE_DAY = timedelta(days=1)

E = TypeVar("E", bound=StrEnum)
T = TypeVar("T")


class PolicyError(ValueError):
    """A policy setting that cannot be used, the calendar's included.

    `field` is the dotted path to the setting (e.g. `calendar.timezone`, `rules[2].duration.unit`),
    so a form can show the problem next to the right input.
    """

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}" if field else problem)
        self.field = field
        self.problem = problem

    def within(self, prefix: str) -> Self:
        """The same problem, seen from the object that holds this setting under `prefix`."""
        return type(self)(f"{prefix}.{self.field}" if self.field else prefix, self.problem)


class Unit(StrEnum):
    hours = "hours"
    business_hours = "business_hours"
    calendar_days = "calendar_days"
    working_days = "working_days"


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: Unit

    def __post_init__(self) -> None:
        _check_type(self.amount, int, "amount")
        if not 0 <= self.amount <= MAX_AMOUNT:
            raise PolicyError("amount", f"must be between 0 and {MAX_AMOUNT}, not {self.amount}")
        object.__setattr__(self, "unit", _enum_member(Unit, self.unit, "unit"))

    def to_dict(self) -> dict[str, Any]:
        return {"amount": self.amount, "unit": self.unit.value}

    @classmethod
    def from_dict(cls, data: object) -> Self:
        values = _object_fields(data, required=("amount", "unit"))
        return cls(amount=values["amount"], unit=values["unit"])


@dataclass(frozen=True)
class BusinessCalendar:
    timezone: str
    country: str
    subdivision: str | None = None
    working_weekdays: frozenset[int] = WEEKDAYS_MON_FRI
    opens: time = time(9, 0)
    closes: time = time(17, 0)
    closure_days: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        _check_type(self.timezone, str, "timezone")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise PolicyError("timezone", f"unknown time zone {self.timezone!r}") from None
        _check_type(self.country, str, "country")
        subdivisions = _supported_countries().get(self.country)
        if subdivisions is None:
            raise PolicyError("country", f"no public holidays known for country {self.country!r}")
        if self.subdivision is not None and self.subdivision not in subdivisions:
            known = ", ".join(subdivisions) or "none"
            raise PolicyError(
                "subdivision",
                f"{self.country} has no subdivision {self.subdivision!r} (known: {known})",
            )
        weekdays = frozenset(self.working_weekdays)
        if not weekdays or not weekdays <= frozenset(range(7)):
            raise PolicyError("working_weekdays", "must be one or more of 0 (Monday) to 6 (Sunday)")
        object.__setattr__(self, "working_weekdays", weekdays)
        for name in ("opens", "closes"):
            value = getattr(self, name)
            if not isinstance(value, time) or value.tzinfo is not None or value.second or value.microsecond:
                raise PolicyError(name, "must be a local time in whole minutes")
        if self.opens >= self.closes:
            raise PolicyError("closes", "business hours must close after they open")
        closure_days = frozenset(self.closure_days)
        if not all(type(day) is date for day in closure_days):
            raise PolicyError("closure_days", "must be dates")
        object.__setattr__(self, "closure_days", closure_days)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        if isinstance(day, datetime):
            # A datetime never equals a date, so it would silently miss every holiday.
            raise TypeError(f"is_working_day takes a date, not {day!r}")
        return (
            day.weekday() in self.working_weekdays
            and day not in self.closure_days
            and day not in _public_holidays(self.country, self.subdivision, day.year)
        )

    def add(self, start: datetime, duration: Duration) -> datetime:
        """The due instant, in UTC, of `duration` counted from `start` (see the module docstring)."""
        start = _to_utc(start, "start")
        amount = duration.amount
        match duration.unit:
            case Unit.hours:
                return start + timedelta(hours=amount)
            case Unit.business_hours:
                return self._add_business_hours(start, timedelta(hours=amount))
            case Unit.calendar_days:
                return self._end_of(self._local_day(start) + amount * _ONE_DAY)
            case Unit.working_days:
                return self._end_of(self._working_day_after(self._local_day(start), amount, step=_ONE_DAY))

    def remind_at(self, due: datetime, before: Duration) -> datetime:
        """The instant, in UTC, `before` ahead of `due` (see the module docstring)."""
        due = _to_utc(due, "due")
        amount = before.amount
        match before.unit:
            case Unit.hours:
                return due - timedelta(hours=amount)
            case Unit.business_hours:
                return self._subtract_business_hours(due, timedelta(hours=amount))
            case Unit.calendar_days:
                return self._start_of(self._local_day(due) - amount * _ONE_DAY)
            case Unit.working_days:
                return self._start_of(self._working_day_after(self._local_day(due), amount, step=-_ONE_DAY))

    def to_dict(self) -> dict[str, Any]:
        return {
            "timezone": self.timezone,
            "country": self.country,
            "subdivision": self.subdivision,
            "working_weekdays": sorted(self.working_weekdays),
            "opens": self.opens.strftime("%H:%M"),
            "closes": self.closes.strftime("%H:%M"),
            "closure_days": [day.isoformat() for day in sorted(self.closure_days)],
        }

    @classmethod
    def from_dict(cls, data: object) -> Self:
        values = _object_fields(
            data,
            required=("timezone", "country"),
            optional=("subdivision", "working_weekdays", "opens", "closes", "closure_days"),
        )
        arguments: dict[str, Any] = {
            name: values[name] for name in ("timezone", "country", "subdivision") if name in values
        }
        if "working_weekdays" in values:
            arguments["working_weekdays"] = _parse_list(
                values["working_weekdays"], "working_weekdays", lambda day: _check_type(day, int, "")
            )
        for name in ("opens", "closes"):
            if name in values:
                arguments[name] = _parse_time(values[name], name)
        if "closure_days" in values:
            arguments["closure_days"] = _parse_list(
                values["closure_days"], "closure_days", lambda day: _parse_date(day, "")
            )
        return cls(**arguments)

    def _local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def _end_of(self, day: date) -> datetime:
        return datetime.combine(day, END_OF_DAY, tzinfo=self.zone).astimezone(UTC)

    def _start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=self.zone).astimezone(UTC)

    def _working_day_after(self, day: date, count: int, step: timedelta) -> date:
        """The `count`-th working day after (or, with a negative step, before) `day`."""
        while count:
            day += step
            if self.is_working_day(day):
                count -= 1
        return day

    def _business_window(self, day: date) -> tuple[datetime, datetime]:
        # Arithmetic in UTC: subtracting two datetimes that share a tzinfo ignores a DST change.
        opens = datetime.combine(day, self.opens, tzinfo=self.zone).astimezone(UTC)
        closes = datetime.combine(day, self.closes, tzinfo=self.zone).astimezone(UTC)
        return opens, closes

    def _add_business_hours(self, start: datetime, remaining: timedelta) -> datetime:
        if not remaining:
            return start
        day = self._local_day(start)
        while True:
            if self.is_working_day(day):
                opens, closes = self._business_window(day)
                begin = max(start, opens)
                if begin < closes:
                    if remaining <= closes - begin:
                        return begin + remaining
                    remaining -= closes - begin
            day += _ONE_DAY

    def _subtract_business_hours(self, due: datetime, remaining: timedelta) -> datetime:
        if not remaining:
            return due
        day = self._local_day(due)
        while True:
            if self.is_working_day(day):
                opens, closes = self._business_window(day)
                end = min(due, closes)
                if end > opens:
                    if remaining <= end - opens:
                        return end - remaining
                    remaining -= end - opens
            day -= _ONE_DAY


@functools.cache
def _supported_countries() -> dict[str, list[str]]:
    return holidays.list_supported_countries(include_aliases=False)


@functools.lru_cache(maxsize=1024)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    # A frozen set per year, rather than the library's lazily growing dict, is safe to share
    # between threads.
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def _to_utc(instant: datetime, name: str) -> datetime:
    if not isinstance(instant, datetime) or instant.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, not {instant!r}")
    return instant.astimezone(UTC)


# Parsing helpers shared with rules.py: plain JSON values in, clear errors naming the field out.


def _object_fields(data: object, required: Collection[str], optional: Collection[str] = ()) -> Mapping[str, object]:
    if not isinstance(data, Mapping):
        raise PolicyError("", f"expected an object, not {_json_type(data)}")
    missing = [key for key in required if key not in data]
    if missing:
        raise PolicyError("", f"missing field {', '.join(missing)}")
    unknown = sorted(str(key) for key in data if key not in required and key not in optional)
    if unknown:
        raise PolicyError("", f"unknown field {', '.join(unknown)}")
    return data


def _check_type(value: object, kind: type[T], name: str) -> T:
    # bool is an int in Python, but `true` is no number of days in a form.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PolicyError(name, f"expected {_JSON_NAMES.get(kind, kind.__name__)}, not {_json_type(value)}")
    return value


def _enum_member(enum: type[E], value: object, name: str) -> E:
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(member.value for member in enum)
        raise PolicyError(name, f"{value!r} is not one of {choices}") from None


def _parse_list(value: object, name: str, parse: Callable[[object], T]) -> tuple[T, ...]:
    items = _check_type(value, list, name)
    return tuple(_parse_nested(item, f"{name}[{index}]", parse) for index, item in enumerate(items))


def _parse_nested(value: object, name: str, parse: Callable[[object], T]) -> T:
    try:
        return parse(value)
    except PolicyError as error:
        raise error.within(name) from None


def _parse_time(value: object, name: str) -> time:
    text = _check_type(value, str, name)
    try:
        if not _TIME_FORMAT.fullmatch(text):
            raise ValueError
        return time.fromisoformat(text)
    except ValueError:
        raise PolicyError(name, f"expected a time as HH:MM, not {text!r}") from None


def _parse_date(value: object, name: str) -> date:
    text = _check_type(value, str, name)
    try:
        day = date.fromisoformat(text)
        if day.isoformat() != text:
            raise ValueError
        return day
    except ValueError:
        raise PolicyError(name, f"expected a date as YYYY-MM-DD, not {text!r}") from None


_JSON_NAMES = {int: "a whole number", str: "text", bool: "true or false", list: "a list"}


def _json_type(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "true or false"
        case int() | float():
            return repr(value)
        case str():
            return f"text {value[:40]!r}"
        case list() | tuple():
            return "a list"
        case Mapping():
            return "an object"
    return type(value).__name__
