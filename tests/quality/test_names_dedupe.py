"""Name normalisation and duplicate decisions (pure functions), and case 17."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from uptake.quality import dedupe, names

CASE_17 = Path("/work/shared/cases/17-company-dedupe-legal-forms/accounts.csv")


@pytest.mark.parametrize(
    ("raw", "base", "form"),
    [
        ("Müller Bau GmbH", "mueller bau", "GMBH"),
        ("Müller Bau GmbH & Co. KG", "mueller bau", "GMBH_CO_KG"),
        ("Müller Bau GmbH und Co KG", "mueller bau", "GMBH_CO_KG"),
        ("Acme Aktiengesellschaft", "acme", "AG"),
        ("ACME AG", "acme", "AG"),
        ("Société Générale S.A.", "societe generale", "SA"),
        ("Dupont S.à r.l.", "dupont", "SARL"),
        ("Acme Corporation", "acme", "CORP"),
        ("Widgets Ltd.", "widgets", "LTD"),
        ("Widgets Limited", "widgets", "LTD"),
        ("Apple Inc.", "apple", "INC"),
        ("Müller & Co.", "mueller", "CO"),
        ("Meier IT-Service GmbH", "meier it service", "GMBH"),
        ("Schmidt & Söhne", "schmidt & soehne", None),
        ("AG", "ag", None),
        ("  ", "", None),
    ],
)
def test_company_name_base_and_legal_form(raw: str, base: str, form: str | None) -> None:
    assert names.company(raw) == names.CompanyName(base, form)


def test_person_names_fold_case_whitespace_umlauts_and_order() -> None:
    assert names.person("Müller,  Jörg") == names.person("joerg MUELLER") == "joerg mueller"
    assert names.person("José  García") == "garcia jose"
    assert names.person("Łukasz Øster") == "lukasz oster"
    assert names.person("Strauß") == "strauss"


def test_email_and_phone_keys() -> None:
    assert names.email("  Anna.Berg@Example.COM ") == "anna.berg@example.com"
    assert names.email("n/a") is None
    assert names.email(None) is None
    assert names.phone("+49 (30) 123-4567") == names.phone("030 1234567") == "301234567"
    assert names.phone("12 34") is None


def test_case_17_exactly_three_duplicate_pairs_and_two_related() -> None:
    with CASE_17.open(encoding="utf-8", newline="") as fh:
        rows = [
            {
                "record_id": r["account_id"],
                "name": r["name"],
                "city": r["city"],
                "postal_code": r["postal_code"],
                "tax_id": r["vat_id"] or None,
            }
            for r in csv.DictReader(fh)
        ]
    got = {(p.a, p.b): p.decision for p in dedupe.pairs("account", rows)}
    assert {k for k, v in got.items() if v == "duplicate"} == {("A3", "A4"), ("A5", "A6"), ("A9", "A10")}
    assert {k for k, v in got.items() if v == "related"} == {("A1", "A2"), ("A11", "A12")}
    table = dedupe.clusters("account", rows).to_pylist()
    dup = sorted((r["cluster_id"], r["record_id"]) for r in table if r["kind"] == "duplicate")
    assert dup == [
        ("account:A10", "A10"),
        ("account:A10", "A9"),
        ("account:A3", "A3"),
        ("account:A3", "A4"),
        ("account:A5", "A5"),
        ("account:A5", "A6"),
    ]
    assert {r["reason"] for r in table if r["record_id"] == "A5"} == {"same tax id"}


def test_person_duplicates_need_email_or_phone() -> None:
    rows = [
        {"record_id": "c1", "name": "Jörg Müller", "email": "j.mueller@x.de", "phone": None},
        {"record_id": "c2", "name": "MUELLER, Joerg", "email": "J.Mueller@x.de ", "phone": None},
        {"record_id": "c3", "name": "Jorg Muller", "email": None, "phone": "+49 30 1234567"},
        {"record_id": "c4", "name": "Jörg Mueller", "email": "other@y.de", "phone": "030/1234567"},
        {"record_id": "c5", "name": "Anna Berg", "email": "j.mueller@x.de", "phone": None},
        {"record_id": "c6", "name": "Anna Berg", "email": None, "phone": None},
    ]
    got = {(p.a, p.b): p.decision for p in dedupe.pairs("contact", rows)}
    assert got[("c1", "c2")] == "duplicate"
    assert got[("c3", "c4")] == "duplicate"
    assert got[("c5", "c6")] == "related"
    assert ("c1", "c5") not in got  # a shared mailbox is no evidence without the name
    clusters = dedupe.clusters("contact", rows).to_pylist()
    assert {(r["cluster_id"], r["record_id"]) for r in clusters if r["kind"] == "duplicate"} == {
        ("contact:c1", "c1"),
        ("contact:c1", "c2"),
        ("contact:c3", "c3"),
        ("contact:c3", "c4"),
    }
