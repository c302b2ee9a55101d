"""Working days and business hours per country (and subdivision).

A day is a working day of a country unless it is one of the country's weekend days or a holiday
(and not listed in the project's ``workdays.countries.<CC>.working_days``). Holidays come from the
``holidays`` package with explicit categories: ``public`` everywhere, plus the regional days off the
package files elsewhere (:data:`REGIONAL_DAYS_OFF`, e.g. Assumption Day in Bavaria, stack-notes
pitfall 8); observances and optional days are working days unless the project opts in
(``categories`` or ``extra_holidays``). Weekends default to the country's own (Friday/Saturday in
Saudi Arabia, Saturday/Sunday in Germany).

Business hours are the working hours (default 09:00–17:00 local) of working days. Each working
day's hours are turned into an exact UTC interval with the country's IANA zone, so a day with a
daylight-saving change has the right length; :meth:`WorkCalendar.business_hours_between` (Python)
and :func:`with_business_hours` (Ibis, over the ``calendar_hours`` table) sum the overlap of
``[start, end)`` with those intervals.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import holidays
import ibis
import pyarrow as pa
from ibis.expr.types import Table

from uptake.calendar import period_end, period_start
from uptake.project.models import Country, Project
from uptake.vocab import WEEK_STARTS
from uptake.warehouse.store import Warehouse

REGIONAL_DAYS_OFF: Mapping[str, tuple[str, ...]] = {"DE-BY": ("catholic",)}
"""Categories besides ``public`` that are days off by default in a subdivision. Assumption Day
(15 Aug) is a day off in most of Bavaria, including Munich and Augsburg; in Saxony and Thuringia
the ``catholic`` Corpus Christi holds only in a few municipalities, so it is not a default there."""

_DEFAULT_WEEKEND = frozenset({5, 6})

CALENDAR_DAYS_SCHEMA = pa.schema(
    [
        ("country", pa.string()),
        ("subdivision", pa.string()),
        ("date", pa.date32()),
        ("is_working_day", pa.bool_()),
        ("holiday_name", pa.string()),
        ("week_start_date", pa.date32()),
        ("iso_week", pa.int64()),
        ("iso_year", pa.int64()),
    ]
)

CALENDAR_HOURS_SCHEMA = pa.schema(
    [
        ("country", pa.string()),
        ("date", pa.date32()),
        ("work_from", pa.timestamp("us")),
        ("work_to", pa.timestamp("us")),
    ]
)
"""One row per working day: its working hours as a naive-UTC interval ``[work_from, work_to)``."""


@dataclass(frozen=True)
class CountryCalendar:
    country: str
    subdivision: str | None
    timezone: str
    weekend: frozenset[int]
    """Weekly days off, Monday = 0."""
    categories: tuple[str, ...]
    extra_holidays: Mapping[dt.date, str]
    working_days: frozenset[dt.date]
    start: dt.time
    end: dt.time

    def holiday_name(self, day: dt.date) -> str | None:
        """The holiday on ``day`` (on weekends too), or None."""
        if day in self.extra_holidays:
            return self.extra_holidays[day]
        name = _holidays(self.country, self.subdivision, day.year, self.categories).get(day)
        return None if name is None else str(name)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        return day.weekday() not in self.weekend and self.holiday_name(day) is None

    def working_interval(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's working hours as naive UTC ``[from, to)``; None on a day off."""
        if not self.is_working_day(day):
            return None
        zone = zoneinfo.ZoneInfo(self.timezone)
        lo = dt.datetime.combine(day, self.start, tzinfo=zone).astimezone(dt.UTC)
        hi = dt.datetime.combine(day, self.end, tzinfo=zone).astimezone(dt.UTC)
        return lo.replace(tzinfo=None), hi.replace(tzinfo=None)

    def local_date(self, utc: dt.datetime) -> dt.date:
        return _aware(utc).astimezone(zoneinfo.ZoneInfo(self.timezone)).date()


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendars of a project's countries."""

    countries: Mapping[str, CountryCalendar]

    def __getitem__(self, country: str) -> CountryCalendar:
        return self.countries[country]

    def working_days(self, country: str, first: dt.date, last: dt.date) -> int:
        """Working days in ``first``..``last`` (inclusive)."""
        cal = self.countries[country]
        return sum(1 for d in _days(first, last) if cal.is_working_day(d))

    def business_hours_between(self, start_utc: dt.datetime, end_utc: dt.datetime, country: str) -> float:
        """Exact working hours of ``country`` inside ``[start_utc, end_utc)`` (0 if end ≤ start).

        Naive datetimes mean UTC; aware ones are converted."""
        lo, hi = _naive_utc(start_utc), _naive_utc(end_utc)
        if hi <= lo:
            return 0.0
        cal = self.countries[country]
        total = dt.timedelta()
        for day in _days(
            cal.local_date(lo) - dt.timedelta(days=1), cal.local_date(hi) + dt.timedelta(days=1)
        ):
            interval = cal.working_interval(day)
            if interval is not None:
                overlap = min(hi, interval[1]) - max(lo, interval[0])
                if overlap > dt.timedelta():
                    total += overlap
        return total / dt.timedelta(hours=1)


def work_calendar(project: Project) -> WorkCalendar:
    return WorkCalendar({c.code: _country_calendar(project, c) for c in project.countries})


def _country_calendar(project: Project, c: Country) -> CountryCalendar:
    o = project.workdays.countries.get(c.code)
    default_categories = ("public", *REGIONAL_DAYS_OFF.get(c.subdivision or "", ()))
    hours = (o.hours if o and o.hours else None) or project.workdays.hours
    weekend = (
        frozenset(WEEK_STARTS.index(w) for w in o.weekend)
        if o and o.weekend is not None
        else _weekend(c.code)
    )
    return CountryCalendar(
        country=c.code,
        subdivision=c.subdivision,
        timezone=c.timezone,
        weekend=weekend,
        categories=tuple(o.categories) if o and o.categories is not None else default_categories,
        extra_holidays=dict(o.extra_holidays) if o else {},
        working_days=frozenset(o.working_days) if o else frozenset(),
        start=hours.start,
        end=hours.end,
    )


def _weekend(code: str) -> frozenset[int]:
    try:
        return frozenset(holidays.country_holidays(code).weekend)
    except NotImplementedError:
        return _DEFAULT_WEEKEND


_CACHE: dict[tuple[str, str | None, int, tuple[str, ...]], dict[dt.date, str]] = {}


def _holidays(
    code: str, subdivision: str | None, year: int, categories: tuple[str, ...]
) -> dict[dt.date, str]:
    """Holidays of one country/subdivision and year (none for a country the package lacks)."""
    key = (code, subdivision, year, categories)
    if key not in _CACHE:
        subdiv = subdivision.split("-", 1)[1] if subdivision else None
        try:
            table = holidays.country_holidays(
                code, subdiv=subdiv, years=year, categories=categories, language="en_US"
            )
        except NotImplementedError:
            _CACHE[key] = {}
        else:
            _CACHE[key] = {d: str(n) for d, n in table.items()}
    return _CACHE[key]


def calendar_days(project: Project, first: dt.date, last: dt.date) -> pa.Table:
    """``calendar_days`` rows: every country × date in ``first``..``last``."""
    cal = work_calendar(project)
    rows = [
        {
            "country": c.country,
            "subdivision": c.subdivision,
            "date": d,
            "is_working_day": c.is_working_day(d),
            "holiday_name": c.holiday_name(d),
            "week_start_date": period_start(d, "week", project.week_start),
            "iso_week": d.isocalendar().week,
            "iso_year": d.isocalendar().year,
        }
        for c in cal.countries.values()
        for d in _days(first, last)
    ]
    return pa.Table.from_pylist(rows, schema=CALENDAR_DAYS_SCHEMA)


def calendar_hours(project: Project, first: dt.date, last: dt.date) -> pa.Table:
    """``calendar_hours`` rows: each working day's hours as a UTC interval."""
    rows = []
    for c in work_calendar(project).countries.values():
        for d in _days(first, last):
            interval = c.working_interval(d)
            if interval is not None:
                rows.append(
                    {"country": c.country, "date": d, "work_from": interval[0], "work_to": interval[1]}
                )
    return pa.Table.from_pylist(rows, schema=CALENDAR_HOURS_SCHEMA)


def write_calendar(wh: Warehouse, project: Project, first: dt.date, last: dt.date) -> None:
    """(Re)write ``calendar_days`` and ``calendar_hours`` over the whole months of ``first``..``last``,
    widened to the creation and closing dates of the CRM records (process durations in business
    hours), with a day of margin (UTC timestamps near midnight)."""
    rec = wh.table("records")
    b = rec.agg(lo=rec["created_on"].min(), hi=rec["closed_on"].max()).to_pyarrow().to_pylist()[0]
    lo = min([first, *([b["lo"].date()] if b["lo"] is not None else [])])
    hi = max([last, *([b["hi"].date()] if b["hi"] is not None else [])])
    lo = period_start(lo, "month") - dt.timedelta(days=1)
    hi = period_end(period_start(hi, "month"), "month") + dt.timedelta(days=1)
    wh.replace("calendar_days", calendar_days(project, lo, hi))
    wh.replace("calendar_hours", calendar_hours(project, lo, hi))


def with_business_hours(
    t: Table, start: str, end: str, country: str, hours: Table, name: str = "business_hours"
) -> Table:
    """``t`` with a float column ``name``: exact working hours of the row's ``country`` inside
    ``[start, end)`` (naive-UTC timestamps); 0 when end ≤ start or no working time lies between,
    null when either end or the country is null. ``hours`` is the ``calendar_hours`` table."""
    # computed once per distinct (country, start, end) and joined back on those values: an
    # unordered row_number() as a row key is not stable between two scans of the same input
    spans = t.select(_bh_c=t[country], _bh_s=t[start], _bh_e=t[end]).distinct()
    spans = spans.filter(spans["_bh_c"].notnull() & spans["_bh_s"].notnull() & spans["_bh_e"].notnull())
    h = hours.select(_bh_country=hours["country"], _bh_from=hours["work_from"], _bh_to=hours["work_to"])
    j = spans.join(
        h,
        [spans["_bh_c"] == h["_bh_country"], h["_bh_from"] < spans["_bh_e"], h["_bh_to"] > spans["_bh_s"]],
    )
    lo = ibis.greatest(j["_bh_s"], j["_bh_from"])
    hi = ibis.least(j["_bh_e"], j["_bh_to"])
    per_span = j.group_by("_bh_c", "_bh_s", "_bh_e").agg(_bh_us=hi.delta(lo, unit="microsecond").sum())
    out = t.left_join(
        per_span,
        [t[country] == per_span["_bh_c"], t[start] == per_span["_bh_s"], t[end] == per_span["_bh_e"]],
    )
    known = out[start].notnull() & out[end].notnull() & out[country].notnull()
    value = known.ifelse(out["_bh_us"].fill_null(0).cast("float64") / 3_600_000_000, ibis.null("float64"))
    return out.mutate(**{name: value}).drop("_bh_c", "_bh_s", "_bh_e", "_bh_us")


def _days(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    for i in range((last - first).days + 1):
        yield first + dt.timedelta(days=i)


def _aware(ts: dt.datetime) -> dt.datetime:
    return ts.replace(tzinfo=dt.UTC) if ts.tzinfo is None else ts


def _naive_utc(ts: dt.datetime) -> dt.datetime:
    return _aware(ts).astimezone(dt.UTC).replace(tzinfo=None)
