"""Each injected fact, checked in the raw files with independent readers."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from .demo_raw import active_days, fact, nps, pages, read_csv, weekly_active


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_stalled_country_flattens_from_week_5(demo_dir: Path, truth: dict[str, Any]) -> None:
    stall = fact(truth, "adoption_stall")
    days = active_days(demo_dir, truth)
    go_live = {c["code"]: _date(c["go_live"]) for c in truth["countries"]}
    end = _date(truth["window"]["end"])

    def wau(code: str) -> list[int]:
        weeks = range(0, (end - go_live[code]).days // 7 + 1)
        return [weekly_active(days[code], go_live[code] + dt.timedelta(weeks=w)) for w in weeks]

    fr = wau(stall["country"])
    assert fr == [stall["wau_by_week_since_go_live"][str(w)] for w in range(len(fr))]
    w5 = fr[5]
    assert w5 >= 10
    assert max(fr[5:]) <= math.ceil(1.1 * w5)
    assert min(fr[5:]) >= math.floor(0.85 * w5)
    de = wau("DE")  # same go-live wave, not stalled: still growing after week 5
    assert go_live["DE"] == go_live[stall["country"]]
    assert de[-1] >= 1.2 * de[5]


def test_holiday_week_has_fewer_active_days_not_fewer_users_per_working_day(
    demo_dir: Path, truth: dict[str, Any]
) -> None:
    h = fact(truth, "holiday_dip")
    assert (h["country"], h["week_start"], len(h["holidays"])) == ("ES", "2025-04-14", 2)
    days = active_days(demo_dir, truth)[h["country"]]
    weeks = {}
    for label, spec in h["weeks"].items():
        monday = _date(spec["week_start"])
        span = [monday + dt.timedelta(days=k) for k in range(7)]
        per_day = {d: sum(1 for _, x in days if x == d) for d in span}
        working = [
            d for d in span if d.weekday() < 5 and d.isoformat() not in {x["date"] for x in h["holidays"]}
        ]
        weeks[label] = (sum(per_day.values()), sum(per_day[d] for d in working) / len(working), len(working))
        assert weeks[label][0] == spec["active_user_days"]
    assert [w[2] for w in weeks.values()] == [5, 3, 5]
    assert weeks["holiday"][0] < weeks["before"][0]
    assert weeks["holiday"][0] < weeks["after"][0]
    assert weeks["holiday"][1] >= 0.9 * weeks["before"][1]


def test_decaying_team_records_lose_required_fields(demo_dir: Path, truth: dict[str, Any]) -> None:
    dq = fact(truth, "data_quality_decay")
    teams = {t["teamid"]: t["name"] for t in pages(demo_dir / "dataverse" / "teams")}
    team_of = {
        m["systemuserid"]: teams[m["teamid"]] for m in pages(demo_dir / "dataverse" / "teammemberships")
    }
    tally: dict[tuple[bool, str], list[int]] = defaultdict(lambda: [0, 0])
    for entity, fields in dq["required_fields"].items():
        folder = {"opportunity": "opportunities"}.get(entity, entity + "s")
        for row in pages(demo_dir / "dataverse" / folder):
            cell = tally[(team_of[row["_ownerid_value"]] == dq["team"], row["createdon"][:7])]
            cell[0] += all(row[f] is not None for f in fields)
            cell[1] += 1
    share = {k: ok / n for k, (ok, n) in tally.items()}
    assert share[(True, "2025-03")] > 0.9
    assert share[(True, "2025-05")] < 0.6
    assert min(v for (mine, _), v in share.items() if not mine) > 0.9
    realised = dq["complete_by_created_month"]["team"]
    assert {m: [v["complete"], v["records"]] for m, v in realised.items()} == {
        m: tally[(True, m)] for m in realised
    }


def test_nps_drops_after_the_release_in_one_country(demo_dir: Path, truth: dict[str, Any]) -> None:
    drop = fact(truth, "nps_drop")
    country = {r["E-mail"]: r["Country"] for r in read_csv(demo_dir / "rollout/user_list.csv", "utf-8-sig")}
    code = {c["name"]: c["code"] for c in truth["countries"]}
    question = "How likely are you to recommend the new CRM to a colleague?"
    result = {}
    for side in ("last_before", "first_after"):
        rows = read_csv(demo_dir / "surveys" / drop[side]["file"], "utf-8-sig")
        by_country: dict[str, list[int]] = defaultdict(list)
        for r in rows:
            if r[question] != "":
                by_country[code[country[r["Email"]]]].append(int(r[question]))
        result[side] = {c: nps(s) for c, s in by_country.items()}
        assert result[side][drop["country"]] == drop[side]["nps"]
    assert result["last_before"][drop["country"]] >= 0
    assert result["first_after"][drop["country"]] <= result["last_before"][drop["country"]] - 50
    others = [c for c in result["first_after"] if c != drop["country"] and c in result["last_before"]]
    assert others
    assert all(result["first_after"][c] > result["first_after"][drop["country"]] + 30 for c in others)


def test_tickets_peak_in_hypercare(demo_dir: Path, truth: dict[str, Any]) -> None:
    go_live = {c["name"]: _date(c["go_live"]) for c in truth["countries"]}
    weekly: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for r in read_csv(demo_dir / "tickets/incidents.csv"):
        opened = dt.datetime.strptime(r["Opened"], "%Y-%m-%d %H:%M:%S").date()
        weekly[r["Country"]][(opened - go_live[r["Country"]]).days // 7] += 1
    big = {c: w for c, w in weekly.items() if sum(w.values()) >= 40}
    assert len(big) >= 3
    for w in big.values():
        assert 1 <= max(w, key=lambda k: w[k]) <= 7


def test_go_live_revenue_effect_is_recoverable(demo_dir: Path, truth: dict[str, Any]) -> None:
    effect = fact(truth, "revenue_effect")["effect"]
    start = _date(truth["window"]["start"])
    go_live = {c["code"]: (_date(c["go_live"]) - start).days // 7 for c in truth["countries"]}
    cells: dict[tuple[str, int], float] = defaultdict(float)
    for r in read_csv(demo_dir / "erp/invoices.csv"):
        week = (_date(r["Invoice date"]) - start).days // 7
        cells[(r["Country"], week)] += float(r["Net amount EUR"])
    keys = sorted(cells)
    countries = sorted({c for c, _ in keys})
    weeks = sorted({w for _, w in keys})
    x = np.zeros((len(keys), len(countries) + len(weeks)))
    for k, (c, w) in enumerate(keys):
        x[k, countries.index(c)] = 1
        x[k, len(countries) + weeks.index(w)] = 1
    post = np.array([[1.0 if w >= go_live[c] else 0.0] for c, w in keys])
    y = np.log([cells[k] for k in keys])
    beta = np.linalg.lstsq(np.hstack([post, x[:, 1:]]), y, rcond=None)[0]
    assert abs(beta[0] - math.log1p(effect)) < 0.06


def test_impersonated_rows_are_marked(demo_dir: Path, truth: dict[str, Any]) -> None:
    rows = pages(demo_dir / "dataverse" / "audits")
    bots = {a["systemuserid"] for a in truth["accounts"]["integration"]}
    impersonated = [r for r in rows if r["_callinguserid_value"]]
    assert len(impersonated) == truth["accounts"]["impersonated_rows"] > 0
    assert {r["_callinguserid_value"] for r in impersonated} <= bots
    assert sum(r["_userid_value"] in bots for r in rows) == truth["accounts"]["integration_rows"]
