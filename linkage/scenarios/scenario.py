"""The scenario: how many accounts, which groups of which kind and size on which night, and the seed.

Group sizes scale with ``accounts``: shares of the population per kind, split into groups whose sizes fall in the
ranges real cases show (enterprise orgs of 20-200 seats, farms of 50-800 accounts…). Each group gets a fixed range of
account serials, so any group (or chunk of a group) can be regenerated alone and still give the same ids. A randomised
scenario (``random_scenario``) draws its shares and a ``Mix``, and its groups come from ``mix.random_specs``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field, ValidationError

from linkage.errors import ExitCode, LinkageError
from linkage.scenarios.mix import Kind, Mix, Params, Spec, draw_mix, random_specs
from linkage.scenarios.values import rng_for


class Scenario(BaseModel):
    """What to generate. ``accounts`` is night 1's population; every later night adds about 5% new accounts."""

    accounts: int = Field(default=3000, ge=500)
    nights: int = Field(default=2, ge=1, le=30)
    seed: int = 7
    start: datetime = datetime(2026, 11, 1, tzinfo=UTC)
    file_format: Literal["parquet", "csv"] = "parquet"
    chunk_accounts: int = Field(default=20_000, ge=1000)
    # shares of night 1's accounts per group kind; background users take the rest
    enterprise: float = 0.06
    household: float = 0.02
    carrier_nat: float = 0.12
    vpn: float = 0.03
    tool: float = 0.10
    classroom: float = 0.04
    farm_proxy: float = 0.06
    farm_stolen: float = 0.02
    farm_camouflaged: float = 0.02
    respawn_share: float = 0.3  # a respawn is this share of its banned farm's size
    new_background: float = 0.03  # night 2's new independent users
    returning_share: float = 0.3  # earlier nights' benign accounts active again on a later night
    mix: Mix | None = None  # a randomised scenario's draws; None: the fixed scenario

    def night_window(self, night: int) -> tuple[int, int]:
        """Epoch seconds of night ``night``'s activity (24 h)."""
        begin = int(self.start.timestamp()) + (night - 1) * 86_400
        return begin, begin + 86_400


class InvalidScenario(LinkageError):
    exit_code = ExitCode.USAGE


def scenario_from(values: dict[str, object], overrides: list[str] | None = None) -> Scenario:
    """A scenario from options plus ``key=value`` overrides of any field (``farm_proxy=0.1``), so a detector can
    be tried on mixes it was not tuned on."""
    merged = dict(values)
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep or key.strip() not in Scenario.model_fields:
            known = ", ".join(Scenario.model_fields)
            raise InvalidScenario(f"--set takes key=value with a key among: {known} (got {item!r})")
        merged[key.strip()] = value.strip()
    try:
        return Scenario.model_validate(merged)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise InvalidScenario(f"invalid scenario: {problems}") from None


class GroupPlan(BaseModel):
    """One generated group: its name (the truth label), kind, builder, size, night, first account serial."""

    name: str
    kind: Kind
    builder: str
    size: int
    night: int
    index: int
    first_serial: int
    params: Params = Field(default_factory=dict)


def _split(total: int, lo: int, hi: int, rng: np.random.Generator, minimum: int = 1) -> list[int]:
    """Sizes drawn in [lo, hi], as many groups as the share holds (at least ``minimum``), scaled to sum to ``total``."""
    count = max(minimum, round(total / ((lo + hi) / 2)))
    sizes = rng.integers(lo, hi + 1, count).astype(float)
    return [max(2, int(s)) for s in sizes * total / sizes.sum()]


def random_scenario(seed: int, accounts: int = 3000, nights: int = 2, adaptive: bool = False) -> Scenario:
    """A scenario whose shares, group counts, languages and per-group behaviour are all drawn from ``seed``;
    ``adaptive``: every adaptive family (farms that changed a habit after a ban, their look-alikes) at least once."""
    shares, mix = draw_mix(rng_for(seed, "mix"), adaptive)
    return Scenario.model_validate({"accounts": accounts, "nights": nights, "seed": seed, "mix": mix, **shares})


def plan(scenario: Scenario) -> list[GroupPlan]:
    """Every group of every night, in generation order (night 1 first)."""
    rng = rng_for(scenario.seed, "plan")
    if scenario.mix is not None:
        shares = scenario.model_dump(exclude={"mix"})
        adaptive = rng_for(scenario.seed, "plan", "adaptive")
        specs = random_specs(scenario.accounts, scenario.nights, shares, scenario.mix, rng, adaptive)
    else:
        specs = _fixed_specs(scenario, rng)
    specs += _newcomers(scenario)
    plans: list[GroupPlan] = []
    serial = 0
    for index, (name, kind, builder, size, night, params) in enumerate(specs):
        plans.append(GroupPlan(name=name, kind=kind, builder=builder, size=size, night=night, index=index,
                               first_serial=serial, params=params))  # fmt: skip
        serial += size
    return plans


def _fixed_specs(scenario: Scenario, rng: np.random.Generator) -> list[Spec]:
    n = scenario.accounts
    specs: list[Spec] = []

    def add(
        prefix: str, kind: Kind, builder: str, sizes: list[int], night: int = 1, **params: int | float | str
    ) -> None:
        for i, size in enumerate(sizes, start=1):
            specs.append(Spec(f"{prefix}_{i}", kind, builder, size, night, dict(params)))

    add("benign_enterprise", "benign", "enterprise", _split(int(n * scenario.enterprise), 20, 200, rng, 3))
    # households (2-5 accounts each) are generated in groups of a few hundred accounts
    add("benign_household", "benign", "household", _split(int(n * scenario.household), 100, 600, rng, 1))
    carriers = 1 + n // 200_000
    add("benign_cgnat", "benign", "carrier", _split(int(n * scenario.carrier_nat), 300, 30_000, rng, carriers))
    add("benign_vpn", "benign", "vpn", _split(int(n * scenario.vpn), 90, 20_000, rng, 1))
    add("benign_tool", "benign", "tool", _split(int(n * scenario.tool), 300, 100_000, rng, 1))
    add("benign_classroom", "benign", "classroom", _split(int(n * scenario.classroom), 50, 300, rng, 1))
    add("farm_proxy", "coordinated", "farm_proxy", _split(int(n * scenario.farm_proxy), 50, 800, rng, 2))
    add("farm_stolen", "coordinated", "farm_stolen", _split(int(n * scenario.farm_stolen), 30, 150, rng, 1))
    add("farm_camouflaged", "coordinated", "farm_camouflaged",
        _split(int(n * scenario.farm_camouflaged), 30, 200, rng, 1))  # fmt: skip
    used = sum(s.size for s in specs)
    add("benign_background", "benign", "background", [max(100, n - used)])
    if scenario.nights >= 2:
        farms = [s for s in specs if s.builder == "farm_proxy"]
        for i, farm in enumerate(farms, start=1):
            size = max(10, int(farm.size * scenario.respawn_share))
            specs.append(Spec(f"respawn_{i}", "coordinated", "respawn", size, 2, {"farm": farm.name}))
        add("benign_hackathon", "benign", "classroom", [int(rng.integers(50, 301))], night=2)
        add("benign_background_new", "benign", "background", [max(50, int(n * scenario.new_background))], night=2)
    return specs


NEWCOMERS = 0.05  # each night from night 3 on, new independent users: this share of night 1's accounts


def _newcomers(scenario: Scenario) -> list[Spec]:
    """Nights 3 on: new independent users (``benign_newcomers_<night>``); night 2's new accounts are its own groups.
    Added last and drawing nothing from the plan's stream, so nights 1 and 2 stay as they were. A constant rather
    than a field: a field would change every scenario.json (and the fixed scenario's pinned digest)."""
    size = max(50, int(scenario.accounts * NEWCOMERS))
    return [
        Spec(f"benign_newcomers_{night}", "benign", "background", size, night, {})
        for night in range(3, scenario.nights + 1)
    ]
