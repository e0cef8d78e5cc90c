"""Coordinated groups: proxy-routed distillation farms, stolen-card farms, camouflaged farms, farms that share only
one datacenter /24, and night-2 respawns; and farms that adapted after a ban: a farm that paraphrases every request,
a farm that drips its sign-ups over months, and night-2 waves on infrastructure their farm never used.

A farm's infrastructure (its prepaid card pool, proxy IPs, devices, template families) is drawn from the group's
own random stream, so a respawn on night 2 (or the proxy's other customers) can rebuild exactly the infrastructure of
the farm. In a randomised scenario the group's params say how much it shares and how it behaves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.scenarios import prompts
from linkage.scenarios.common import (
    BROWSERS,
    COUNTRIES,
    DISPOSABLE,
    NEW_MODEL,
    POPULAR,
    POPULAR_P,
    SCRIPTED,
    Activity,
    Block,
    Chunk,
    RowFn,
    accounts_and_truth,
    benign_output,
    constant,
    countries,
    datacenter_subnets,
    either,
    emails,
    emit_activity,
    payments,
    per_member,
    pool_ips,
    residential_ips,
    sequential_emails,
    shared_pool,
    times,
)
from linkage.scenarios.languages import LANGUAGES
from linkage.scenarios.values import ipv4, iso_times, pick

HOUR = 3600
DAY = 86_400
# /8s no other group draws from: a farm_subnet's /24 is used by nobody else
_LONE_FIRST_OCTETS = [5, 23, 37, 62, 95]
PRE_BANNED = 3  # accounts of farm_proxy_1 the fraud team had already banned (the bans file)


@dataclass(frozen=True)
class Asks:
    """What a paraphrasing farm keeps while it words every request afresh: its curriculum (question frames of its
    language) and its answer-format sentences."""

    frames: tuple[int, ...]
    kept: tuple[str, ...]


@dataclass
class Infra:
    """What a farm's accounts share, indexed per member of the group."""

    card_of: pa.Array  # fingerprint per member
    device_of: pa.Array  # device id per member
    subnets: list[int]
    ips: np.ndarray
    families: list[prompts.Family]
    agents: list[str]
    domains: list[str]
    burst: int  # epoch seconds the sign-up burst starts
    asks: Asks | None = None  # a paraphrasing farm's curriculum and answer format (it has no families)


def proxy_infra(chunk: Chunk, size: int | None = None) -> Infra:
    """A proxy farm: 10-40 accounts per prepaid card, a rotating pool in 2-4 datacenter /24s, shared devices."""
    g = chunk.group_rng("infra")
    size = size or chunk.plan.size
    reuse = chunk.drawn("card_reuse", lambda: int(g.integers(10, 41)))
    cards = chunk.token("fp_", "prepaid", g.permutation(size) % max(1, -(-size // reuse)))
    order = g.permutation(size)  # drawn before the reuse, as always
    per_device = chunk.drawn("device_reuse", lambda: int(g.integers(5, 16)))
    devices = chunk.token("dev_", "farm_device", order % max(2, size // per_device))
    subnets = datacenter_subnets(g, chunk.drawn("proxy_subnets", lambda: int(g.integers(2, 5))))
    ips = pool_ips(g, subnets, chunk.drawn("proxy_ips", lambda: int(g.integers(20, 121))))
    families = _families(chunk, g, lambda: int(g.integers(1, 4)), lambda: int(g.integers(2, 5)))
    agents = [str(a) for a in g.choice(SCRIPTED, int(g.integers(1, 3)), replace=False)]
    domains = [str(d) for d in g.choice(DISPOSABLE, int(g.integers(1, 3)), replace=False)]
    lo, _ = chunk.scenario.night_window(chunk.plan.night)
    burst = lo - int(g.integers(0, 2 * 86_400))
    return Infra(cards, devices, subnets, ips, families, agents, domains, burst)


def _families(chunk: Chunk, g: np.random.Generator, count: Callable[[], int], paraphrases: Callable[[], int],
              heavy: bool = False) -> list[prompts.Family]:  # fmt: skip
    """The farm's template families, in its language: how many and how many paraphrases each are drawn (or set by a
    randomised scenario's params), in the order the fixed scenario always drew them."""
    voice = chunk.voice()
    return [voice.cot_family(g, f"{chunk.plan.name}-{i}", chunk.drawn("variants", paraphrases), heavy)
            for i in range(chunk.drawn("families", count))]  # fmt: skip


def _farm_activity(chunk: Chunk, created: np.ndarray, infra: Infra, ip: RowFn, template_share: np.ndarray,
                   volume: tuple[int, int], model: str, device: RowFn | None = None) -> Activity:  # fmt: skip
    """High volume, long outputs, mostly the farm's families (one main family per member)."""
    rng, voice = chunk.rng("activity"), chunk.voice()
    volume = (chunk.param("requests_lo", volume[0]), chunk.param("requests_hi", volume[1]))
    longest = (chunk.param("output_lo", 1500), chunk.param("output_hi", 4000))
    family = (np.arange(chunk.lo, chunk.hi) % max(1, len(infra.families))).astype(np.int64)
    members = pa.array(np.arange(chunk.lo, chunk.hi))
    agent_of = pick(infra.agents, np.arange(chunk.lo, chunk.hi) % len(infra.agents))
    asks = infra.asks

    def text(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        if asks is None:
            templated = pa.array(r.random(len(rows)) < template_share[rows])
            return pc.if_else(templated, voice.templated(r, infra.families, family[rows]), voice.benign(r, rows))
        frames, kept = asks.frames, asks.kept
        asked = r.random(len(rows)) < template_share[rows]
        return either(r, rows, asked, lambda r, rows: voice.paraphrased(r, len(rows), frames, kept), voice.benign)

    def output(r: np.random.Generator, rows: np.ndarray) -> np.ndarray:
        return np.where(r.random(len(rows)) < template_share[rows], r.integers(*longest, len(rows)),
                        benign_output(r, len(rows)))  # fmt: skip

    return Activity(
        created=created,
        sessions=rng.integers(3, 11, chunk.n),
        prompts=rng.integers(volume[0], volume[1], chunk.n),
        ip=ip,
        device=device or per_member(infra.device_of.take(members)),
        user_agent=per_member(agent_of),
        text=text,
        output=output,
        model=constant(model),
    )


def _rotating(pool: np.ndarray) -> RowFn:
    return lambda r, rows: ipv4(pool[r.integers(0, len(pool), len(rows))])


def _model(chunk: Chunk) -> str:
    """Farms move to the newest model within a day of its release (night 2)."""
    return NEW_MODEL if chunk.night >= 2 else "model-large"


def farm_proxy(chunk: Chunk) -> Block:
    """Proxy-routed distillation farm: pooled prepaid cards, rotating datacenter proxies, disposable sequential
    e-mails, a sign-up burst of a few hours, scripted clients, chain-of-thought families at high volume."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    infra = proxy_infra(chunk)
    width = chunk.drawn("burst_seconds", lambda: int(chunk.group_rng("burst").integers(2, 7)) * HOUR)
    created = infra.burst + rng.integers(0, width, chunk.n)
    banned = np.zeros(chunk.n, dtype=bool)
    if chunk.plan.name == "farm_proxy_1" and chunk.lo == 0:
        banned[:PRE_BANNED] = True
        created[banned] = infra.burst - 10 * 86_400
    return _proxy_farm(chunk, block, ids, rng, infra, created, banned)


def farm_drip(chunk: Chunk) -> Block:
    """A proxy farm that drips its sign-ups over months instead of a burst: each account created 30-180 days before
    the night and aged, harvesting only now; otherwise pooled prepaid cards, rotating proxies, shared devices,
    disposable e-mail, scripted clients and its template families at volume, as a proxy farm."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    infra = proxy_infra(chunk)
    lo, _ = chunk.scenario.night_window(chunk.plan.night)
    oldest, newest = chunk.param("signup_days_hi", 180), chunk.param("signup_days_lo", 30)
    created = lo - rng.integers(newest * DAY, oldest * DAY, chunk.n)
    return _proxy_farm(chunk, block, ids, rng, infra, created, np.zeros(chunk.n, dtype=bool))


def _proxy_farm(chunk: Chunk, block: Block, ids: pa.Array, rng: np.random.Generator, infra: Infra,
                created: np.ndarray, banned: np.ndarray) -> Block:  # fmt: skip
    """A proxy farm's accounts, payments, known bans and night of activity, once its sign-up times are known."""
    members = pa.array(np.arange(chunk.lo, chunk.hi))
    if not chunk.returning:
        email = sequential_emails(chunk.group_rng("handles"), chunk.lo, chunk.n, infra.domains)
        accounts_and_truth(chunk, block, ids, created, email, countries(rng, chunk.n))
        payments(block, ids, infra.card_of.take(members), "prepaid", pick(COUNTRIES, rng.integers(0, 5, chunk.n)),
                 created)  # fmt: skip
        if banned.any():
            _, hi = chunk.window()
            block.add("bans", {
                "account_id": ids.slice(0, PRE_BANNED), "banned_at": iso_times(np.full(PRE_BANNED, hi - HOUR)),
                "reason": pa.array(["chargeback on a prepaid card (manual review)"] * PRE_BANNED),
            })  # fmt: skip
    share = np.full(chunk.n, chunk.param("template_share", 0.95))
    activity = _farm_activity(chunk, created, infra, _rotating(infra.ips), share, (60, 200), _model(chunk))
    activity.prompts[banned] = 0
    emit_activity(chunk, block, ids, activity)
    return block


def farm_stolen(chunk: Chunk) -> Block:
    """Stolen cards, one each (issued abroad), one datacenter /24, heavily paraphrased templates, fresh devices."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    g = chunk.group_rng("infra")
    subnet = datacenter_subnets(g, 1)
    pool = pool_ips(g, subnet, chunk.drawn("proxy_ips", lambda: int(g.integers(10, 41))))
    families = _families(chunk, g, lambda: int(g.integers(1, 3)), lambda: int(g.integers(5, 9)), heavy=True)
    agent = str(g.choice(SCRIPTED))
    _, hi = chunk.scenario.night_window(chunk.plan.night)
    created = times(rng, chunk.n, hi - chunk.param("signup_seconds", 3 * DAY), hi - HOUR)
    cards = chunk.token("fp_", "stolen", np.arange(chunk.lo, chunk.hi))
    if not chunk.returning:
        country = countries(rng, chunk.n)
        accounts_and_truth(chunk, block, ids, created, emails(rng, chunk.n, POPULAR, POPULAR_P), country)
        payments(block, ids, cards, "card", pick(COUNTRIES, rng.integers(5, len(COUNTRIES), chunk.n)), created)
    devices = chunk.token("dev_", "vm", np.arange(chunk.lo, chunk.hi))
    infra = Infra(cards, devices, subnet, pool, families, [agent], [], 0)
    share = np.full(chunk.n, chunk.param("template_share", 0.9))
    activity = _farm_activity(chunk, created, infra, _rotating(pool), share, (40, 150), _model(chunk),
                              device=per_member(devices))  # fmt: skip
    emit_activity(chunk, block, ids, activity)
    return block


def farm_camouflaged(chunk: Chunk) -> Block:
    """Hides among benign traffic: browser agents, popular e-mail, half its sessions through a carrier's NAT and
    40-60% ordinary prompts; still pools prepaid cards, devices, one datacenter /24 and a template family."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    g = chunk.group_rng("infra")
    size = chunk.plan.size
    order = g.permutation(size)  # each permutation is drawn before its reuse, as always
    per_card = chunk.drawn("card_reuse", lambda: int(g.integers(5, 16)))
    cards = chunk.token("fp_", "prepaid", order % max(1, size // per_card))
    order = g.permutation(size)
    per_device = chunk.drawn("device_reuse", lambda: int(g.integers(4, 9)))
    devices = chunk.token("dev_", "farm_device", order % max(2, size // per_device))
    subnet = datacenter_subnets(g, 1)
    own = pool_ips(g, subnet, chunk.drawn("proxy_ips", lambda: int(g.integers(10, 31))))
    families = _families(chunk, g, lambda: int(g.integers(1, 3)), lambda: 3)
    carriers = [p for p in chunk.plans.values() if p.builder == "carrier"]
    if "carrier" in chunk.plan.params:
        carriers = [chunk.plans[str(chunk.plan.params["carrier"])]]
    nat = shared_pool(Chunk(chunk.scenario, carriers[0], chunk.plans, 0, 0, 1, 1), "carrier") if carriers else own
    _, hi = chunk.scenario.night_window(chunk.plan.night)
    created = times(rng, chunk.n, hi - chunk.param("signup_seconds", 7 * DAY), hi - HOUR)
    members = pa.array(np.arange(chunk.lo, chunk.hi))
    if not chunk.returning:
        country = countries(rng, chunk.n)
        accounts_and_truth(chunk, block, ids, created, emails(rng, chunk.n, POPULAR, POPULAR_P), country)
        payments(block, ids, cards.take(members), "prepaid", country, created)
    agents = [str(a) for a in g.choice(BROWSERS[:3], 2, replace=False)]
    infra = Infra(cards, devices, subnet, own, families, agents, [], 0)
    nat_share = chunk.param("nat_share", 0.5)

    def ip(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        through_nat = pa.array(r.random(len(rows)) < nat_share)
        return pc.if_else(through_nat, ipv4(nat[r.integers(0, len(nat), len(rows))]),
                          ipv4(own[r.integers(0, len(own), len(rows))]))  # fmt: skip

    share = rng.uniform(chunk.param("template_lo", 0.4), chunk.param("template_hi", 0.6), chunk.n)
    emit_activity(chunk, block, ids, _farm_activity(chunk, created, infra, ip, share, (40, 120), _model(chunk)))
    return block


def farm_subnet(chunk: Chunk) -> Block:
    """Shares one datacenter /24 that nobody else uses, and nothing else: every account its own card and device,
    popular e-mail, browser clients, sign-ups spread over days. Only its prompts (a farm's families, long outputs at
    volume) and the /24 give it away."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    g = chunk.group_rng("infra")
    subnet = [(int(g.choice(_LONE_FIRST_OCTETS)) << 24) | (int(g.integers(0, 1 << 16)) << 8)]
    pool = pool_ips(g, subnet, chunk.param("hosts", 64))
    families = _families(chunk, g, lambda: 1, lambda: 4, heavy=True)
    agents = [str(a) for a in g.choice(BROWSERS[:6], int(g.integers(2, 5)), replace=False)]
    _, hi = chunk.scenario.night_window(chunk.plan.night)
    created = times(rng, chunk.n, hi - chunk.param("signup_seconds", 7 * DAY), hi - HOUR)
    cards = chunk.token("fp_", "own_card", np.arange(chunk.lo, chunk.hi))
    devices = chunk.token("dev_", "own_device", np.arange(chunk.lo, chunk.hi))
    if not chunk.returning:
        country = countries(rng, chunk.n)
        accounts_and_truth(chunk, block, ids, created, emails(rng, chunk.n, POPULAR, POPULAR_P), country)
        payments(block, ids, cards, "card", country, created)
    infra = Infra(cards, devices, subnet, pool, families, agents, [], 0)
    share = np.full(chunk.n, chunk.param("template_share", 0.9))
    activity = _farm_activity(chunk, created, infra, _rotating(pool), share, (40, 150), _model(chunk),
                              device=per_member(devices))  # fmt: skip
    emit_activity(chunk, block, ids, activity)
    return block


def respawn(chunk: Chunk) -> Block:
    """Night-2 replacements of a banned proxy farm: new disposable sign-ups within hours that pick up the farm's
    cards, proxy pool and subnets, devices, client strings and template families."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    farm_plan = chunk.plans[str(chunk.plan.params["farm"])]
    farm = Chunk(chunk.scenario, farm_plan, chunk.plans, 0, 0, farm_plan.size, farm_plan.night)
    infra = proxy_infra(farm)
    lo, _ = chunk.window()
    created = lo + int(chunk.group_rng("burst").integers(0, 12 * HOUR)) + rng.integers(0, 3 * HOUR, chunk.n)
    old = rng.integers(0, farm_plan.size, chunk.n)
    reuse_card = rng.random(chunk.n) < 0.6
    new_cards = chunk.token("fp_", "prepaid", np.arange(chunk.lo, chunk.hi) // 10)
    cards = pc.if_else(pa.array(reuse_card), infra.card_of.take(pa.array(old)), new_cards)
    reuse_device = rng.random(chunk.n) < 0.6
    new_devices = chunk.token("dev_", "farm_device", np.arange(chunk.lo, chunk.hi) // 5)
    devices = pc.if_else(pa.array(reuse_device), infra.device_of.take(pa.array(old)), new_devices)
    email = sequential_emails(chunk.group_rng("handles"), chunk.lo, chunk.n, infra.domains)
    accounts_and_truth(chunk, block, ids, created, email, countries(rng, chunk.n))
    payments(block, ids, cards, "prepaid", pick(COUNTRIES, rng.integers(0, 5, chunk.n)), created)
    fresh = np.array(infra.subnets, dtype=np.uint64)

    def ip(r: np.random.Generator, rows: np.ndarray) -> pa.Array:
        """Mostly the farm's own proxies, the rest new hosts in the same /24s."""
        new_hosts = fresh[r.integers(0, len(fresh), len(rows))] + r.integers(1, 255, len(rows)).astype(np.uint64)
        old_hosts = infra.ips[r.integers(0, len(infra.ips), len(rows))]
        return ipv4(np.where(r.random(len(rows)) < 0.7, old_hosts, new_hosts))

    share = np.full(chunk.n, chunk.param("template_share", 0.95))
    activity = _farm_activity(chunk, created, infra, ip, share, (60, 200), _model(chunk), device=per_member(devices))
    emit_activity(chunk, block, ids, activity)
    return block


SESSIONS = 6.5  # a farm account's mean sessions a night (3-10, :func:`_farm_activity`)


def paraphrase_infra(chunk: Chunk) -> Infra:
    """A paraphrasing farm: a prepaid pool, a large residential proxy pool in which each IP is seen by one or two of
    its accounts (``accounts_per_ip`` on average, over as many /24s as IPs, in the ranges homes use), devices per
    account or pooled, popular or disposable e-mail, one or two scripted clients; and its asks: a curriculum of a
    few question frames of its language and one or two answer-format sentences, kept in every request."""
    g = chunk.group_rng("infra")
    size = chunk.plan.size
    cards = chunk.token("fp_", "prepaid", g.permutation(size) % -(-size // chunk.param("card_reuse", 10)))
    devices = chunk.token("dev_", "farm_device", g.permutation(size) % -(-size // chunk.param("device_reuse", 1)))
    ips = _residential_pool(g, size, chunk.param("accounts_per_ip", 1.5), set())
    agents = [str(a) for a in g.choice(SCRIPTED, chunk.param("clients", 1), replace=False)]
    domains = POPULAR if chunk.param("email", "disposable") == "popular" else [str(g.choice(DISPOSABLE))]
    voice = chunk.voice()
    questions = len(LANGUAGES[voice.language].questions)
    frames = np.sort(g.choice(questions, min(questions, chunk.param("curriculum", 4)), replace=False))
    asks = Asks(tuple(int(f) for f in frames), voice.answer_formats(g, chunk.param("formats", 1)))
    return Infra(cards, devices, _subnets(ips), ips, [], agents, domains, 0, asks)


def _residential_pool(g: np.random.Generator, accounts: int, per_ip: float, avoid: set[int]) -> np.ndarray:
    """A residential proxy pool large enough that ``accounts`` rotating over it see each IP ``per_ip`` times on
    average, none in the /24s of ``avoid``."""
    ips = np.unique(residential_ips(g, max(8, int(accounts * SESSIONS / per_ip))))
    return ips[~np.isin(ips >> np.uint64(8) << np.uint64(8), np.array(sorted(avoid), dtype=np.uint64))]


def _subnets(ips: np.ndarray) -> list[int]:
    """The /24 bases of the addresses."""
    return [int(s) for s in np.unique(ips.astype(np.uint64) >> np.uint64(8) << np.uint64(8))]


def _emails(chunk: Chunk, rng: np.random.Generator, domains: list[str]) -> pa.Array:
    """Invented handles at the popular providers, or a scripted series of handles at disposable domains."""
    if domains == POPULAR:
        return emails(rng, chunk.n, POPULAR, POPULAR_P)
    return sequential_emails(chunk.group_rng("handles"), chunk.lo, chunk.n, domains)


def farm_paraphrase(chunk: Chunk) -> Block:
    """A farm that was caught by its templates and now paraphrases every request (:func:`paraphrase_infra`):
    sign-ups over days, a prepaid pool and a large residential proxy pool, long outputs at volume. What stays across
    its requests is its curriculum, its answer format and the chain-of-thought ask; no two share a template."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    infra = paraphrase_infra(chunk)
    _, hi = chunk.scenario.night_window(chunk.plan.night)
    created = times(rng, chunk.n, hi - chunk.param("signup_seconds", 3 * DAY), hi - HOUR)
    if not chunk.returning:
        accounts_and_truth(chunk, block, ids, created, _emails(chunk, rng, infra.domains), countries(rng, chunk.n))
        payments(block, ids, infra.card_of.take(pa.array(np.arange(chunk.lo, chunk.hi))), "prepaid",
                 pick(COUNTRIES, rng.integers(0, 5, chunk.n)), created)  # fmt: skip
    share = np.full(chunk.n, chunk.param("template_share", 0.95))
    emit_activity(chunk, block, ids, _farm_activity(chunk, created, infra, _rotating(infra.ips), share, (40, 150),
                                                    _model(chunk)))  # fmt: skip
    return block


def respawn_fresh(chunk: Chunk) -> Block:
    """Night 2's replacement wave of a banned farm (``farm_proxy`` or ``farm_paraphrase``) that bought new
    infrastructure: new prepaid cards pooled among its own accounts and a new proxy pool (datacenter /24s or
    residential), and, as drawn (``replaced``), new devices and new e-mail domains; none of the farm's cards, IPs or
    /24s (nor devices or domains it replaced) reappear. It keeps what the farm cannot change cheaply: its templates
    or its curriculum and answer format, client strings, request volume, output lengths and model adoption."""
    block, ids, rng = Block(), chunk.account_ids(), chunk.rng("members")
    farm_plan = chunk.plans[str(chunk.plan.params["farm"])]
    farm = Chunk(chunk.scenario, farm_plan, chunk.plans, 0, 0, farm_plan.size, farm_plan.night)
    old = paraphrase_infra(farm) if farm_plan.builder == "farm_paraphrase" else proxy_infra(farm)
    replaced = str(chunk.plan.params.get("replaced", "cards+proxies")).split("+")
    g, size = chunk.group_rng("infra"), chunk.plan.size
    cards = chunk.token("fp_", "prepaid", g.permutation(size) % -(-size // chunk.param("card_reuse", 10)))
    ips = _fresh_proxies(chunk, g, set(old.subnets) | set(_subnets(old.ips)))
    if "devices" in replaced:
        devices = chunk.token("dev_", "farm_device", g.permutation(size) % -(-size // chunk.param("device_reuse", 5)))
    else:
        devices = old.device_of.take(pa.array(g.integers(0, farm_plan.size, size)))
    domains = old.domains
    if "emails" in replaced:  # the plan draws "popular" only for a farm that did not use popular providers
        others = [d for d in DISPOSABLE if d not in old.domains]
        domains = POPULAR if chunk.param("email", "disposable") == "popular" else [str(g.choice(others))]
    lo, _ = chunk.window()
    created = lo + int(chunk.group_rng("burst").integers(0, 12 * HOUR)) + rng.integers(0, 3 * HOUR, chunk.n)
    accounts_and_truth(chunk, block, ids, created, _emails(chunk, rng, domains), countries(rng, chunk.n))
    members = pa.array(np.arange(chunk.lo, chunk.hi))
    payments(block, ids, cards.take(members), "prepaid", pick(COUNTRIES, rng.integers(0, 5, chunk.n)), created)
    infra = Infra(cards, devices, _subnets(ips), ips, old.families, old.agents, domains, 0, old.asks)
    share = np.full(chunk.n, chunk.param("template_share", 0.95))
    emit_activity(chunk, block, ids, _farm_activity(chunk, created, infra, _rotating(ips), share, (60, 200),
                                                    _model(chunk)))  # fmt: skip
    return block


def _fresh_proxies(chunk: Chunk, g: np.random.Generator, avoid: set[int]) -> np.ndarray:
    """A respawn's new proxy pool, in none of the /24s of ``avoid``: datacenter /24s, or a residential pool."""
    if chunk.param("proxies", "datacenter") == "residential":
        return _residential_pool(g, chunk.plan.size, chunk.param("accounts_per_ip", 1.5), avoid)
    wanted = chunk.param("proxy_subnets", 2)
    subnets = [s for s in datacenter_subnets(g, wanted + 4) if s not in avoid][:wanted]
    return pool_ips(g, subnets, chunk.param("proxy_ips", 60))
