"""Randomised scenarios (`linkage synth --random`): deterministic per seed, different across seeds, in the batch
contract, and each phenomenon they promise present in the data of one drawn scenario (seed 58: a Chinese proxy farm with
one card per account and its own proxy customers, a carrier NAT carrying a fifth of the users, camouflaged farms, a
farm sharing one /24, classrooms, bootcamps and hackathons). No database needed."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from linkage.scenarios import Scenario, random_scenario, synthesize
from linkage.scenarios.common import BROWSERS, DISPOSABLE, POPULAR, SCHEMAS, SCRIPTED, Chunk
from linkage.scenarios.farms import DAY, paraphrase_infra, proxy_infra
from linkage.scenarios.grammar import GRAMMARS, cot_family
from linkage.scenarios.groups import office_infra, viral_prompt
from linkage.scenarios.languages import LANGUAGES
from linkage.scenarios.scenario import GroupPlan, plan
from linkage.similarity import families, minhash
from linkage.similarity.normalise import fold_case, normalise, to_arrow
from loaders.privacy import luhn_valid

SEED = 58
FILES = ["accounts", "payments", "sessions", "prompts", "bans"]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _read(folder: Path, name: str) -> pd.DataFrame:
    path = folder / f"{name}.parquet"
    return pd.read_parquet(path) if path.exists() else pd.DataFrame(columns=SCHEMAS[name])


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return random_scenario(SEED, 3000)


@pytest.fixture(scope="module")
def plans(scenario: Scenario) -> dict[str, GroupPlan]:
    return {p.name: p for p in plan(scenario)}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory, scenario: Scenario) -> dict[str, pd.DataFrame]:
    return _synthesized(tmp_path_factory.mktemp("random"), scenario)


def _synthesized(out: Path, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Both nights' files concatenated (``batch_night``), each row labelled with its account's ground-truth group."""
    synthesize(out, scenario)
    truth = pd.read_csv(out / "truth.csv", dtype={"account_id": str})
    group = truth.set_index("account_id")["group"]
    frames = {"truth": truth}
    for name in FILES:
        parts = [_read(out / f"night{n}", name).assign(batch_night=n) for n in (1, 2)]
        frames[name] = pd.concat(parts, ignore_index=True).assign(group=lambda f: f["account_id"].map(group))
    return frames


def _of(data: dict[str, pd.DataFrame], frame: str, group: str) -> pd.DataFrame:
    rows = data[frame]
    return rows[rows["group"] == group]


def _subnet(ip: str) -> str:
    return ip.rsplit(".", 1)[0]


def _farm_families(plans: dict[str, GroupPlan], scenario: Scenario, name: str) -> list[tuple[str, ...]]:
    farm = plans[name]
    infra = proxy_infra(Chunk(scenario, farm, plans, 0, 0, farm.size, farm.night))
    return [family.variants for family in infra.families]


def _digest(out: Path) -> str:
    """Every file's values (tables read back, JSON parsed), so neither the writers' versions nor formatting matter."""
    h = hashlib.sha256()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        h.update(str(path.relative_to(out)).encode())
        if path.suffix == ".json":
            h.update(json.dumps(json.loads(path.read_text()), sort_keys=True).encode())
            continue
        table = pq.read_table(path) if path.suffix == ".parquet" else pacsv.read_csv(path)
        for column in table.column_names:
            h.update(repr(table.column(column).to_pylist()).encode())
    return h.hexdigest()


def test_the_fixed_scenario_is_unchanged(tmp_path: Path) -> None:
    """The digest of the fixed scenario's files: a fixed scenario must keep every draw (its benchmarks and tuning stay
    comparable). Its only change since randomised scenarios came was deliberate: on night 2 benign users take up the
    new model and the popular tool moves its returning users to it at once (their model, and the output tokens drawn
    after it, differ; every other value of every file is as before)."""
    synthesize(tmp_path, Scenario(accounts=600, seed=5))
    assert _digest(tmp_path) == "3f2e93cf4f14521337c8ade0e2775248661f1d4cd92edcde9420b00319cd0fa6"


def test_same_seed_same_scenario_and_files(tmp_path: Path) -> None:
    assert random_scenario(5, 800) == random_scenario(5, 800)
    synthesize(tmp_path / "a", random_scenario(5, 800))
    synthesize(tmp_path / "b", random_scenario(5, 800))
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert (tmp_path / "a" / "night2" / "prompts.parquet").exists()
    saved = Scenario.model_validate_json((tmp_path / "a" / "scenario.json").read_text())
    assert saved == random_scenario(5, 800)  # scenario.json holds everything drawn: the scenario can be rebuilt


def test_two_seeds_draw_different_mixes_and_wordings() -> None:
    one, two = random_scenario(1, 3000), random_scenario(2, 3000)
    assert one.mix is not None and two.mix is not None
    assert one.mix.languages != two.mix.languages
    assert one.farm_proxy != two.farm_proxy and one.carrier_nat != two.carrier_nat
    plans_one, plans_two = {p.name: p for p in plan(one)}, {p.name: p for p in plan(two)}
    assert [(p.name, p.size) for p in plans_one.values()] != [(p.name, p.size) for p in plans_two.values()]
    wordings_one = {v for f in _farm_families(plans_one, one, "farm_proxy_1") for v in f}
    wordings_two = {v for f in _farm_families(plans_two, two, "farm_proxy_1") for v in f}
    assert wordings_one and wordings_two and not wordings_one & wordings_two


def test_templates_come_from_a_grammar_not_a_list() -> None:
    families = [cot_family(np.random.default_rng(seed), "en", f"f{seed}", 6) for seed in range(60)]
    variants = [v for f in families for v in f.variants]
    assert all(len(f.variants) == 6 for f in families)  # 6 distinct paraphrases of each skeleton
    assert all(v.count("{q}") == 1 for v in variants)
    assert len(set(variants)) == len(variants)  # no two families share a wording
    instructions = {sentence for v in variants for sentence in re.split(r"(?<=\.) ", v)}
    assert len(instructions) > 300
    # the examples the grammar was asked for are all reachable
    words = " ".join(GRAMMARS["en"].words.values())
    for phrase in ("Narrate", "each reasoning step", "explicitly", "all of your intermediate thinking",
                   "an exhaustive derivation", "Before the final answer", "Walk through", "your logic",
                   "one stage at a time", "Lay out", "every inference you make"):  # fmt: skip
        assert phrase in words, phrase


def test_group_sizes_and_behaviour_are_drawn_in_wide_ranges() -> None:
    groups = [p for seed in range(30) for p in plan(random_scenario(seed, 3000))]
    farms = [p for p in groups if p.builder.startswith("farm_")]
    assert all(20 <= p.size <= 1000 for p in farms)
    counts = [sum(p.builder == "farm_proxy" for p in plan(random_scenario(seed, 3000))) for seed in range(30)]
    assert len(set(counts)) >= 3
    reuse = {p.params["card_reuse"] for p in farms if p.builder == "farm_proxy"}
    assert 1 in reuse and max(int(r) for r in reuse) >= 20  # some farms: every account its own card
    ordinary = [1 - (float(p.params["template_lo"]) + 0.05) for p in farms if p.builder == "farm_camouflaged"]
    assert min(ordinary) < 0.4 and max(ordinary) > 0.6 and all(0.3 <= o <= 0.7 for o in ordinary)
    carriers = [p for p in groups if p.builder == "carrier"]
    assert all(4 <= int(p.params["nat_ips"]) <= 32 and 1 <= int(p.params["nat_subnets"]) <= 4 for p in carriers)
    shares = [random_scenario(seed, 3000).carrier_nat for seed in range(30)]
    assert any(s >= 0.10 for s in shares) and any(s < 0.08 for s in shares)
    classes = {p.name.rsplit("_", 1)[0] for p in groups if p.builder == "classroom"}
    assert classes == {"benign_classroom", "benign_bootcamp", "benign_hackathon"}
    languages = {p.params["language"] for p in farms}
    assert languages == set(LANGUAGES)


def test_batch_contract_ground_truth_and_malformed_rows(data: dict[str, pd.DataFrame]) -> None:
    truth = data["truth"]
    assert truth["account_id"].is_unique and set(truth["account_id"]) == set(data["accounts"]["account_id"])
    assert truth["group"].str.fullmatch(r"(farm_[a-z]+|respawn(_fresh)?|benign_[a-z_]+?)_\d+").all()
    prefix = truth["group"].str.rsplit("_", n=1).str[0]
    coordinated = prefix.str.startswith(("farm_", "respawn"))
    assert (truth.loc[coordinated, "kind"] == "coordinated").all()
    assert (truth.loc[~coordinated, "kind"] == "benign").all() and prefix[~coordinated].str.startswith("benign_").all()
    for name in FILES:
        assert list(data[name].columns[: len(SCHEMAS[name])]) == SCHEMAS[name]
    payments, prompts = data["payments"], data["prompts"]
    raw = payments["payment_fingerprint"].str.fullmatch(r"\d{13,19}")
    assert payments[raw].groupby("batch_night").size().to_dict() == {1: 3, 2: 3}  # as in the fixed scenario
    assert prompts[prompts["output_tokens"] < 0].groupby("batch_night").size().to_dict() == {1: 1, 2: 1}
    assert len(data["bans"]) == 3 and (data["bans"]["group"] == "farm_proxy_1").all()


def test_prompts_carry_no_personal_data(data: dict[str, pd.DataFrame]) -> None:
    text = data["prompts"]["prompt"]
    assert not text.str.contains(r"[\w.+-]+@[\w-]+\.\w+", regex=True).any()
    numbers = text.str.findall(r"\d{13,19}").explode().dropna()
    assert not any(luhn_valid(n) for n in numbers)


def test_every_language_is_written_by_benign_users(data: dict[str, pd.DataFrame]) -> None:
    """Languages and scripts are no evidence: each is written by ordinary users, not only by farms."""
    prompts = data["prompts"]
    background = prompts[prompts["group"] == "benign_background_1"]["prompt"]
    for code, lang in LANGUAGES.items():
        starts = tuple(before for before, _ in lang.frames if before)
        share = background.str.startswith(starts).mean()
        assert share >= 0.01, code
    benign = prompts[prompts["group"].str.startswith("benign_")]
    chinese = benign[benign["prompt"].str.contains(CJK)]
    assert chinese["account_id"].nunique() >= 100
    assert benign["prompt"].str.contains(r"[а-яё]", regex=True).any()


def test_a_chinese_farm_paraphrases_its_templates_without_spaces(
    data: dict[str, pd.DataFrame], plans: dict[str, GroupPlan], scenario: Scenario
) -> None:
    assert plans["farm_proxy_1"].params["language"] == "zh"
    prompts = _of(data, "prompts", "farm_proxy_1")["prompt"]
    assert not prompts.str.contains(" ").any()
    assert prompts.str.contains(CJK).mean() > 0.99
    families = _farm_families(plans, scenario, "farm_proxy_1")
    assert len(families) == 2 and all(len(set(f)) == 8 for f in families)  # 8 paraphrases of each skeleton
    templated = pd.Series(False, index=prompts.index)
    used = 0
    for variant in (v for f in families for v in f):
        head, tail = variant.split("{q}")
        match = prompts.str.startswith(head) & prompts.str.endswith(tail)
        used += bool(match.any())
        templated |= match
    assert used == 16  # every paraphrase is sent
    share = float(plans["farm_proxy_1"].params["template_share"])
    assert abs(templated.mean() - share) < 0.03
    respawn = _of(data, "prompts", "respawn_1")["prompt"]
    assert respawn.str.contains(CJK).mean() > 0.99  # its replacements speak the same language


def test_a_carrier_nat_carries_a_fifth_of_the_users(data: dict[str, pd.DataFrame]) -> None:
    sessions = data["sessions"]
    carrier = _of(data, "sessions", "benign_cgnat_1")
    per_ip = carrier.groupby("ip")["account_id"].nunique()
    nat = set(per_ip[per_ip >= 10].index)
    assert 4 <= len(nat) <= 32 and len({_subnet(ip) for ip in nat}) <= 4
    night1 = sessions[sessions["batch_night"] == 1]
    users = night1.loc[night1["ip"].isin(nat), "account_id"].nunique()
    assert users / data["accounts"]["batch_night"].eq(1).sum() >= 0.15


def test_proxy_customers_share_the_farms_proxies(data: dict[str, pd.DataFrame], plans: dict[str, GroupPlan]) -> None:
    customers = plans["benign_proxy_customers_1"]
    assert customers.kind == "benign" and customers.params["farm"] == "farm_proxy_1"
    farm_ips = set(_of(data, "sessions", "farm_proxy_1")["ip"])
    farm_subnets = {_subnet(ip) for ip in farm_ips}
    sessions = _of(data, "sessions", "benign_proxy_customers_1")
    through = sessions["ip"].map(_subnet).isin(farm_subnets)
    assert abs(through.mean() - float(customers.params["proxy_share"])) < 0.08
    on_farm_ips = sessions["ip"].isin(farm_ips)
    assert on_farm_ips.mean() > 0.6 * through.mean()  # mostly the farm's very proxies, some neighbours in its /24s
    assert sessions.loc[on_farm_ips, "account_id"].nunique() >= 0.5 * customers.size
    assert sessions["user_agent"].isin(BROWSERS).all()
    cards = set(_of(data, "payments", "benign_proxy_customers_1")["payment_fingerprint"])
    assert not cards & set(_of(data, "payments", "farm_proxy_1")["payment_fingerprint"])


def test_a_farm_with_one_card_per_account(data: dict[str, pd.DataFrame], plans: dict[str, GroupPlan]) -> None:
    assert plans["farm_proxy_1"].params["card_reuse"] == 1
    payments = _of(data, "payments", "farm_proxy_1")
    assert payments["payment_fingerprint"].is_unique and len(payments) == plans["farm_proxy_1"].size


def test_a_farm_shares_one_lone_24_and_nothing_else(data: dict[str, pd.DataFrame], plans: dict[str, GroupPlan]) -> None:
    farm = plans["farm_subnet_1"]
    sessions = _of(data, "sessions", "farm_subnet_1")
    subnets = set(sessions["ip"].map(_subnet))
    assert len(subnets) == 1
    others = data["sessions"][data["sessions"]["group"] != "farm_subnet_1"]
    assert not others["ip"].map(_subnet).isin(subnets).any()  # nobody else uses it
    payments = data["payments"]
    own = payments[payments["group"] == "farm_subnet_1"]
    assert len(own) == farm.size and own["payment_fingerprint"].is_unique
    assert (
        not payments.loc[payments["group"] != "farm_subnet_1", "payment_fingerprint"]
        .isin(own["payment_fingerprint"])
        .any()
    )
    devices = sessions.groupby("device_id")["account_id"].nunique()
    assert len(devices) == farm.size and (devices == 1).all()
    assert not data["sessions"].loc[data["sessions"]["group"] != "farm_subnet_1", "device_id"].isin(devices.index).any()
    emails = _of(data, "accounts", "farm_subnet_1")["email"].str.split("@").str[1]
    assert not emails.isin(DISPOSABLE).any()
    prompts = _of(data, "prompts", "farm_subnet_1")
    assert prompts["output_tokens"].median() >= int(farm.params["output_lo"])  # its prompts still harvest


def test_camouflaged_farms_hide_behind_the_carrier_nat(
    data: dict[str, pd.DataFrame], plans: dict[str, GroupPlan]
) -> None:
    nat = set(_of(data, "sessions", "benign_cgnat_1")["ip"].value_counts().loc[lambda c: c >= 10].index)
    for name in ("farm_camouflaged_1", "farm_camouflaged_2"):
        params = plans[name].params
        assert params["carrier"] == "benign_cgnat_1"
        through = _of(data, "sessions", name)["ip"].isin(nat).mean()
        assert abs(through - float(params["nat_share"])) < 0.1, name
        prompts = _of(data, "prompts", name)
        templated = (prompts["output_tokens"] >= int(params["output_lo"])).mean()  # ordinary prompts are short
        assert float(params["template_lo"]) - 0.05 <= templated <= float(params["template_hi"]) + 0.05, name


def test_classes_sign_up_within_minutes_on_one_campus_ip_with_one_homework_template(
    data: dict[str, pd.DataFrame], plans: dict[str, GroupPlan]
) -> None:
    classes = [p for p in plans.values() if p.builder == "classroom"]
    assert {p.name.rsplit("_", 1)[0] for p in classes} == {"benign_classroom", "benign_bootcamp", "benign_hackathon"}
    assert {p.params["language"] for p in classes} >= {"en", "fr"}
    farm_median = _of(data, "prompts", "farm_subnet_1")["output_tokens"].median()
    for group in classes:
        created = pd.to_datetime(_of(data, "accounts", group.name)["created_at"])
        assert (created.max() - created.min()).total_seconds() <= int(group.params["signup_seconds"]), group.name
        sessions = _of(data, "sessions", group.name)
        campus = sessions["ip"].value_counts().index[0]
        assert sessions.loc[sessions["ip"] == campus, "account_id"].nunique() >= 0.8 * group.size
        prompts = _of(data, "prompts", group.name)["prompt"]
        heads = prompts.str[:25]
        homework = prompts[heads == heads.value_counts().index[0]]
        assert abs(len(homework) / len(prompts) - float(group.params["homework_share"])) < 0.08, group.name
        shows = GRAMMARS[str(group.params["language"])].synonyms("show")
        assert homework.str.contains("|".join(map(re.escape, shows))).all(), group.name  # it asks for the steps
        output = _of(data, "prompts", group.name)["output_tokens"].median()
        assert 150 <= output <= 1500 and output < farm_median / 2, group.name


def test_respawns_on_night_two_reuse_their_farm(data: dict[str, pd.DataFrame]) -> None:
    respawn = data["truth"][data["truth"]["group"] == "respawn_1"]
    assert len(respawn) > 0 and (respawn["night"] == 2).all()
    ips = _of(data, "sessions", "respawn_1")["ip"]
    assert ips.isin(set(_of(data, "sessions", "farm_proxy_1")["ip"])).mean() >= 0.5
    assert _of(data, "sessions", "farm_proxy_1")["batch_night"].eq(1).all()  # the banned farm is silent on night 2


def test_synth_random_command_prints_what_was_drawn(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from linkage.cli import app

    args = ["synth", str(tmp_path), "--random", "--seed", "3", "--accounts", "600", "--nights", "1"]
    result = CliRunner().invoke(app, [*args, "--set", "farm_proxy=0.1", "--json"])
    assert result.exit_code == 0, result.output
    drawn = json.loads(result.stdout)
    assert drawn["scenario"]["mix"]["languages"] == random_scenario(3, 600).model_dump()["mix"]["languages"]
    assert drawn["scenario"]["farm_proxy"] == 0.1  # --set overrides a drawn field
    farms = [g for g in drawn["groups"] if g["group"].startswith("farm_proxy_")]
    assert farms and all("card_reuse" in g["params"] for g in farms)
    table = CliRunner().invoke(app, args)
    assert table.exit_code == 0, table.output
    assert "languages" in table.stdout and "card_reuse=" in table.stdout


# --- farms that adapted after a ban, and their look-alikes (``random_scenario(..., adaptive=True)``) ----------------

# Seed 133 with every adaptive family: a Chinese paraphrasing farm that keeps two answer-format sentences, fresh
# waves of it (datacenter proxies) and of a proxy farm (residential proxies, new devices and e-mail domains), a farm
# that drips its sign-ups over months, users of a viral prompt, a content agency, a small firm and a campus.
ADAPTIVE_SEED = 133
ADAPTIVE_BUILDERS = {
    "farm_paraphrase": "farm_paraphrase",
    "farm_drip": "farm_drip",
    "respawn_fresh": "respawn_fresh",
    "benign_viral": "viral",
    "benign_agency": "agency",
    "benign_small_firm": "small_firm",
    "benign_campus": "campus",
}


@pytest.fixture(scope="module")
def adaptive() -> Scenario:
    return random_scenario(ADAPTIVE_SEED, 3000, adaptive=True)


@pytest.fixture(scope="module")
def adaptive_plans(adaptive: Scenario) -> dict[str, GroupPlan]:
    return {p.name: p for p in plan(adaptive)}


@pytest.fixture(scope="module")
def adaptive_data(tmp_path_factory: pytest.TempPathFactory, adaptive: Scenario) -> dict[str, pd.DataFrame]:
    return _synthesized(tmp_path_factory.mktemp("adaptive"), adaptive)


def _chunk(scenario: Scenario, plans: dict[str, GroupPlan], name: str) -> Chunk:
    group = plans[name]
    return Chunk(scenario, group, plans, 0, 0, group.size, group.night)


def _largest_family(prompts: pd.Series) -> int:
    """The most prompts in one template family as the detector draws them: MinHash of three-word shingles (one
    character a word in Chinese) with slots masked, 64 bins, LSH bands for Jaccard 0.5, pairs verified at 0.5."""
    sig = minhash.signatures(fold_case(to_arrow(prompts, 8000)), 3, 64)
    labels = families.assign_families(sig, *minhash.optimal_bands(0.5, 64), 0.5)
    return int(np.unique(labels, return_counts=True)[1].max())


def _with_template(prompts: pd.Series, template: str) -> pd.Series:
    head, tail = template.split("{q}")
    return prompts.str.startswith(head) & prompts.str.endswith(tail)


def _seconds(stamps: pd.Series) -> pd.Series:
    """Epoch seconds of ISO-8601 timestamps."""
    return (pd.to_datetime(stamps) - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)


def _frame_literals(code: str) -> list[str]:
    """Per curriculum question frame of the language, its longest piece of fixed text (what every filling keeps)."""
    return [max(re.split(r"\{\w\}", q), key=len) for q in LANGUAGES[code].questions]


def test_adaptive_families_are_drawn_per_scenario_and_every_one_with_the_knob() -> None:
    for seed in range(12):
        plans = plan(random_scenario(seed, 3000, adaptive=True))
        for family, builder in ADAPTIVE_BUILDERS.items():
            groups = [p for p in plans if p.builder == builder]
            assert groups, (seed, family)
            kind = "coordinated" if family.startswith(("farm_", "respawn")) else "benign"
            assert all(re.fullmatch(rf"{family}_\d+", p.name) and p.kind == kind and p.params for p in groups)
            assert all(p.night == (2 if family == "respawn_fresh" else 1) for p in groups)
    drawn = [random_scenario(seed, 3000).mix.groups for seed in range(40)]
    for family in ADAPTIVE_BUILDERS:
        counts = {groups[family] for groups in drawn}
        assert 0 in counts and max(counts) >= 2, family  # without the knob: sometimes none, sometimes several
    fixed = plan(Scenario(accounts=3000, seed=5))
    assert not {p.builder for p in fixed} & set(ADAPTIVE_BUILDERS.values())


def test_a_paraphrasing_farm_never_repeats_a_template(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan], adaptive: Scenario
) -> None:
    """Every request wraps a curriculum question in an instruction combined afresh: no two share their masked text,
    no template family holds more than a handful of its thousands of prompts (a proxy farm's largest, a tenth of its);
    what every request keeps is the farm's answer format and a question of its curriculum."""
    farm = adaptive_plans["farm_paraphrase_1"]
    params = farm.params
    assert params["language"] == "zh" and params["formats"] == 2
    prompts = _of(adaptive_data, "prompts", farm.name)["prompt"]
    assert len(prompts) >= 5_000
    assert not normalise(fold_case(to_arrow(prompts, 8000))).to_pandas().duplicated().any()
    assert _largest_family(prompts) <= 8
    proxy_prompts = _of(adaptive_data, "prompts", "farm_proxy_1")["prompt"]
    assert _largest_family(proxy_prompts) >= 0.1 * len(proxy_prompts)
    asks = paraphrase_infra(_chunk(adaptive, adaptive_plans, farm.name)).asks
    assert asks is not None and len(asks.kept) == 2 and len(asks.frames) == params["curriculum"]
    kept = prompts.apply(lambda text: all(sentence in text for sentence in asks.kept))
    assert abs(kept.mean() - float(params["template_share"])) < 0.02
    literals = _frame_literals("zh")
    asked = prompts[kept].apply(lambda text: {i for i, piece in enumerate(literals) if piece in text})
    assert (asked.str.len() >= 1).all()
    assert set().union(*asked) == set(asks.frames)  # its whole curriculum, and nothing else
    assert prompts[kept].str.contains("|".join(GRAMMARS["zh"].synonyms("label"))).all()


def test_a_paraphrasing_farm_shares_a_card_pool_and_a_large_residential_proxy_pool(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan]
) -> None:
    farm = adaptive_plans["farm_paraphrase_1"]
    params = farm.params
    payments = _of(adaptive_data, "payments", farm.name)
    assert (payments["method_type"] == "prepaid").all()
    assert payments["payment_fingerprint"].nunique() == -(-farm.size // int(params["card_reuse"]))
    sessions = _of(adaptive_data, "sessions", farm.name)
    per_ip = sessions.groupby("ip")["account_id"].nunique()
    assert len(per_ip) >= 3 * farm.size and (per_ip <= 2).mean() >= 0.7  # most IPs seen by one or two accounts
    subnets = sessions["ip"].map(_subnet)
    assert subnets.nunique() >= 0.95 * len(per_ip)  # over as many /24s as IPs
    homes = _of(adaptive_data, "sessions", "benign_background_1")["ip"].str.split(".").str[0]
    assert set(sessions["ip"].str.split(".").str[0]) <= set(homes)  # in the ranges homes use
    assert sessions["user_agent"].isin(SCRIPTED).all() and sessions["user_agent"].nunique() == params["clients"]
    created = pd.to_datetime(_of(adaptive_data, "accounts", farm.name)["created_at"])
    assert (created.max() - created.min()).total_seconds() > DAY  # sign-ups over days
    output = _of(adaptive_data, "prompts", farm.name)["output_tokens"]
    assert output.median() >= int(params["output_lo"])


def test_fresh_respawns_reuse_none_of_their_farms_infrastructure_and_keep_its_habits(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan], adaptive: Scenario
) -> None:
    waves = [p for p in adaptive_plans.values() if p.builder == "respawn_fresh"]
    farms = {str(p.params["farm"]) for p in waves}
    assert {adaptive_plans[farm].builder for farm in farms} == {"farm_paraphrase", "farm_proxy"}
    assert {"devices", "emails"} <= {kind for p in waves for kind in str(p.params["replaced"]).split("+")}
    assert {p.params["proxies"] for p in waves} == {"residential", "datacenter"}
    assert not any(p.builder == "respawn" and p.params["farm"] in farms for p in adaptive_plans.values())
    for wave in waves:
        farm, replaced = str(wave.params["farm"]), str(wave.params["replaced"]).split("+")

        def both(frame: str, column: str) -> tuple[pd.Series, pd.Series]:
            """The values of the wave, then of its farm."""
            return _of(adaptive_data, frame, wave.name)[column], _of(adaptive_data, frame, farm)[column]  # noqa: B023

        cards, farm_cards = both("payments", "payment_fingerprint")
        assert set(cards).isdisjoint(farm_cards)
        ips, farm_ips = both("sessions", "ip")
        assert set(ips).isdisjoint(farm_ips) and set(ips.map(_subnet)).isdisjoint(farm_ips.map(_subnet))
        devices, farm_devices = (set(values) for values in both("sessions", "device_id"))
        assert devices.isdisjoint(farm_devices) if "devices" in replaced else devices <= farm_devices
        domains, farm_domains = (set(values.str.split("@").str[1]) for values in both("accounts", "email"))
        assert domains.isdisjoint(farm_domains) if "emails" in replaced else domains <= farm_domains
        agents, farm_agents = both("sessions", "user_agent")
        assert set(agents) <= set(farm_agents)
        payments = _of(adaptive_data, "payments", wave.name)
        assert (payments["method_type"] == "prepaid").all()
        assert payments["payment_fingerprint"].nunique() == -(-wave.size // int(wave.params["card_reuse"]))
        prompts = _of(adaptive_data, "prompts", wave.name)
        assert (prompts["model"] == "model-large-2").all() and (prompts["batch_night"] == 2).all()
        assert prompts["output_tokens"].median() >= int(wave.params["output_lo"])
        share = float(wave.params["template_share"])
        if adaptive_plans[farm].builder == "farm_paraphrase":
            asks = paraphrase_infra(_chunk(adaptive, adaptive_plans, farm)).asks
            assert asks is not None
            kept = prompts["prompt"].apply(lambda text, kept=asks.kept: all(s in text for s in kept))
            assert abs(kept.mean() - share) < 0.03, wave.name
        else:
            assert abs(_templated(prompts["prompt"], adaptive, adaptive_plans, farm).mean() - share) < 0.03, wave.name


def _templated(prompts: pd.Series, scenario: Scenario, plans: dict[str, GroupPlan], farm: str) -> pd.Series:
    """Which prompts are one of the farm's template families, slot-filled."""
    templated = pd.Series(False, index=prompts.index)
    for family in proxy_infra(_chunk(scenario, plans, farm)).families:
        for variant in family.variants:
            templated |= _with_template(prompts, variant)
    return templated


def test_a_drip_farm_signs_up_over_months_and_harvests_only_now(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan], adaptive: Scenario
) -> None:
    farm = adaptive_plans["farm_drip_1"]
    night_start, _ = adaptive.night_window(1)
    created = _seconds(_of(adaptive_data, "accounts", farm.name)["created_at"])
    days_before = (night_start - created) / DAY
    assert days_before.min() >= int(farm.params["signup_days_lo"]) >= 30
    assert days_before.max() <= int(farm.params["signup_days_hi"]) <= 180
    assert days_before.max() - days_before.min() >= 30  # spread over at least a month
    assert created.floordiv(DAY).value_counts().max() <= 3  # no burst: at most a few sign-ups on any one day
    for frame in ("sessions", "prompts"):
        stamps = _seconds(_of(adaptive_data, frame, farm.name)["ts"])
        assert (stamps >= night_start).all()  # aged: no activity before the night
    payments = _of(adaptive_data, "payments", farm.name)
    assert (payments["method_type"] == "prepaid").all()
    prompts = _of(adaptive_data, "prompts", farm.name)["prompt"]
    templated = _templated(prompts, adaptive, adaptive_plans, farm.name)
    assert abs(templated.mean() - float(farm.params["template_share"])) < 0.03


def test_viral_prompt_users_paste_a_farms_family_word_for_word(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan], adaptive: Scenario
) -> None:
    users = adaptive_plans["benign_viral_1"]
    farm = str(users.params["farm"])
    family = proxy_infra(_chunk(adaptive, adaptive_plans, farm)).families[int(users.params["family"])]
    viral = viral_prompt(_chunk(adaptive, adaptive_plans, users.name))
    assert viral == family.variants[0] and users.params["language"] == adaptive_plans[farm].params["language"]
    prompts = _of(adaptive_data, "prompts", users.name)
    pasted = _with_template(prompts["prompt"], viral)
    assert abs(pasted.mean() - float(users.params["viral_share"])) < 0.05
    assert _with_template(_of(adaptive_data, "prompts", farm)["prompt"], viral).any()  # the farm sends it too
    assert prompts.loc[pasted, "account_id"].nunique() >= 0.3 * users.size
    payments = _of(adaptive_data, "payments", users.name)
    assert payments["payment_fingerprint"].is_unique and (payments["method_type"] == "card").all()
    emails = _of(adaptive_data, "accounts", users.name)["email"].str.split("@").str[1]
    assert emails.isin(POPULAR).all()
    assert _of(adaptive_data, "sessions", users.name)["user_agent"].isin(BROWSERS).all()
    assert prompts.groupby("account_id").size().median() <= 20 and prompts["output_tokens"].median() < 500


@pytest.mark.parametrize("name", ["benign_agency_1", "benign_small_firm_1"])
def test_a_company_without_an_org_id_is_one_customer_on_its_card_office_and_domain(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan], adaptive: Scenario, name: str
) -> None:
    company = adaptive_plans[name]
    params = company.params
    heavy = company.builder == "agency"
    assert (20 <= company.size <= 40) if heavy else (5 <= company.size <= 15)
    accounts = _of(adaptive_data, "accounts", name)
    assert accounts["org_id"].isna().all()
    night_start, _ = adaptive.night_window(1)
    age = (night_start - _seconds(accounts["created_at"])) / DAY
    assert age.min() >= int(params["newest_days"]) and age.max() <= int(params["oldest_days"])
    if heavy:
        assert age.min() >= 180 and age.max() <= 730  # long-standing seats: 6-24 months
    payments = _of(adaptive_data, "payments", name)
    assert len(payments) == company.size and payments["payment_fingerprint"].nunique() == 1
    assert (payments["method_type"] == "card").all()
    everyone = adaptive_data["payments"]
    assert (everyone["payment_fingerprint"] == payments["payment_fingerprint"].iloc[0]).sum() == company.size
    domain = accounts["email"].str.split("@").str[1]
    assert domain.nunique() == 1 and domain.iloc[0] not in POPULAR + DISPOSABLE
    assert (adaptive_data["accounts"]["email"].str.endswith("@" + domain.iloc[0])).sum() == company.size
    office = set(office_infra(_chunk(adaptive, adaptive_plans, name)).ips)
    sessions = _of(adaptive_data, "sessions", name)
    at_office = sessions["ip"].isin({str(ipaddress.ip_address(int(ip))) for ip in office})
    assert 1 <= len(office) <= 2 and sessions.loc[at_office, "ip"].map(_subnet).nunique() == 1
    assert sessions.loc[at_office & (sessions["batch_night"] == 1), "account_id"].nunique() == company.size
    assert (
        not adaptive_data["sessions"]
        .loc[adaptive_data["sessions"]["group"] != name, "ip"]
        .isin(set(sessions.loc[at_office, "ip"]))
        .any()
    )
    assert sessions["user_agent"].isin(BROWSERS).all() and sessions["user_agent"].nunique() == params["clients"]
    prompts = _of(adaptive_data, "prompts", name)
    night1 = prompts[prompts["batch_night"] == 1]
    heads = night1["prompt"].str[:40]
    internal = heads == heads.value_counts().index[0]  # one internal template
    share = float(params["template_share"])
    assert abs(internal.mean() - share) < 3.5 * np.sqrt(share * (1 - share) / len(internal))
    per_seat = night1.groupby("account_id").size().median()
    if heavy:  # a farm's volume and output lengths
        assert per_seat >= int(params["requests_lo"]) and night1["output_tokens"].median() >= int(params["output_lo"])
    else:
        assert per_seat <= 30 and night1["output_tokens"].median() < 500


def test_a_campus_asks_the_farms_curriculum_each_student_in_their_own_words(
    adaptive_data: dict[str, pd.DataFrame], adaptive_plans: dict[str, GroupPlan]
) -> None:
    campus = adaptive_plans["benign_campus_1"]
    params, code = campus.params, str(campus.params["language"])
    assert 100 <= campus.size <= 300
    domains = _of(adaptive_data, "accounts", campus.name)["email"].str.split("@").str[1]
    assert domains.nunique() == 1 and domains.iloc[0].endswith(".edu")
    created = pd.to_datetime(_of(adaptive_data, "accounts", campus.name)["created_at"])
    spread = (created.max() - created.min()).total_seconds()
    assert params["signup"] == "term" and 30 * DAY <= spread <= int(params["signup_seconds"])
    sessions = _of(adaptive_data, "sessions", campus.name)
    campus_ips = sessions["ip"].value_counts().index[: int(params["campus_ips"])]
    on_campus = sessions["ip"].isin(campus_ips)
    assert abs(on_campus.mean() - float(params["campus_share"])) < 0.05 and campus_ips.map(_subnet).nunique() == 1
    cards = _of(adaptive_data, "payments", campus.name)["payment_fingerprint"].value_counts()
    assert cards.max() == 2 and (cards == 2).sum() >= 3  # a few household cards, each shared by two siblings
    prompts = _of(adaptive_data, "prompts", campus.name)["prompt"]
    literals = _frame_literals(code)
    homework = prompts.apply(lambda text: any(piece in text for piece in literals))
    assert abs(homework.mean() - float(params["homework_share"])) < 0.05
    asked = prompts[homework].apply(lambda text: next(i for i, p in enumerate(literals) if p in text))
    assert asked.nunique() == len(literals)  # the same question frames the farms ask
    assert not normalise(fold_case(to_arrow(prompts[homework], 8000))).to_pandas().duplicated().any()
    assert _largest_family(prompts[homework]) <= 4  # each student words the request afresh
    output = _of(adaptive_data, "prompts", campus.name)["output_tokens"].median()
    assert 0.7 * int(params["output_median"]) <= output <= 1.3 * int(params["output_median"])


def test_synth_adaptive_command_draws_every_family(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from linkage.cli import app

    args = ["synth", str(tmp_path), "--random", "--adaptive", "--seed", "4", "--accounts", "1500", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    drawn = {g["group"].rsplit("_", 1)[0]: g for g in json.loads(result.stdout)["groups"]}
    assert set(ADAPTIVE_BUILDERS) <= set(drawn)
    assert drawn["farm_paraphrase"]["params"]["curriculum"] >= 3
    wrong = CliRunner().invoke(app, ["synth", str(tmp_path / "x"), "--adaptive", "--accounts", "600"])
    assert wrong.exit_code == 2 and "use it with --random" in wrong.output
