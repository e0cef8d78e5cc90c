"""The randomised scenario (``linkage synth --random``): what it draws per scenario and per group.

Per scenario: the shares of each kind of group, how many groups of each kind, and the languages users write in. Per
group: its size, its language (farms, classes, orgs), and how it behaves: how many accounts share a card or a device,
proxy pool and NAT pool sizes, the share of ordinary prompts, requests per night, output lengths, sign-up burst widths.
A seed names one scenario, so a detector can be tuned on some seeds and judged on others it never saw.

The adaptive families (:data:`ADAPTIVE`: farms that changed one habit after a ban, and the innocent twin of each) are
drawn per scenario like the others, possibly none; ``adaptive=True`` draws each at least once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

import numpy as np
from pydantic import BaseModel

from linkage.scenarios.languages import CODES

Kind = Literal["coordinated", "benign"]
Params = dict[str, int | float | str]
DAY = 86_400

# the fixed scenario's share fields, each drawn in a range
_SHARES = {
    "enterprise": (0.02, 0.10),
    "household": (0.01, 0.04),
    "vpn": (0.0, 0.05),
    "tool": (0.02, 0.15),
    "classroom": (0.01, 0.06),
    "farm_proxy": (0.02, 0.12),
    "farm_stolen": (0.005, 0.04),
    "farm_camouflaged": (0.005, 0.04),
    "respawn_share": (0.1, 0.6),
    "new_background": (0.01, 0.05),
    "returning_share": (0.2, 0.5),
}
# the families of farms that adapted after a ban and of their look-alikes: the most groups of each per scenario
ADAPTIVE = {
    "farm_paraphrase": 2,
    "farm_drip": 2,
    "respawn_fresh": 3,
    "benign_viral": 2,
    "benign_agency": 2,
    "benign_small_firm": 4,
    "benign_campus": 2,
}
# classes sign up together: the e-mail domain each kind uses ({} is an invented name)
_CLASSES = {"benign_classroom": "univ-{}.edu", "benign_bootcamp": "{}-academy.io", "benign_hackathon": "hack-{}.dev"}


class Spec(NamedTuple):
    """One group before it gets its place among the account serials."""

    name: str
    kind: Kind
    builder: str
    size: int
    night: int
    params: Params


class Mix(BaseModel):
    """What a randomised scenario drew beyond the fixed scenario's share fields."""

    languages: dict[str, float]  # share of users writing in each language
    proxy_customers: float  # share of accounts: other customers of the farms' proxy resellers
    farm_subnet: float  # share of accounts: farms sharing one datacenter /24 and nothing else
    groups: dict[str, int]  # how many groups of each type (classes: classrooms, bootcamps and hackathons of night 1)
    # shares of accounts of the adaptive farms and of the viral prompt's users (0 in scenarios drawn before them)
    farm_paraphrase: float = 0.0
    farm_drip: float = 0.0
    benign_viral: float = 0.0


def _round(value: float) -> float:
    return round(float(value), 3)


def draw_mix(rng: np.random.Generator, adaptive: bool = False) -> tuple[dict[str, float], Mix]:
    """The share fields of a scenario and its mix. Each adaptive family (:data:`ADAPTIVE`) is drawn up to its most,
    at least once with ``adaptive``; their draws come after all others, so they shift none."""
    shares = {key: round(float(rng.uniform(lo, hi)), 4) for key, (lo, hi) in _SHARES.items()}
    # a carrier's NAT carries 10-20% of all users in half the scenarios, less in the others
    shares["carrier_nat"] = round(float(rng.uniform(0.10, 0.20) if rng.random() < 0.5 else rng.uniform(0.01, 0.08)), 4)
    weights = np.maximum(rng.dirichlet([4, 1.5, 1, 1, 1, 1.5]), 0.03)
    weights /= weights.sum()
    farm_proxy = int(rng.integers(1, 5))
    groups = {
        "farm_proxy": farm_proxy,
        "farm_stolen": int(rng.integers(0, 3)),
        "farm_camouflaged": int(rng.integers(0, 3)),
        "farm_subnet": int(rng.integers(1, 3)),
        "benign_cgnat": int(rng.integers(1, 3)),
        "benign_proxy_customers": int(rng.integers(1, farm_proxy + 1)),
        "benign_tool": int(rng.integers(1, 3)),
        "classes": int(rng.integers(1, 5)),
        "night2_classes": int(rng.integers(0, 3)),
    }
    proxy_customers, farm_subnet = _round(rng.uniform(0.01, 0.06)), _round(rng.uniform(0.005, 0.03))
    least = int(adaptive)
    groups |= {family: int(rng.integers(least, most + 1)) for family, most in ADAPTIVE.items()}
    mix = Mix(
        languages={code: _round(w) for code, w in zip(CODES, weights, strict=True)},
        proxy_customers=proxy_customers,
        farm_subnet=farm_subnet,
        groups=groups,
        farm_paraphrase=_round(rng.uniform(0.01, 0.04)),
        farm_drip=_round(rng.uniform(0.005, 0.025)),
        benign_viral=_round(rng.uniform(0.01, 0.04)),
    )
    return shares, mix


def _sizes(total: float, count: int, lo: int, hi: int, rng: np.random.Generator) -> list[int]:
    """``count`` uneven sizes in [lo, hi] sharing ``total`` (more groups when ``total`` needs them at ``hi`` each)."""
    if count <= 0 or total <= 0:
        return []
    count = max(count, math.ceil(total / hi))
    return [int(s) for s in np.clip(rng.dirichlet(np.full(count, 2.0)) * total, lo, hi)]


def _language(rng: np.random.Generator, mix: Mix, flatten: float = 1.0) -> str:
    """A group's language from the mix; ``flatten`` < 1 makes rarer languages likelier (farms run in any)."""
    weights = np.array([mix.languages.get(c, 0.0) for c in CODES]) ** flatten
    return str(rng.choice(CODES, p=weights / weights.sum()))


def _farm(rng: np.random.Generator, mix: Mix, builder: str) -> Params:
    """A farm's language, template families, volume and output; then what its type shares and how widely."""
    requests, output = int(rng.integers(20, 150)), int(rng.integers(800, 2500))
    params: Params = {
        "language": _language(rng, mix, 0.5),
        "families": int(rng.integers(1, 4)),
        "variants": int(rng.integers(2, 9)),
        "requests_lo": requests,
        "requests_hi": requests + int(rng.integers(20, 200)),
        "output_lo": output,
        "output_hi": output + int(rng.integers(500, 3000)),
    }
    if builder != "farm_camouflaged":  # that one draws its share of ordinary prompts below
        params["template_share"] = _round(rng.uniform(0.8, 1.0))
    if builder in ("farm_proxy", "farm_drip"):
        params |= {
            "card_reuse": 1 if rng.random() < 0.2 else int(rng.integers(2, 41)),  # 1: every account its own card
            "device_reuse": int(rng.integers(1, 21)),
            "proxy_subnets": int(rng.integers(1, 5)),
            "proxy_ips": int(rng.integers(10, 251)),
        }
        if builder == "farm_proxy":
            params["burst_seconds"] = int(rng.integers(600, 12 * 3600))
        else:  # sign-ups dripped over months: 30-180 days before the night, over at least 30 days
            newest = int(rng.integers(30, 61))
            params |= {"signup_days_lo": newest, "signup_days_hi": int(rng.integers(newest + 30, 181))}
    elif builder == "farm_stolen":
        params |= {"proxy_ips": int(rng.integers(5, 61)), "signup_seconds": int(rng.integers(6 * 3600, 5 * DAY))}
    elif builder == "farm_camouflaged":
        ordinary = rng.uniform(0.3, 0.7)
        params |= {
            "card_reuse": int(rng.integers(1, 16)),
            "device_reuse": int(rng.integers(1, 9)),
            "proxy_ips": int(rng.integers(5, 41)),
            "template_lo": _round(1 - ordinary - 0.05),
            "template_hi": _round(1 - ordinary + 0.05),
            "nat_share": _round(rng.uniform(0.3, 0.7)),
            "signup_seconds": int(rng.integers(DAY, 10 * DAY)),
        }
    elif builder == "farm_subnet":
        params |= {"hosts": int(rng.integers(8, 255)), "signup_seconds": int(rng.integers(DAY, 14 * DAY))}
    return params


def _class(rng: np.random.Generator, mix: Mix, kind: str) -> Params:
    """A class signing up within minutes on one campus IP, with one homework template in its language."""
    return {
        "language": _language(rng, mix),
        "domain": _CLASSES[kind],
        "signup_seconds": int(rng.integers(120, 1800)),
        "campus_ips": 1,
        "on_campus": 1.0,
        "campus_share": _round(rng.uniform(0.6, 0.95)),
        "homework_share": _round(rng.uniform(0.4, 0.9)),
        "output_median": int(rng.integers(250, 900)),
    }


def random_specs(
    accounts: int,
    nights: int,
    shares: Mapping[str, float],
    mix: Mix,
    rng: np.random.Generator,
    adaptive_rng: np.random.Generator,
) -> list[Spec]:
    """Every group of every night, night 1 first, with what it drew in its params. The adaptive families draw from
    ``adaptive_rng``, so that they shift no other group's draws."""
    specs: list[Spec] = []
    numbers: dict[str, int] = {}

    def add(prefix: str, kind: Kind, builder: str, size: int, night: int, params: Params) -> Spec:
        numbers[prefix] = numbers.get(prefix, 0) + 1
        spec = Spec(f"{prefix}_{numbers[prefix]}", kind, builder, size, night, params)
        specs.append(spec)
        return spec

    n, groups = accounts, mix.groups
    for size in _sizes(
        n * shares["enterprise"], max(1, round(n * shares["enterprise"] / rng.uniform(30, 150))), 10, 300, rng
    ):
        add("benign_enterprise", "benign", "enterprise", size, 1, {"language": _language(rng, mix)})
    for size in _sizes(n * shares["household"], 1, 100, 600, rng):
        add("benign_household", "benign", "household", size, 1, {})
    carriers = [
        add("benign_cgnat", "benign", "carrier", size, 1, _carrier(rng))
        for size in _sizes(n * shares["carrier_nat"], groups["benign_cgnat"], 50, n, rng)
    ]
    for size in _sizes(n * shares["vpn"], 1, 30, n, rng):
        add("benign_vpn", "benign", "vpn", size, 1, {})
    for size in _sizes(n * shares["tool"], groups["benign_tool"], 50, n, rng):
        add("benign_tool", "benign", "tool", size, 1, {})
    for size in _sizes(n * shares["classroom"], groups["classes"], 24, 400, rng):
        kind = str(rng.choice(list(_CLASSES)))
        add(kind, "benign", "classroom", size, 1, _class(rng, mix, kind))
    proxies = []
    farm_shares = {
        **{b: shares[b] for b in ("farm_proxy", "farm_stolen", "farm_camouflaged")},
        "farm_subnet": mix.farm_subnet,
    }
    for builder, share in farm_shares.items():
        for size in _sizes(n * share, groups[builder], 20, 1000, rng):
            params = _farm(rng, mix, builder)
            if builder == "farm_camouflaged" and carriers:
                params["carrier"] = max(carriers, key=lambda c: c.size).name
            spec = add(builder, "coordinated", builder, size, 1, params)
            if builder == "farm_proxy":
                proxies.append(spec)
    customers = _sizes(n * mix.proxy_customers, groups["benign_proxy_customers"], 30, n, rng)
    for farm, size in zip(proxies, customers, strict=False):
        params = {"farm": farm.name, "proxy_share": _round(rng.uniform(0.1, 0.6))}
        add("benign_proxy_customers", "benign", "proxy_customers", size, 1, params)
    paraphrasers = _adaptive(n, mix, adaptive_rng, add, proxies)
    add("benign_background", "benign", "background", max(100, n - sum(s.size for s in specs)), 1, {})
    if nights >= 2:
        fresh = _fresh_waves(groups.get("respawn_fresh", 0) * _scale(n), proxies, paraphrasers)
        for farm in proxies:
            if farm not in fresh:
                size = max(10, int(farm.size * shares["respawn_share"]))
                add("respawn", "coordinated", "respawn", size, 2, {"farm": farm.name, **_habits(farm)})
        for farm in fresh:
            size = max(10, int(farm.size * shares["respawn_share"]))
            add("respawn_fresh", "coordinated", "respawn_fresh", size, 2, _fresh(adaptive_rng, farm))
        for _ in range(groups["night2_classes"]):
            kind = str(rng.choice(["benign_hackathon", "benign_bootcamp"]))
            add(kind, "benign", "classroom", int(rng.integers(24, 301)), 2, _class(rng, mix, kind))
        add("benign_background_new", "benign", "background", max(50, int(n * shares["new_background"])), 2, {})
    return specs


def _carrier(rng: np.random.Generator) -> Params:
    """A carrier's NAT: 4-32 addresses over 1-4 /24s, through which most of its users' sessions go."""
    ips = int(rng.integers(4, 33))
    return {
        "nat_ips": ips,
        "nat_subnets": int(rng.integers(1, min(4, ips) + 1)),
        "nat_share": _round(rng.uniform(0.5, 0.9)),
    }


Add = Callable[[str, Kind, str, int, int, Params], Spec]


def _adaptive(n: int, mix: Mix, rng: np.random.Generator, add: Add, proxies: list[Spec]) -> list[Spec]:
    """Night 1's adaptive farms and look-alikes (as many as ``mix.groups`` says); returns the paraphrasing farms."""
    groups = mix.groups
    paraphrasers = [
        add("farm_paraphrase", "coordinated", "farm_paraphrase", size, 1, _paraphrase(rng, mix))
        for size in _sizes(n * mix.farm_paraphrase, groups.get("farm_paraphrase", 0), 20, 1000, rng)
    ]
    drips = [
        add("farm_drip", "coordinated", "farm_drip", size, 1, _farm(rng, mix, "farm_drip"))
        for size in _sizes(n * mix.farm_drip, groups.get("farm_drip", 0), 20, 1000, rng)
    ]
    templated = proxies + drips  # farms whose families a viral prompt can share
    for size in _sizes(n * mix.benign_viral, groups.get("benign_viral", 0) if templated else 0, 20, 1000, rng):
        farm = templated[int(rng.integers(0, len(templated)))]
        add("benign_viral", "benign", "viral", size, 1, {
            "farm": farm.name, "family": int(rng.integers(0, int(farm.params["families"]))),
            "language": farm.params["language"], "viral_share": _round(rng.uniform(0.1, 0.5)),
        })  # fmt: skip
    for _ in range(groups.get("benign_agency", 0) * _scale(n)):
        add("benign_agency", "benign", "agency", int(rng.integers(20, 41)), 1, _office(rng, mix, heavy=True))
    for _ in range(groups.get("benign_small_firm", 0) * _scale(n)):
        add("benign_small_firm", "benign", "small_firm", int(rng.integers(5, 16)), 1, _office(rng, mix, heavy=False))
    for _ in range(groups.get("benign_campus", 0) * _scale(n)):
        add("benign_campus", "benign", "campus", int(rng.integers(100, 301)), 1, _campus(rng, mix))
    return paraphrasers


def _scale(accounts: int) -> int:
    """How many times its drawn count a family of fixed-size groups (companies, campuses, fresh waves) comes: once
    under 100,000 accounts, once more per further 100,000."""
    return 1 + accounts // 100_000


def _paraphrase(rng: np.random.Generator, mix: Mix) -> Params:
    """A paraphrasing farm: its language and curriculum, answer format sentences, volume and output; what it shares
    and how widely (its residential pool's accounts per IP), its e-mail kind, clients and sign-up days."""
    requests, output = int(rng.integers(20, 150)), int(rng.integers(800, 2500))
    return {
        "language": _language(rng, mix, 0.5),
        "curriculum": int(rng.integers(3, 7)),  # question frames of its language
        "formats": 1 if rng.random() < 0.6 else 2,  # answer-format sentences kept in every request
        "template_share": _round(rng.uniform(0.85, 1.0)),
        "requests_lo": requests,
        "requests_hi": requests + int(rng.integers(20, 200)),
        "output_lo": output,
        "output_hi": output + int(rng.integers(500, 3000)),
        "card_reuse": int(rng.integers(2, 31)),
        "device_reuse": 1 if rng.random() < 0.5 else int(rng.integers(2, 16)),  # 1: a device per account
        "accounts_per_ip": _round(rng.uniform(0.8, 1.8)),
        "email": "popular" if rng.random() < 0.5 else "disposable",
        "clients": int(rng.integers(1, 3)),
        "signup_seconds": int(rng.integers(DAY, 10 * DAY)),
    }


def _habits(farm: Spec) -> Params:
    """What a farm's replacements keep of its params: language, volume, output lengths, template share."""
    return {k: v for k, v in farm.params.items() if k.startswith(("language", "requests", "output", "template"))}


def _fresh_waves(count: int, proxies: list[Spec], paraphrasers: list[Spec]) -> list[Spec]:
    """The ``count`` farms whose night-2 wave comes on fresh infrastructure: the paraphrasing farms first (they have
    no other wave), then the last proxy farms (so that ``respawn_N`` still follows ``farm_proxy_N``)."""
    picked = paraphrasers[:count]
    return picked + proxies[len(proxies) - min(len(proxies), count - len(picked)) :]


def _fresh(rng: np.random.Generator, farm: Spec) -> Params:
    """A replacement wave on new infrastructure: new cards and proxies always, devices and e-mail domains as drawn;
    its card pool and proxy pool; the farm's habits."""
    replaced = ["cards", "proxies"] + [kind for kind in ("devices", "emails") if rng.random() < 0.5]
    params: Params = {"farm": farm.name, "replaced": "+".join(replaced), "card_reuse": int(rng.integers(3, 21))}
    if rng.random() < 0.5:
        params |= {"proxies": "residential", "accounts_per_ip": _round(rng.uniform(0.8, 1.8))}
    else:
        params |= {"proxies": "datacenter", "proxy_subnets": int(rng.integers(1, 5)),
                   "proxy_ips": int(rng.integers(10, 251))}  # fmt: skip
    if "devices" in replaced:
        params["device_reuse"] = int(rng.integers(1, 16))
    if "emails" in replaced:  # other domains: popular ones only for a farm that used disposable ones
        popular = farm.params.get("email") != "popular" and rng.random() < 0.5
        params["email"] = "popular" if popular else "disposable"
    return params | _habits(farm)


def _office(rng: np.random.Generator, mix: Mix, heavy: bool) -> Params:
    """A company with no org id: its language, office IPs (a small firm has one), browsers, share of sessions from
    home, internal template share and seat ages; a heavy one (an agency) also a farm's volume and output lengths."""
    params: Params = {
        "language": _language(rng, mix),
        "office_ips": int(rng.integers(1, 3)) if heavy else 1,
        "clients": int(rng.integers(1, 3)),
        "home_share": _round(rng.uniform(0.0, 0.2)),
    }
    if not heavy:
        return params | {"template_share": _round(rng.uniform(0.2, 0.6)), "newest_days": 30,
                         "oldest_days": int(rng.integers(90, 1000))}  # fmt: skip
    requests, output = int(rng.integers(40, 150)), int(rng.integers(1000, 2500))
    return params | {
        "template_share": _round(rng.uniform(0.6, 0.9)),
        "newest_days": 180,  # long-standing seats: created 6-24 months before the night
        "oldest_days": int(rng.integers(365, 731)),
        "requests_lo": requests,
        "requests_hi": requests + int(rng.integers(20, 150)),
        "output_lo": output,
        "output_hi": output + int(rng.integers(500, 2500)),
    }


def _campus(rng: np.random.Generator, mix: Mix) -> Params:
    """A campus: its language, sign-ups over a term or in a burst, campus IPs and their share of sessions, cards,
    homework share, requests and output lengths."""
    burst = rng.random() < 0.3
    return {
        "language": _language(rng, mix),
        "signup": "burst" if burst else "term",
        "signup_seconds": int(rng.integers(3600, 3 * 3600) if burst else rng.integers(30 * DAY, 120 * DAY)),
        "campus_ips": int(rng.integers(1, 5)),
        "campus_share": _round(rng.uniform(0.6, 0.9)),
        "card_share": _round(rng.uniform(0.3, 0.8)),
        "household_cards": _round(rng.uniform(0.1, 0.3)),
        "homework_share": _round(rng.uniform(0.3, 0.8)),
        "requests_mean": int(rng.integers(6, 16)),
        "output_median": int(rng.integers(400, 1500)),
    }
