"""The scenario generator: deterministic, in the batch contract, with ground truth that covers every account, and
groups that really share what they claim to share (no database needed)."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from linkage.scenarios import Scenario, synthesize
from linkage.scenarios.common import DISPOSABLE, SCHEMAS
from linkage.scenarios.prompts import TOOL_TEMPLATE
from linkage.scenarios.scenario import plan
from loaders.privacy import luhn_valid

BATCH_FILES = ["accounts", "payments", "sessions", "prompts", "bans", "allowlist"]


def _read(folder: Path, name: str) -> pd.DataFrame:
    for suffix in (".parquet", ".csv.gz"):
        path = folder / f"{name}{suffix}"
        if path.exists():
            if suffix == ".parquet":
                return pd.read_parquet(path)
            return pd.read_csv(path, dtype={c: str for c in SCHEMAS[name] if "tokens" not in c})
    return pd.DataFrame(columns=SCHEMAS[name])


@pytest.fixture(scope="module")
def scenario_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("scenario")
    synthesize(out, Scenario(accounts=1500, seed=11))
    return out


@pytest.fixture(scope="module")
def data(scenario_dir: Path) -> dict[str, pd.DataFrame]:
    """Every night's files concatenated, with the night as a column, plus the truth."""
    frames: dict[str, pd.DataFrame] = {}
    for name in BATCH_FILES:
        parts = [_read(scenario_dir / f"night{n}", name).assign(batch_night=n) for n in (1, 2)]
        frames[name] = pd.concat(parts, ignore_index=True)
    frames["truth"] = pd.read_csv(scenario_dir / "truth.csv", dtype={"account_id": str})
    return frames


def _group(data: dict[str, pd.DataFrame], prefix: str) -> dict[str, set[str]]:
    truth = data["truth"]
    picked = truth[truth["group"].str.startswith(prefix)]
    return {g: set(ids) for g, ids in picked.groupby("group")["account_id"]}


def _subnet(ip: str) -> str:
    return ip.rsplit(".", 1)[0]


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    synthesize(first, Scenario(accounts=600, seed=5))
    synthesize(second, Scenario(accounts=600, seed=5))
    synthesize(other, Scenario(accounts=600, seed=6))
    for night in ("night1", "night2"):
        for name in ("accounts", "payments", "sessions", "prompts"):
            a = pq.read_table(first / night / f"{name}.parquet")
            assert a.equals(pq.read_table(second / night / f"{name}.parquet")), (night, name)
            assert not a.equals(pq.read_table(other / night / f"{name}.parquet")), (night, name)
    assert (first / "truth.csv").read_bytes() == (second / "truth.csv").read_bytes()


def test_ids_do_not_depend_on_the_chunk_size(tmp_path: Path) -> None:
    synthesize(tmp_path / "big", Scenario(accounts=2500, seed=5))
    synthesize(tmp_path / "small", Scenario(accounts=2500, seed=5, chunk_accounts=1000))
    big = pd.read_csv(tmp_path / "big" / "truth.csv")
    small = pd.read_csv(tmp_path / "small" / "truth.csv")
    assert (
        big.sort_values("account_id")
        .reset_index(drop=True)
        .equals(small.sort_values("account_id").reset_index(drop=True))
    )


def test_every_file_follows_the_batch_contract(scenario_dir: Path) -> None:
    for night in ("night1", "night2"):
        assert (scenario_dir / night / "accounts.parquet").exists()
        for path in (scenario_dir / night).iterdir():
            name = path.name.split(".")[0]
            table = pq.read_table(path)
            assert table.column_names == SCHEMAS[name], path
            for field in table.schema:
                expected = "int64" if field.name in ("input_tokens", "output_tokens") else "string"
                assert str(field.type) == expected, (path, field.name)
            assert table.num_rows > 0
    assert not (scenario_dir / "night2" / "bans.parquet").exists()  # night 2's bans come from the run itself


def test_csv_format_writes_gzip_csv_in_the_same_contract(tmp_path: Path) -> None:
    synthesize(tmp_path, Scenario(accounts=600, seed=2, file_format="csv", nights=1))
    accounts = pd.read_csv(tmp_path / "night1" / "accounts.csv.gz")
    prompts = pd.read_csv(tmp_path / "night1" / "prompts.csv.gz")
    assert list(accounts.columns) == SCHEMAS["accounts"]
    assert list(prompts.columns) == SCHEMAS["prompts"]
    truth = pd.read_csv(tmp_path / "truth.csv")
    assert set(truth["account_id"]) == set(accounts["account_id"])
    assert not (tmp_path / "night2").exists()


def test_truth_covers_every_account_once_with_its_night(data: dict[str, pd.DataFrame]) -> None:
    accounts, truth = data["accounts"], data["truth"]
    assert accounts["account_id"].is_unique
    assert truth["account_id"].is_unique
    assert set(truth["account_id"]) == set(accounts["account_id"])
    nights = accounts.set_index("account_id")["batch_night"]
    assert (truth.set_index("account_id")["night"] == nights.reindex(truth["account_id"]).to_numpy()).all()
    assert set(truth["kind"]) == {"benign", "coordinated"}
    assert list(truth.columns) == ["account_id", "group", "kind", "night"]
    for prefix in ("benign_enterprise", "benign_household", "benign_cgnat", "benign_vpn", "benign_tool",
                   "benign_classroom", "benign_hackathon", "benign_background", "farm_proxy", "farm_stolen",
                   "farm_camouflaged", "respawn"):  # fmt: skip
        assert _group(data, prefix), prefix


def test_activity_only_from_known_accounts(data: dict[str, pd.DataFrame]) -> None:
    known = set(data["accounts"]["account_id"])
    for name in ("payments", "sessions", "prompts", "bans"):
        assert set(data[name]["account_id"]) <= known, name
    first_night = set(data["accounts"].loc[data["accounts"]["batch_night"] == 1, "account_id"])
    night1_activity = data["sessions"][data["sessions"]["batch_night"] == 1]
    assert set(night1_activity["account_id"]) <= first_night


def test_truth_has_no_raw_email_or_card(scenario_dir: Path, data: dict[str, pd.DataFrame]) -> None:
    text = (scenario_dir / "truth.csv").read_text()
    assert "@" not in text
    cells = set(re.split(r"[,\n\"]+", text))
    assert not any(re.fullmatch(r"\d{13,19}", cell) for cell in cells)
    assert not cells & (set(data["accounts"]["email"]) | set(data["payments"]["payment_fingerprint"]))


def test_a_few_malformed_rows_for_the_loaders_to_reject(data: dict[str, pd.DataFrame]) -> None:
    fingerprints = data["payments"]["payment_fingerprint"]
    raw = fingerprints[fingerprints.str.fullmatch(r"\d{13,19}")]
    assert 1 <= len(raw) <= 10 and all(luhn_valid(n) for n in raw)
    assert (fingerprints.str.startswith("fp_") | fingerprints.isin(raw)).all()
    owners = set(data["payments"].loc[raw.index, "account_id"])
    benign = set(data["truth"].loc[data["truth"]["kind"] == "benign", "account_id"])
    assert owners <= benign
    sessions = data["sessions"]
    bad_ip = ~sessions["ip"].str.fullmatch(r"(\d{1,3}\.){3}\d{1,3}|[0-9a-f:]+") | sessions["ip"].str.startswith("999.")
    assert 1 <= int(bad_ip.sum()) <= 10
    bad_ts = pd.to_datetime(sessions["ts"], errors="coerce", format="%Y-%m-%dT%H:%M:%SZ").isna()
    assert 1 <= int(bad_ts.sum()) <= 10
    assert 1 <= int((data["prompts"]["output_tokens"] < 0).sum()) <= 5


def test_enterprise_seats_share_one_org_card_domain_and_few_nat_ips(data: dict[str, pd.DataFrame]) -> None:
    planned = {group.name: group.size for group in plan(Scenario(accounts=1500, seed=11))}
    for group, ids in _group(data, "benign_enterprise").items():
        # sizes are drawn in 20-200 and then scaled so the groups hold the enterprise share (6% of 1,500: 90)
        assert len(ids) == planned[group] and 10 <= len(ids) <= 200, group
        payments = data["payments"][data["payments"]["account_id"].isin(ids)]
        assert payments["payment_fingerprint"].nunique() == 1, group
        accounts = data["accounts"][data["accounts"]["account_id"].isin(ids)]
        assert accounts["org_id"].nunique() == 1 and accounts["org_id"].notna().all()
        assert accounts["email"].str.split("@").str[1].nunique() == 1
        sessions = data["sessions"][data["sessions"]["account_id"].isin(ids)]
        top = sessions["ip"].value_counts()
        assert len(top[top >= 5]) <= 3 and top.head(3).sum() >= 0.6 * len(sessions)
    orgs = set(data["accounts"]["org_id"].dropna())
    assert set(data["allowlist"]["org_id"].dropna()) <= orgs and data["allowlist"]["org_id"].notna().any()


def test_households_share_a_card_and_a_home_ip(data: dict[str, pd.DataFrame]) -> None:
    ids = set().union(*_group(data, "benign_household").values())
    payments = data["payments"][data["payments"]["account_id"].isin(ids)]
    per_card = payments.groupby("payment_fingerprint")["account_id"].nunique()
    assert per_card.between(2, 5).all()
    sessions = data["sessions"][data["sessions"]["account_id"].isin(ids)]
    per_ip = sessions.groupby("ip")["account_id"].nunique()
    assert per_ip.max() <= 5 and (per_ip >= 2).sum() >= len(per_card) * 0.8


def test_carrier_nat_users_share_a_few_ips(data: dict[str, pd.DataFrame]) -> None:
    for group, ids in _group(data, "benign_cgnat").items():
        sessions = data["sessions"][data["sessions"]["account_id"].isin(ids)]
        per_ip = sessions.groupby("ip")["account_id"].nunique()
        shared = per_ip[per_ip >= 10]
        assert 4 <= len(shared) <= 32, group
        assert sessions["ip"].isin(shared.index).mean() > 0.5
        assert sessions.loc[sessions["ip"].isin(shared.index), "account_id"].nunique() >= 0.9 * len(ids)
        assert shared.index.map(_subnet).nunique() <= 4
        cards = data["payments"][data["payments"]["account_id"].isin(ids)]["payment_fingerprint"]
        assert cards.is_unique  # nothing else links them


def test_tool_users_share_the_fixed_template_but_not_their_questions(data: dict[str, pd.DataFrame]) -> None:
    ids = set().union(*_group(data, "benign_tool").values())
    prompts = data["prompts"][data["prompts"]["account_id"].isin(ids)]
    templated = prompts[prompts["prompt"].str.startswith(TOOL_TEMPLATE)]
    assert templated["account_id"].nunique() >= 0.9 * len(ids)
    questions = templated["prompt"].str.split("User request: ").str[1]
    assert questions.nunique() >= 0.95 * len(questions)


def test_classroom_signs_up_within_an_hour_at_one_university(data: dict[str, pd.DataFrame]) -> None:
    for group, ids in {**_group(data, "benign_classroom"), **_group(data, "benign_hackathon")}.items():
        accounts = data["accounts"][data["accounts"]["account_id"].isin(ids)]
        created = pd.to_datetime(accounts["created_at"])
        assert created.max() - created.min() <= pd.Timedelta(hours=1), group
        domains = accounts["email"].str.split("@").str[1]
        assert domains.nunique() == 1 and domains.iloc[0].endswith(".edu")


def test_proxy_farms_pool_cards_proxies_and_templates(data: dict[str, pd.DataFrame]) -> None:
    for group, ids in _group(data, "farm_proxy").items():
        payments = data["payments"][data["payments"]["account_id"].isin(ids)]
        per_card = payments.groupby("payment_fingerprint")["account_id"].nunique()
        assert per_card.min() >= 2 and per_card.max() <= 41 and len(per_card) <= len(ids) / 5, group
        assert (payments["method_type"] == "prepaid").all()
        sessions = data["sessions"][data["sessions"]["account_id"].isin(ids)]
        assert sessions["ip"].map(_subnet).nunique() <= 4
        assert sessions["user_agent"].nunique() <= 2 and not sessions["user_agent"].str.startswith("Mozilla").any()
        accounts = data["accounts"][data["accounts"]["account_id"].isin(ids)]
        assert accounts["email"].str.split("@").str[1].isin(DISPOSABLE).all()
        prompts = data["prompts"][data["prompts"]["account_id"].isin(ids)]
        tags = prompts["prompt"].str.extract(r"Dataset tag (\S+?)\.")[0]
        assert tags.notna().mean() >= 0.85 and tags.nunique() <= 3
        assert prompts["prompt"].str.contains("step by step|step at a time|every step", case=False).mean() > 0.8
        assert prompts["output_tokens"].median() >= 1500


def test_stolen_card_farm_has_unique_cards_on_one_subnet(data: dict[str, pd.DataFrame]) -> None:
    for group, ids in _group(data, "farm_stolen").items():
        payments = data["payments"][data["payments"]["account_id"].isin(ids)]
        assert payments["payment_fingerprint"].is_unique and len(payments) == len(ids), group
        sessions = data["sessions"][data["sessions"]["account_id"].isin(ids)]
        assert sessions["ip"].map(_subnet).nunique() == 1
        prompts = data["prompts"][data["prompts"]["account_id"].isin(ids)]
        heads = prompts["prompt"].str.split("Question:").str[0]
        assert heads.nunique() >= 4  # paraphrased variants, not one fixed text


def test_camouflaged_farm_hides_behind_carrier_nat_ips(data: dict[str, pd.DataFrame]) -> None:
    cgnat = set().union(*_group(data, "benign_cgnat").values())
    carrier_ips = set(data["sessions"].loc[data["sessions"]["account_id"].isin(cgnat), "ip"])
    for group, ids in _group(data, "farm_camouflaged").items():
        sessions = data["sessions"][data["sessions"]["account_id"].isin(ids)]
        through_nat = sessions["ip"].isin(carrier_ips).mean()
        assert 0.3 <= through_nat <= 0.7, group
        prompts = data["prompts"][data["prompts"]["account_id"].isin(ids)]
        share = prompts["prompt"].str.contains("Dataset tag").groupby(prompts["account_id"]).mean()
        assert share.between(0.2, 0.8).mean() > 0.9
        cards = data["payments"][data["payments"]["account_id"].isin(ids)]["payment_fingerprint"]
        assert cards.nunique() < len(ids) / 3


def test_respawns_reuse_their_farms_infrastructure_on_night_two(data: dict[str, pd.DataFrame]) -> None:
    respawns = _group(data, "respawn")
    farms = _group(data, "farm_proxy")
    assert set(respawns) == {g.replace("farm_proxy", "respawn") for g in farms}
    for group, ids in respawns.items():
        farm = farms[group.replace("respawn", "farm_proxy")]
        assert (data["truth"].set_index("account_id").loc[list(ids), "night"] == 2).all()

        def values(frame: str, column: str, members: set[str]) -> pd.Series:
            rows = data[frame][data[frame]["account_id"].isin(members)]
            return rows[column]

        farm_cards = set(values("payments", "payment_fingerprint", farm))
        cards = values("payments", "payment_fingerprint", ids)
        assert cards.isin(farm_cards).mean() >= 0.4, group
        ips = values("sessions", "ip", ids)
        assert set(ips.map(_subnet)) <= set(values("sessions", "ip", farm).map(_subnet))
        assert ips.isin(set(values("sessions", "ip", farm))).mean() >= 0.5
        assert values("sessions", "device_id", ids).isin(set(values("sessions", "device_id", farm))).mean() >= 0.4
        tag = r"Dataset tag (\S+?)\."
        farm_tags = set(values("prompts", "prompt", farm).str.extract(tag)[0].dropna())
        assert set(values("prompts", "prompt", ids).str.extract(tag)[0].dropna()) <= farm_tags


def test_pre_banned_accounts_belong_to_a_farm(data: dict[str, pd.DataFrame]) -> None:
    bans = data["bans"]
    assert len(bans) >= 1 and (bans["batch_night"] == 1).all()
    labels = data["truth"].set_index("account_id").loc[bans["account_id"], "kind"]
    assert (labels == "coordinated").all()


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = text.lower().split()
    return {tuple(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def test_unrelated_benign_prompts_are_not_near_duplicates(data: dict[str, pd.DataFrame]) -> None:
    ids = set().union(*_group(data, "benign_background").values())
    prompts = data["prompts"][data["prompts"]["account_id"].isin(ids)]["prompt"]
    sample = prompts.sample(300, random_state=1).map(_shingles).tolist()
    worst = 0.0
    for i in range(len(sample)):
        for j in range(i + 1, len(sample)):
            union = len(sample[i] | sample[j])
            worst = max(worst, len(sample[i] & sample[j]) / union if union else 0.0)
    assert worst < 0.5
    farm = set().union(*_group(data, "farm_proxy").values())
    farm_prompts = data["prompts"][data["prompts"]["account_id"].isin(farm)]["prompt"].head(50).map(_shingles).tolist()
    similar = np.mean([len(a & b) / len(a | b) for a, b in pairwise(farm_prompts)])
    assert similar > 0.3  # one farm's templated prompts are near-duplicates of each other


def test_scenario_overrides_are_validated() -> None:
    from linkage.errors import ExitCode
    from linkage.scenarios import scenario_from
    from linkage.scenarios.scenario import InvalidScenario

    scenario = scenario_from({"accounts": 800}, ["farm_proxy=0.1", "seed=3"])
    assert (scenario.accounts, scenario.farm_proxy, scenario.seed) == (800, 0.1, 3)
    for bad in (["nope=1"], ["farm_proxy"], ["accounts=10"], ["file_format=xls"]):
        with pytest.raises(InvalidScenario) as info:
            scenario_from({}, bad)
        assert info.value.exit_code == ExitCode.USAGE


def test_more_farm_share_gives_more_coordinated_accounts(tmp_path: Path) -> None:
    base = synthesize(tmp_path / "a", Scenario(accounts=1000, nights=1))
    more = synthesize(tmp_path / "b", Scenario(accounts=1000, nights=1, farm_proxy=0.15))
    assert more.coordinated > base.coordinated + 50
    assert base.accounts == 1000 and more.accounts == 1000


def test_returning_accounts_keep_their_devices_and_clients(data: dict[str, pd.DataFrame]) -> None:
    sessions = data["sessions"][~data["sessions"]["device_id"].eq("dev_malformed")]
    first = sessions[sessions["batch_night"] == 1].groupby("account_id")
    second = sessions[sessions["batch_night"] == 2].groupby("account_id")
    night1_accounts = set(data["accounts"].loc[data["accounts"]["batch_night"] == 1, "account_id"])
    returning = sorted(set(second.groups) & night1_accounts)
    assert len(returning) > 100
    agents1, agents2 = first["user_agent"].agg(set), second["user_agent"].agg(set)
    devices1, devices2 = first["device_id"].agg(set), second["device_id"].agg(set)
    households = set().union(*_group(data, "benign_household").values())  # they switch to a shared laptop
    for account in returning:
        assert agents2[account] <= agents1[account], account
        if account not in households:
            assert devices2[account] == devices1[account], account


def test_every_later_night_brings_about_five_percent_new_accounts(tmp_path: Path) -> None:
    synthesize(tmp_path, Scenario(accounts=5000, nights=4, seed=5))
    accounts = {n: _read(tmp_path / f"night{n}", "accounts")["account_id"] for n in range(1, 5)}
    assert pd.concat(accounts.values()).is_unique  # no account id comes back in a later night's accounts file
    # night 2: respawns, a hackathon of 50-300 and 3% new users; nights 3 and 4: 5% newcomers
    shares = {night: len(accounts[night]) / 5000 for night in (2, 3, 4)}
    assert 0.04 <= shares[2] <= 0.12 and 0.045 <= shares[3] <= 0.055 and 0.045 <= shares[4] <= 0.055, shares
    truth = pd.read_csv(tmp_path / "truth.csv", dtype={"account_id": str})
    assert truth["account_id"].is_unique
    for night, ids in accounts.items():
        assert set(truth.loc[truth["night"] == night, "account_id"]) == set(ids), night
    sessions = {n: _read(tmp_path / f"night{n}", "sessions") for n in (3, 4)}
    for night, frame in sessions.items():  # earlier nights' benign accounts come back
        assert frame["account_id"].isin(accounts[1]).any() and frame["account_id"].isin(accounts[2]).any(), night
