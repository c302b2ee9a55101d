"""Survey sources and KPIs: case 14-nps-scale-and-rounding (shared/cases/14-nps-scale-and-rounding)
end to end, scale rules, and the real ABC customer survey (customer-surveys-ecsi-corprep-abc,
Kenett & Salini 2011) against plain Python over the raw file."""

from __future__ import annotations

import csv
import gzip
import shutil
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pytest

from conftest import DATA, case_file, make_project, one, run
from uptake.kpis.survey import round_half_away
from uptake.project.loader import load_project
from uptake.warehouse.store import Warehouse

CASE_14 = "14-nps-scale-and-rounding"
EVENTS = "user,ts,action\np01,2026-03-02T10:00:00Z,update\n"


def _questions_yaml() -> str:
    """The survey's questions as the case declares them in questions.csv (type and scale)."""
    with case_file(CASE_14, "questions.csv").open(encoding="utf-8") as fh:
        qs = list(csv.DictReader(fh))
    return "\n".join(
        f"              - {{column: {q['question_id']}, type: {'nps' if q['type'] == 'nps' else 'rating'}, "
        f"scale: [{q['scale_min']}, {q['scale_max']}]}}"
        for q in qs
    )


@pytest.fixture(scope="module")
def case14(tmp_path_factory: pytest.TempPathFactory) -> tuple[pa.Table, Path]:
    folder = tmp_path_factory.mktemp("case14")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    project = make_project(
        folder,
        f"""
        name: case 14
        countries:
          - {{code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-01}}
        privacy: {{min_group_size: 1}}
        sources:
          - {{type: events, name: ev, path: events.csv, mapping: {{user: user, timestamp: ts}}}}
          - type: survey
            name: pulse
            format: long
            path: responses.csv
            mapping:
              {{response_id: response_id, respondent: respondent, question_id: question_id,
               value: value}}
            questions:
{_questions_yaml()}
        """,
        [case_file(CASE_14, "responses.csv")],
    )
    result = run(project, "2026-04-01T00:00:00+00:00")
    return result.kpi_values, project / result.project.warehouse.path


def test_case14_nps_counts_only_valid_answers(case14: tuple[pa.Table, Path]) -> None:
    kv, _ = case14
    nps = one(kv, "nps", "total", None, feature="pulse.q_nps")
    assert (nps["numerator"], nps["denominator"], nps["n_users"]) == (1, 7, 7)  # (2 − 1) / 7
    assert nps["value"] == pytest.approx(100 / 7)
    assert round_half_away(nps["value"]) == 14
    assert one(kv, "nps_promoters_share", "total", None, feature="pulse.q_nps")["numerator"] == 2
    assert one(kv, "nps_detractors_share", "total", None, feature="pulse.q_nps")["numerator"] == 1
    low = one(kv, "nps_ci_low", "total", None, feature="pulse.q_nps")["value"]
    high = one(kv, "nps_ci_high", "total", None, feature="pulse.q_nps")["value"]
    assert low < nps["value"] < high


def test_case14_no_nps_for_other_scales_or_types(case14: tuple[pa.Table, Path]) -> None:
    kv, _ = case14
    features = {r["feature"] for r in kv.to_pylist() if r["kpi"].startswith("nps")}
    assert features == {"pulse.q_nps", "pulse.q_nps@responses"}
    csat = one(kv, "rating_score_mean", "total", None, feature="pulse.q_csat")
    assert (csat["numerator"], csat["denominator"], csat["value"]) == (9, 2, 4.5)
    effort = one(kv, "rating_score_mean", "total", None, feature="pulse.q_effort")
    assert (effort["value"], effort["denominator"]) == (9, 1)
    shares = {
        r["feature"]: r["value"]
        for r in kv.to_pylist()
        if r["kpi"] == "rating_score_share"
        and r["grain"] == "total"
        and r["country"] is None
        and r["phase"] is None
        and "@" not in r["feature"]
    }
    assert shares == {"pulse.q_csat=4": 0.5, "pulse.q_csat=5": 0.5, "pulse.q_effort=9": 1.0}


def test_case14_out_of_range_answer_is_quarantined(case14: tuple[pa.Table, Path]) -> None:
    _, path = case14
    with Warehouse(path) as wh:
        q = wh.table("quarantine").to_pyarrow().to_pylist()
        answers = wh.table("surveys").to_pyarrow()
    assert [(r["row"], r["column"], r["raw"]) for r in q] == [(9, "q_nps", "11")]  # r09 is data row 9
    assert "expected a number from 0 to 10" in q[0]["reason"]
    assert sorted(answers["response_id"].to_pylist()) == [
        f"r{i:02d}" for i in (1, 2, 3, 4, 5, 6, 7, 10, 11, 12)
    ]


@pytest.mark.parametrize(
    ("value", "shown"), [(14.5, 15), (-14.5, -15), (100 / 7, 14), (200 / 7, 29), (0.5, 1), (-0.49, 0)]
)
def test_nps_display_rounds_half_away_from_zero(value: float, shown: int) -> None:
    assert round_half_away(value) == shown


def test_nps_question_on_another_scale_is_a_config_error(tmp_path: Path) -> None:
    make_project(
        tmp_path,
        """
        name: bad scale
        countries:
          - {code: DE, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-01}
        sources:
          - type: survey
            path: mobi.csv
            questions:
              - {column: CUSL3, type: nps, scale: [1, 10]}
        """,
    )
    with pytest.raises(Exception, match=r"NPS needs 0–10.*declare it as type rating"):
        load_project(tmp_path)


@pytest.fixture(scope="module")
def abc(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    folder = tmp_path_factory.mktemp("abc")
    raw = DATA / "customer-surveys-ecsi-corprep-abc" / "ABC2.csv.gz"
    with gzip.open(raw, "rb") as src, (folder / "abc2.csv").open("wb") as dst:
        shutil.copyfileobj(src, dst)
    shutil.copyfile(DATA / "customer-surveys-ecsi-corprep-abc" / "mobi.csv", folder / "mobi.csv")
    (folder / "events.csv").write_text(EVENTS, encoding="utf-8")
    project = make_project(
        folder,
        """
        name: abc survey
        countries:
          - {code: DE, name: Germany, region: EMEA, timezone: Europe/Berlin, go_live: 2026-03-01}
          - {code: GB, name: United Kingdom, match: [UK], region: EMEA, timezone: Europe/London,
             go_live: 2026-03-01}
          - {code: IT, name: Italy, region: EMEA, timezone: Europe/Rome, go_live: 2026-03-01}
          - {code: FR, name: France, region: EMEA, timezone: Europe/Paris, go_live: 2026-03-01}
          - {code: IL, name: Israel, region: MEA, timezone: Asia/Jerusalem, go_live: 2026-03-01}
        sources:
          - {type: events, name: ev, path: events.csv, mapping: {user: user, timestamp: ts}}
          - type: survey
            name: abc
            path: abc2.csv
            mapping: {response_id: ID, country: country}
            questions:
              - {column: Recommendation, id: recommend, type: rating, scale: [1, 5]}
              - {column: Satisfaction, id: satisfaction, type: rating, scale: [1, 5]}
          - type: survey
            name: mobi
            path: mobi.csv
            questions:
              - {column: CUSL3, id: recommend, type: rating, scale: [1, 10]}
        """,
    )
    return run(project, "2026-04-01T00:00:00+00:00").kpi_values


def _abc_raw() -> list[dict[str, str]]:
    with gzip.open(DATA / "customer-surveys-ecsi-corprep-abc" / "ABC2.csv.gz", "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


CODES = {"Germany": "DE", "UK": "GB", "Italy": "IT", "France": "FR", "Israel": "IL", "Benelux": "Benelux"}


def test_abc_recommendation_per_country_matches_raw_file(abc: pa.Table) -> None:
    raw = _abc_raw()
    for name, code in CODES.items():
        scores = [
            int(r["Recommendation"])
            for r in raw
            if r["country"] == name and r["Recommendation"] not in ("", "NA")
        ]
        got = one(
            abc,
            "rating_score_mean",
            "total",
            None,
            feature="abc.recommend",
            country=code,
            region=None if code == "Benelux" else ("MEA" if code == "IL" else "EMEA"),
        )
        assert (got["denominator"], got["numerator"]) == (len(scores), sum(scores)), name
    everyone = [int(r["Recommendation"]) for r in raw if r["Recommendation"] not in ("", "NA")]
    dist = {
        r["feature"]: r["numerator"]
        for r in abc.to_pylist()
        if r["kpi"] == "rating_score_share"
        and r["grain"] == "total"
        and r["country"] is None
        and r["region"] is None
        and r["phase"] is None
        and r["feature"].startswith("abc.recommend=")
    }
    assert dist == {f"abc.recommend={k}": v for k, v in Counter(everyone).items()}


def test_abc_and_mobi_scales_never_become_nps(abc: pa.Table) -> None:
    assert not [r for r in abc.to_pylist() if r["kpi"].startswith("nps")]
    with (DATA / "customer-surveys-ecsi-corprep-abc" / "mobi.csv").open(encoding="utf-8") as fh:
        cusl3 = [int(r["CUSL3"]) for r in csv.DictReader(fh)]
    got = one(abc, "rating_score_mean", "total", None, feature="mobi.recommend")
    assert (got["denominator"], got["numerator"]) == (len(cusl3), sum(cusl3))
