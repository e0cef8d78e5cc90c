"""`linkage synth`: the whole scenario, night by night, group by group, chunk by chunk.

Night 1 holds every group's accounts and their first night of activity. Night 2 holds the night's new accounts
(respawns of the proxy farms, fresh respawn waves, a hackathon, new independent users) and the returning activity of
a share of night 1's benign accounts; its accounts file lists only new accounts (the loader merges). Night 1's farms
send nothing on night 2: a banned account cannot, and the respawns take their place. Every night after that holds its
newcomers (new independent users) and the returning activity of a share of every earlier night's benign accounts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
from pydantic import BaseModel

from linkage.scenarios import farms, groups
from linkage.scenarios.common import Block, Chunk
from linkage.scenarios.mix import Params
from linkage.scenarios.scenario import GroupPlan, Scenario, plan
from linkage.scenarios.write import BatchWriter, TruthWriter

BUILDERS: dict[str, Callable[[Chunk], Block]] = {
    "background": groups.background,
    "household": groups.household,
    "enterprise": groups.enterprise,
    "carrier": groups.carrier,
    "vpn": groups.vpn,
    "tool": groups.tool,
    "classroom": groups.classroom,
    "proxy_customers": groups.proxy_customers,
    "viral": groups.viral,
    "agency": groups.agency,
    "small_firm": groups.small_firm,
    "campus": groups.campus,
    "farm_proxy": farms.farm_proxy,
    "farm_stolen": farms.farm_stolen,
    "farm_camouflaged": farms.farm_camouflaged,
    "farm_subnet": farms.farm_subnet,
    "respawn": farms.respawn,
    "farm_paraphrase": farms.farm_paraphrase,
    "farm_drip": farms.farm_drip,
    "respawn_fresh": farms.respawn_fresh,
}
BATCH_FILES = ["accounts", "payments", "sessions", "prompts", "bans"]


class GroupSummary(BaseModel):
    group: str
    kind: str
    night: int
    accounts: int
    params: Params  # what a randomised scenario drew for the group


class SynthResult(BaseModel):
    """Where the scenario went and what it holds."""

    out_dir: str
    truth: str
    nights: dict[str, dict[str, int]]  # night folder -> rows per file
    accounts: int
    coordinated: int
    groups: list[GroupSummary]
    scenario: Scenario  # with what a randomised scenario drew (its mix)
    seconds: float


def synthesize(out_dir: Path, scenario: Scenario, progress: Callable[[str], None] | None = None) -> SynthResult:
    """Writes ``out_dir/night1`` … ``out_dir/nightN`` and ``out_dir/truth.csv`` for the scenario."""
    started = time.perf_counter()
    plans = plan(scenario)
    by_name = {p.name: p for p in plans}
    truth = TruthWriter(out_dir / "truth.csv")
    nights: dict[str, dict[str, int]] = {}
    for night in range(1, scenario.nights + 1):
        folder = out_dir / f"night{night}"
        writer = BatchWriter(folder, scenario.file_format)
        for group in plans:
            if group.night > night or (group.night < night and group.kind == "coordinated"):
                continue
            for chunk in _chunks(scenario, group, by_name, night):
                block = BUILDERS[group.builder](chunk)
                for name in BATCH_FILES:
                    if name in block.tables:
                        writer.write(name, block.tables[name])
                if "truth" in block.tables:
                    truth.write(block.tables["truth"])
            if progress:
                progress(f"night {night}: {group.name} ({group.size:,} accounts)")
        if night == 1:
            writer.write("allowlist", _allowlist(scenario, plans, by_name))
        nights[folder.name] = writer.close()
    truth.close()
    (out_dir / "scenario.json").write_text(
        json.dumps(scenario.model_dump(mode="json", exclude_none=True), indent=2) + "\n"
    )
    return SynthResult(
        out_dir=str(out_dir),
        truth=str(out_dir / "truth.csv"),
        nights=nights,
        accounts=sum(p.size for p in plans),
        coordinated=sum(p.size for p in plans if p.kind == "coordinated"),
        groups=[
            GroupSummary(group=p.name, kind=p.kind, night=p.night, accounts=p.size, params=p.params) for p in plans
        ],
        scenario=scenario,
        seconds=round(time.perf_counter() - started, 2),
    )


def _chunks(scenario: Scenario, group: GroupPlan, plans: dict[str, GroupPlan], night: int) -> list[Chunk]:
    step = scenario.chunk_accounts
    return [
        Chunk(scenario, group, plans, i, lo, min(group.size, lo + step), night)
        for i, lo in enumerate(range(0, group.size, step))
    ]


def _allowlist(scenario: Scenario, plans: list[GroupPlan], by_name: dict[str, GroupPlan]) -> pa.Table:
    """A few enterprise orgs are on the allowlist; one more is allowed by its NAT /24 instead."""
    orgs = [p for p in plans if p.builder == "enterprise"]
    rows: list[dict[str, str | None]] = []
    for p in orgs[: max(1, min(3, len(orgs) // 3))]:
        org_id = groups.org_infra(Chunk(scenario, p, by_name, 0, 0, 1, 1)).org_id
        rows.append({"account_id": None, "org_id": org_id, "ip": None, "cidr": None})
    if len(orgs) >= 3:
        cidr = groups.org_infra(Chunk(scenario, orgs[-1], by_name, 0, 0, 1, 1)).nat_cidr
        rows.append({"account_id": None, "org_id": None, "ip": None, "cidr": cidr})
    return pa.Table.from_pylist(
        rows, schema=pa.schema([(c, pa.string()) for c in ["account_id", "org_id", "ip", "cidr"]])
    )
