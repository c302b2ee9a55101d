"""``generate(out_dir, scale, seed)``: simulate the rollout and write every file plus
``uptake.yaml`` and ``ground_truth.json``."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from uptake.demo import truth
from uptake.demo.catalog import RELEASE_NAME, RELEASE_REGRESSION
from uptake.demo.observe import Observer
from uptake.demo.project_file import PROJECT_ZONE, write_project
from uptake.demo.scales import get_scale
from uptake.demo.simulate import Simulation
from uptake.demo.world import build_world
from uptake.demo.writers.audit import AuditWriter
from uptake.demo.writers.crm import write_crm
from uptake.demo.writers.dap import DapWriter
from uptake.demo.writers.directory import write_directory
from uptake.demo.writers.erp import write_erp
from uptake.demo.writers.forms import write_surveys
from uptake.demo.writers.names import Namer
from uptake.demo.writers.signins import SigninWriter
from uptake.demo.writers.tickets import write_tickets
from uptake.demo.writers.xapi import write_training

TRUTH_FILE = "ground_truth.json"
FILES = {
    "audit": "dataverse/audits",
    "systemusers": "dataverse/systemusers",
    "crm": "dataverse/{accounts,contacts,leads,opportunities,incidents}",
    "signins": "entra/signins",
    "provisioning": "rollout/user_list.csv",
    "surveys": "surveys",
    "training": "training",
    "tickets": "tickets/incidents.csv",
    "dap": "dap/flow_events.csv",
    "erp": "erp/invoices.csv",
}


def generate(out_dir: str | Path = "uptake-demo", scale: str = "xs", seed: int = 42) -> Path:
    """Write a simulated international Dynamics 365 rollout into ``out_dir`` and return the path of
    its ``uptake.yaml``. Deterministic: the same scale and seed write the same files. Refuses a
    non-empty folder that holds no earlier demo (no ``ground_truth.json``)."""
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()) and not (out / TRUTH_FILE).exists():
        raise FileExistsError(f"{out} is not empty and holds no earlier demo; choose an empty folder")
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    world = build_world(get_scale(scale), seed)
    sim = Simulation(world)
    namer = Namer(world, sim.store)
    audit = AuditWriter(world, namer, out / FILES["audit"], PROJECT_ZONE)
    signins = SigninWriter(world, out / FILES["signins"], sim.offsets)
    dap = DapWriter(world, out / FILES["dap"])
    obs = Observer(world)
    for batch in sim.run():
        obs.observe(batch)
        audit.write(batch)
        signins.write(batch, sim.working[world.users.country, batch.day])
        dap.write(batch)
    rows: dict[str, Any] = {"audits": audit.close(), "signins": signins.close(), "dap": dap.close()}
    rows |= write_directory(world, out / "dataverse", out / FILES["provisioning"])
    crm_rows, completeness = write_crm(world, sim.store, namer, out / "dataverse")
    rows |= crm_rows
    nps = write_surveys(world, out / FILES["surveys"], PROJECT_ZONE, sim.offsets)
    rows["training"] = write_training(world, out / FILES["training"])
    tickets = write_tickets(world, out / FILES["tickets"])
    erp = write_erp(world, out / FILES["erp"])
    project = write_project(world, out / "uptake.yaml")
    doc = {
        "format": truth.FORMAT,
        "version": truth.VERSION,
        "scale": world.scale.name,
        "seed": seed,
        "window": {
            "start": world.scale.start.isoformat(),
            "end": world.scale.end.isoformat(),
            "days": world.days,
        },
        "project_timezone": PROJECT_ZONE,
        "week_start": "monday",
        "files": FILES,
        "rows": rows,
        "sources_in_project": [s["type"] for s in project["sources"]],
        "countries": truth.countries(world),
        "teams": [
            {
                "name": t.name,
                "country": world.countries[t.country].code,
                "function": t.function,
                "users": int((world.users.team == k).sum()),
            }
            for k, t in enumerate(world.teams)
        ],
        "accounts": truth.accounts(world, obs),
        "facts": [
            truth.stall_fact(world, obs),
            truth.holiday_fact(world, obs),
            truth.dq_fact(world, completeness),
            truth.nps_fact(world, nps, RELEASE_NAME, RELEASE_REGRESSION),
            truth.training_fact(world, obs),
            {
                "id": "hypercare-ticket-peak",
                "kind": "ticket_peak",
                "peak_day_since_go_live": 18,
                "expect": "tickets per country peak in hypercare (weeks 2–7 after go-live)",
                **tickets,
            },
            truth.revenue_fact(erp),
        ],
        "realised": {
            "weeks": [world.day(7 * w).isoformat() for w in range(obs.wau.shape[1])],
            "wau": {c.code: obs.wau[k].tolist() for k, c in enumerate(world.countries)},
            "dau": {c.code: obs.dau[k].tolist() for k, c in enumerate(world.countries)},
            "present": {c.code: obs.present[k].tolist() for k, c in enumerate(world.countries)},
            "nps": nps,
            "duplicate_accounts": _duplicates(sim, namer),
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    (out / TRUTH_FILE).write_text(json.dumps(doc, indent=1, ensure_ascii=False), encoding="utf-8")
    return out / "uptake.yaml"


def _duplicates(sim: Simulation, namer: Namer) -> list[dict[str, str]]:
    dup = sim.store.col("dup_of")
    return [
        {
            "accountid": namer.record_id(int(i)),
            "duplicate_of": namer.record_id(int(dup[i])),
            "name": namer.company(int(i)),
            "original_name": namer.company(int(dup[i])),
        }
        for i in np.flatnonzero(np.asarray(dup) >= 0)
    ]
