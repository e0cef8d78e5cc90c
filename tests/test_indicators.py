"""Indicators in STIX 2.1: every bundle passes stix2-validator without a warning, nothing personal leaves, a bundle
round-trips into an empty database and marks the values it names there, importing twice changes nothing, and an
invalid bundle is refused with nothing written."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from stix2validator import ValidationOptions, validate_instance
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.share.import_ import InvalidBundle, partner_reports, read_bundle
from linkage.share.keys import keyed
from linkage.share.stix import LINKAGE_EXTENSION, SharedCluster, Tlp, bundle

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
TEST_CYPHER = Path(__file__).parent / "cypher"
SHARE_KEY = "partners-agreed-key-not-secret"
PLANTED_EMAIL = "planted.farmer@example.org"
PLANTED_CARD = "4539 1488 0343 6467"
DAY = datetime(2026, 11, 23, tzinfo=UTC)


def _cluster(**changes: Any) -> SharedCluster:
    values: dict[str, Any] = {
        "cluster_id": "C-0001",
        "confidence": 93,
        "first_seen": DAY,
        "last_seen": DAY.replace(day=24),
        "banned_accounts": 12,
        "community_size": 14,
        "evidence": ["device", "network", "payment", "template"],
        "addresses": {"45.141.215.10": 90, "45.141.215.0/24": 88, "2a0d:5600:24::7": 60, "2a0d:5600:24::/48": 55},
        "payment_hashes": keyed(["fp_prepaid_77"], SHARE_KEY.encode()),
        "template_hashes": keyed(["tf-0123456789ab"], SHARE_KEY.encode()),
    }
    return SharedCluster(**{**values, **changes})


def assert_valid_without_warnings(document: dict[str, Any]) -> None:
    """stix2-validator, strict (a warning is an error), finds nothing to say."""
    results = validate_instance(document, ValidationOptions(strict=True))
    assert results.is_valid, [str(error) for error in results.errors]
    assert not results.errors and not results.warnings


@pytest.mark.parametrize("tlp", list(Tlp))
def test_a_bundle_passes_the_validator_without_a_warning(tlp: Tlp) -> None:
    document = bundle([_cluster(), _cluster(cluster_id="C-0002", addresses={}, account_ids=["a-1"])], "Lab A", tlp)
    assert_valid_without_warnings(document)
    assert not any(key.startswith("x_") for obj in document["objects"] for key in obj)
    types = [obj["type"] for obj in document["objects"]]
    assert types.count("campaign") == 2 and types.count("infrastructure") == 1 and types.count("indicator") == 4
    expected = {"identity", "attack-pattern", "marking-definition", "extension-definition", "ipv4-addr", "ipv6-addr"}
    assert expected <= set(types)
    marking = next(obj for obj in document["objects"] if obj["type"] == "marking-definition")
    assert marking["id"] == tlp.marking_id and marking["name"] == f"TLP:{tlp.value.upper()}"
    technique = next(obj for obj in document["objects"] if obj["type"] == "attack-pattern")
    assert technique["external_references"][0]["external_id"] == "AML.T0024"
    patterns = sorted(obj["pattern"] for obj in document["objects"] if obj["type"] == "indicator")
    assert "[ipv4-addr:value ISSUBSET '45.141.215.0/24']" in patterns
    assert bundle([_cluster()], "Lab A", tlp)["id"] == bundle([_cluster()], "Lab A", tlp)["id"]  # stable ids


def test_a_cluster_whose_bans_share_no_card_or_family_leaves_those_lists_out() -> None:
    """STIX allows no empty list: a camouflaged farm's bans may share no card, a drip farm's no template family."""
    document = bundle([_cluster(payment_hashes=[], template_hashes=[], evidence=[])], "Lab A", Tlp.AMBER)
    assert_valid_without_warnings(document)
    campaign = next(obj for obj in document["objects"] if obj["type"] == "campaign")
    extension = campaign["extensions"][LINKAGE_EXTENSION]
    assert not {"payment_hashes", "template_hashes", "evidence"} & set(extension)
    assert partner_reports(document)[0]["payment_hashes"] == []


def test_partner_reports_read_back_what_a_bundle_says(tmp_path: Path) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle([_cluster()], "Lab A", Tlp.GREEN)))
    [report] = partner_reports(read_bundle(path))
    assert report["source"] == "Lab A" and report["marking"] == "TLP:GREEN" and report["confidence"] == 93
    assert report["ips"] == ["2a0d:5600:24::7", "45.141.215.10"]
    assert report["subnets"] == ["2a0d:5600:24::/48", "45.141.215.0/24"]
    assert report["payment_hashes"] == keyed(["fp_prepaid_77"], SHARE_KEY.encode())
    assert report["banned_accounts"] == 12


def test_a_bundle_the_validator_refuses_names_its_first_error(tmp_path: Path) -> None:
    document = bundle([_cluster()], "Lab A", Tlp.AMBER)
    campaign = next(obj for obj in document["objects"] if obj["type"] == "campaign")
    campaign["confidence"] = 150
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(document))
    with pytest.raises(InvalidBundle, match=r"fails STIX 2\.1 validation: .*150"):
        read_bundle(path)
    path.write_text("{not json")
    with pytest.raises(InvalidBundle, match="is not JSON"):
        read_bundle(path)


# --- against the database -----------------------------------------------------------------------------------


def _planted_batch(folder: Path) -> Path:
    """The example batch with a farm account's e-mail replaced by a planted one and a raw card number among its
    payments (the loader rejects that row; neither may reach a bundle)."""
    shutil.copytree(EXAMPLE, folder)
    accounts = pd.read_csv(folder / "accounts.csv", dtype=str, keep_default_na=False)
    accounts.loc[accounts["account_id"] == "farm-01", "email"] = PLANTED_EMAIL
    accounts.to_csv(folder / "accounts.csv", index=False)
    payments = pd.read_csv(folder / "payments.csv.gz", dtype=str, keep_default_na=False)
    planted = {**payments.iloc[0].to_dict(), "account_id": "farm-02", "payment_fingerprint": PLANTED_CARD}
    pd.concat([payments, pd.DataFrame([planted])]).to_csv(folder / "payments.csv.gz", index=False)
    return folder


def _invoke(env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result


def _marked(graph: Graph) -> set[tuple[str, str]]:
    return {(row["label"], row["value"]) for row in graph.read("share/reported_values", report_ids=None)}


@pytest.mark.db
def test_a_nights_bans_round_trip_into_an_empty_database_and_mark_its_values(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """One database runs a night and exports its bans; emptied (the second database), it imports the bundle (nothing
    to mark yet), runs the night's batch and imports again: the farm's addresses, subnet, cards and template family
    are marked by the partner's report. A third import changes nothing."""
    env = {**test_env, "LINKAGE_SHARE_KEY": SHARE_KEY}
    batch = _planted_batch(tmp_path / "batch")
    _invoke(env, "run", str(batch), "--output", str(tmp_path / "out"))
    exported = _invoke(env, "indicators", "export", "-o", str(tmp_path / "bundle.json"), "--json")
    assert exported["campaigns"] == 1 and exported["indicators"] > 0 and exported["tlp"] == "amber"
    text = (tmp_path / "bundle.json").read_text()
    document = json.loads(text)
    assert_valid_without_warnings(document)

    accounts = pd.read_csv(batch / "accounts.csv", dtype=str, keep_default_na=False)
    for secret in [PLANTED_EMAIL, "planted.farmer", PLANTED_CARD, PLANTED_CARD.replace(" ", ""), "fp_prepaid_77"]:
        assert secret not in text
    assert not any(email and email in text for email in accounts["email"])
    assert not any(f'"{account}"' in text for account in accounts["account_id"])
    campaign = next(obj for obj in document["objects"] if obj["type"] == "campaign")
    extension = campaign["extensions"][LINKAGE_EXTENSION]
    assert keyed(["fp_prepaid_77"], SHARE_KEY.encode())[0] in extension["payment_hashes"]
    assert campaign["confidence"] >= 90 and extension["banned_accounts"] == 12

    ids_args = ["-o", str(tmp_path / "ids.json"), "--include-account-ids", "--cluster", extension["cluster_id"]]
    with_ids = _invoke(env, "indicators", "export", *ids_args, "--tlp", "red", "--json")
    ids_document = json.loads((tmp_path / "ids.json").read_text())
    assert_valid_without_warnings(ids_document)
    assert with_ids["tlp"] == "red" and '"farm-01"' in (tmp_path / "ids.json").read_text()
    assert PLANTED_EMAIL not in (tmp_path / "ids.json").read_text()

    graph.reset()
    empty = _invoke(env, "indicators", "import", str(tmp_path / "bundle.json"), "--json")
    assert empty["reports"] == 1 and empty["new_reports"] == 1 and sum(empty["marked"].values()) == 0

    _invoke(env, "run", str(batch), "--output", str(tmp_path / "second"))
    again = _invoke(env, "indicators", "import", str(tmp_path / "bundle.json"), "--json")
    assert again["new_reports"] == 0
    marked = _marked(graph)
    assert {("PaymentMethod", "fp_prepaid_77"), ("Subnet", "45.141.215.0/24"), ("IP", "45.141.215.10")} <= marked
    assert any(label == "TemplateFamily" for label, _ in marked)
    [report] = graph.read("share/reported_values", report_ids=[campaign["id"]])[:1]
    assert report["source"] == "linkage" and report["marking"] == "TLP:AMBER"
    assert report["confidence"] == campaign["confidence"]

    snapshot = sorted(map(repr, graph.read(TEST_CYPHER / "read_all_properties.cypher")))
    third = _invoke(env, "indicators", "import", str(tmp_path / "bundle.json"), "--json")
    assert third == again
    assert sorted(map(repr, graph.read(TEST_CYPHER / "read_all_properties.cypher"))) == snapshot


@pytest.mark.db
def test_an_invalid_bundle_is_refused_and_nothing_is_written(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**test_env, "LINKAGE_SHARE_KEY": SHARE_KEY}
    document = bundle([_cluster()], "Lab A", Tlp.AMBER)
    indicator = next(obj for obj in document["objects"] if obj["type"] == "indicator")
    del indicator["pattern"]
    (tmp_path / "broken.json").write_text(json.dumps(document))
    before = sorted(map(repr, graph.read(TEST_CYPHER / "read_all_properties.cypher")))
    result = CliRunner().invoke(app, ["indicators", "import", str(tmp_path / "broken.json")], env=env)
    assert result.exit_code == 3, result.output
    assert "fails STIX 2.1 validation" in result.output and "pattern" in result.output
    assert "Traceback" not in result.output
    assert sorted(map(repr, graph.read(TEST_CYPHER / "read_all_properties.cypher"))) == before


@pytest.mark.db
def test_export_without_a_share_key_or_bans_is_a_clear_error(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    no_key = CliRunner().invoke(app, ["indicators", "export", "-o", str(tmp_path / "b.json")], env=test_env)
    assert no_key.exit_code == 2 and "LINKAGE_SHARE_KEY" in no_key.output
    same = {**test_env, "LINKAGE_SHARE_KEY": test_env["LINKAGE_HASH_KEY"]}
    internal = CliRunner().invoke(app, ["indicators", "export", "-o", str(tmp_path / "b.json")], env=same)
    assert internal.exit_code == 2 and "must differ" in internal.output
    env = {**test_env, "LINKAGE_SHARE_KEY": SHARE_KEY}
    nothing = CliRunner().invoke(app, ["indicators", "export", "-o", str(tmp_path / "b.json")], env=env)
    assert nothing.exit_code == 1 and "No run has finished" in nothing.output
    assert not (tmp_path / "b.json").exists()


@pytest.mark.db
def test_a_night_marks_the_values_a_report_names_that_it_brought_and_says_when_it_lacks_the_share_key(
    graph: Graph, test_env: dict[str, str], tmp_path: Path
) -> None:
    """A partner's report on the example farm's proxies and card is imported into an empty database; the night that
    brings them marks them (no second import) and the farm's bans name the partner. A night without the share key
    marks the addresses only, and its notes say why."""
    document = bundle([_cluster()], "Lab A", Tlp.AMBER)
    (tmp_path / "bundle.json").write_text(json.dumps(document))
    _invoke({**test_env, "LINKAGE_SHARE_KEY": SHARE_KEY}, "indicators", "import", str(tmp_path / "bundle.json"))
    assert not _marked(graph)

    _invoke(test_env, "run", str(EXAMPLE), "--output", str(tmp_path / "keyless"))
    assert {label for label, _ in _marked(graph)} == {"IP", "Subnet"}
    notes = json.loads((tmp_path / "keyless" / "run.json").read_text())["notes"]
    assert any("LINKAGE_SHARE_KEY is not set" in note for note in notes)

    _invoke({**test_env, "LINKAGE_SHARE_KEY": SHARE_KEY}, "run", str(EXAMPLE), "--output", str(tmp_path / "keyed"))
    assert ("PaymentMethod", "fp_prepaid_77") in _marked(graph)
    banlist = pd.read_csv(tmp_path / "keyed" / "banlist.csv")
    farm = banlist[banlist["account_id"].str.startswith("farm-")]
    assert len(farm) == 12 and farm["reasons"].str.contains("reported by partner Lab A in Distillation network").all()
    run = json.loads((tmp_path / "keyed" / "run.json").read_text())
    assert run["detection"]["partner_hashes_matched"] and not run["notes"]
