"""The similarity stage against the real database: families, links and features land in the graph, nothing of the
prompt text does, and a template keeps its family id on the next night."""

from __future__ import annotations

import csv
import io
import json
import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from linkage.cli import app
from linkage.graph import Graph
from linkage.settings import Settings
from linkage.similarity.stage import SimilarityResult, run_similarity
from loaders import accepted_prompts, check_prompts

pytestmark = pytest.mark.db

TEST_CYPHER = Path(__file__).parent / "cypher"
TEMPLATE = (
    "Think step by step and show all of your reasoning before you answer. You are an expert tutor in organic "
    "chemistry and thermodynamics for university students. Question: {q} Finally, state the answer clearly on "
    "the last line and double check every step of your work."
)
TOOL = (
    "You are CodePilot, an AI coding assistant inside the editor. Follow the user's instructions carefully, answer "
    "with code in fenced blocks, keep explanations short, never invent APIs and ask when unsure. Task: {q}"
)
SLOT_WORDS = [
    "xylophone",
    "quagmire",
    "blizzard",
    "zucchini",
    "jackal",
    "vortex",
    "pumice",
    "kiwifruit",
    "marzipan",
    "obelisk",
    "sphinx",
    "trombone",
    "dandelion",
    "gargoyle",
    "hurricane",
    "nebula",
]


def _question(rng: random.Random) -> str:
    return " ".join(rng.choices(SLOT_WORDS, k=5)) + f" {rng.randint(100, 999)}?"


def _word(rng: random.Random) -> str:
    return "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=7))


def _batch(folder: Path, seed: int) -> list[str]:
    """A prompts.csv: a ring of 6 accounts on one CoT template, 40 tool users, diverse prompts, and one prompt
    with invalid UTF-8 bytes. Returns the prompt texts written."""
    rng = random.Random(seed)
    rows = [(f"ring-{i % 6}", TEMPLATE.format(q=_question(rng)), 1500) for i in range(60)]
    rows += [(f"tool-{i:02d}", TOOL.format(q=_question(rng)), 200) for i in range(40)]
    rows += [(f"solo-{i}", " ".join(_word(rng) for _ in range(30)), 100) for i in range(20)]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["account_id", "request_id", "ts", "prompt", "model", "input_tokens", "output_tokens"])
    for i, (account, prompt, output) in enumerate(rows):
        writer.writerow([account, f"r{i}", f"2026-11-23T{i // 60:02d}:{i % 60:02d}:00Z", prompt, "m", 10, output])
    data = text.getvalue().encode() + b'odd-1,r999,2026-11-23T05:00:00Z,"caf\xe9 \xff broken",m,1,1\n'
    folder.mkdir(parents=True)
    (folder / "prompts.csv").write_bytes(data)
    return [prompt for _, prompt, _ in rows]


def _stage(graph: Graph, settings: Settings, batch_dir: Path) -> SimilarityResult:
    """The stage on a batch folder's prompts as a run feeds it: validated by the loader, then analysed."""
    with tempfile.TemporaryDirectory() as work:
        check_prompts(settings, batch_dir, Path(work), batch_dir.parent / "rejects")
        prompts = accepted_prompts(Path(work), settings.similarity_chunk_rows)
        return run_similarity(graph, settings, prompts, batch_dir.name)


def test_stage_writes_families_links_and_features_but_no_prompt_text(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    texts = _batch(tmp_path / "2026-11-23", seed=1)
    result = _stage(graph, settings, tmp_path / "2026-11-23")
    assert result.prompts == 121 and result.accounts == 67
    assert result.families == 2 and result.cot_families == 1 and result.largest_family_accounts == 40

    families = {row["accounts"]: row for row in graph.read(TEST_CYPHER / "read_template_families.cypher")}
    assert families[6]["cot"] is True and families[6]["requests"] == 60 and families[6]["weight"] > 0.7
    assert families[40]["cot"] is False and families[40]["weight"] < families[6]["weight"]
    assert families[6]["example"].startswith("think step by step and show all of your reasoning")

    links = graph.read(TEST_CYPHER / "read_similar_prompts.cypher")
    pairs = {(row["account_a"], row["account_b"]) for row in links}
    assert ("ring-0", "ring-5") in pairs and len(pairs) == 15 + sum(1 for a, _ in pairs if a.startswith("tool"))
    ring = [row for row in links if row["account_a"].startswith("ring")]
    assert all(row["source"] == "minhash" and row["score"] > 0.7 for row in ring)
    assert all(row["families"] == [families[6]["family_id"]] for row in ring)
    assert all(row["score"] < ring[0]["score"] for row in links if row["account_a"].startswith("tool"))

    features = {row["account_id"]: row for row in graph.read(TEST_CYPHER / "read_prompt_features.cypher")}
    assert features["ring-0"]["prompt_requests"] == 10 and features["ring-0"]["prompt_cot_share"] == 1.0
    assert features["ring-0"]["prompt_template_concentration"] == 1.0
    assert features["ring-0"]["prompt_mean_output_tokens"] == 1500.0
    assert features["ring-0"]["prompt_output_tokens"] == 15_000
    assert features["odd-1"]["prompt_requests"] == 1 and features["solo-3"]["prompt_cot_share"] == 0.0

    strings: list[str] = []
    for row in graph.read(TEST_CYPHER / "read_all_properties.cypher"):
        value = row["value"]
        strings += (
            [value]
            if isinstance(value, str)
            else [v for v in value if isinstance(v, str)]
            if isinstance(value, list)
            else []
        )
    assert any(s.startswith("tf-") for s in strings)
    for text in strings:
        assert text not in texts and "broken" not in text
        assert not any(word in text for word in SLOT_WORDS), text


def test_a_template_keeps_its_family_id_on_the_next_night(graph: Graph, settings: Settings, tmp_path: Path) -> None:
    _batch(tmp_path / "night-1", seed=1)
    _batch(tmp_path / "night-2", seed=2)
    _stage(graph, settings, tmp_path / "night-1")
    first = {row["accounts"]: row for row in graph.read(TEST_CYPHER / "read_template_families.cypher")}
    _stage(graph, settings, tmp_path / "night-2")
    second = {row["accounts"]: row for row in graph.read(TEST_CYPHER / "read_template_families.cypher")}
    assert len(second) == 2
    assert second[6]["family_id"] == first[6]["family_id"]
    assert second[6]["first_batch"] == "night-1" and second[6]["last_batch"] == "night-2"


def test_cli_similarity_prints_json_counts(graph: Graph, test_env: dict[str, str], tmp_path: Path) -> None:
    _batch(tmp_path / "cli-night", seed=3)
    result = CliRunner().invoke(app, ["similarity", str(tmp_path / "cli-night"), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["batch"] == "cli-night" and payload["families"] == 2 and payload["prompts"] == 121
    missing = CliRunner().invoke(app, ["similarity", str(tmp_path / "nowhere")])
    assert missing.exit_code == 3


def test_running_the_stage_twice_on_one_batch_leaves_the_same_graph(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    _batch(tmp_path / "again", seed=4)
    first = _stage(graph, settings, tmp_path / "again")
    snapshot = sorted(map(repr, graph.read(TEST_CYPHER / "read_all_properties.cypher")))
    second = _stage(graph, settings, tmp_path / "again")
    assert sorted(map(repr, graph.read(TEST_CYPHER / "read_all_properties.cypher"))) == snapshot
    assert second.nodes_created == 0 and second.relationships_created == 0
    assert first.relationships_created > 0


def test_prompts_the_loader_rejects_feed_no_family_and_no_feature(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """A row rejected by validation (here: no timestamp) is in no family, link or feature: the stage reads what the
    loader accepted, not the raw file."""
    _batch(tmp_path / "rejects-night", seed=5)
    bad = [f'ghost-{i % 6},g{i},,"{TEMPLATE.format(q=_question(random.Random(i)))}",m,10,1500\n' for i in range(60)]
    with (tmp_path / "rejects-night" / "prompts.csv").open("a", encoding="utf-8") as out:
        out.writelines(bad)
    result = _stage(graph, settings, tmp_path / "rejects-night")
    assert result.prompts == 121 and result.accounts == 67
    families = {row["accounts"]: row for row in graph.read(TEST_CYPHER / "read_template_families.cypher")}
    assert families[6]["requests"] == 60  # the ring's 60 prompts, not the ghosts' 60 more
    features = {row["account_id"] for row in graph.read(TEST_CYPHER / "read_prompt_features.cypher")}
    assert not any(account.startswith("ghost") for account in features)
    rejects = (tmp_path / "rejects" / "prompts.csv").read_text()
    assert rejects.count("ts is not an ISO-8601 timestamp") == 60


def _model_batch(folder: Path, rows: list[tuple[str, str, str]]) -> None:
    """A prompts.csv of (account, time, model) rows, each with a prompt of its own."""
    rng = random.Random(len(rows))
    folder.mkdir(parents=True)
    with (folder / "prompts.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["account_id", "ts", "prompt", "model", "output_tokens"])
        writer.writerows([account, ts, " ".join(_word(rng) for _ in range(12)), model, 100]
                         for account, ts, model in rows)  # fmt: skip


def test_each_accounts_first_use_of_each_model_stays_the_earliest_and_a_later_one_is_a_switch(
    graph: Graph, settings: Settings, tmp_path: Path
) -> None:
    """x asks m1 on the 20th and takes up m2 on the 22nd: a switch, in the window of the 22nd. y asks m2 within
    hours of its first request: no switch. A later night that asks m1 again changes no first use, and a row
    without a model is no adoption."""
    first_night = [("x", "2026-11-20T00:00:00Z", "m1"), ("y", "2026-11-20T00:00:00Z", "m1"),
                   ("y", "2026-11-20T05:00:00Z", "m2"), ("z", "2026-11-20T01:00:00Z", "")]  # fmt: skip
    _model_batch(tmp_path / "night-a", first_night)
    _model_batch(tmp_path / "night-b", [("x", "2026-11-22T10:00:00Z", "m2"), ("x", "2026-11-22T11:00:00Z", "m1")])
    _stage(graph, settings, tmp_path / "night-a")
    _stage(graph, settings, tmp_path / "night-b")
    rows = graph.read(TEST_CYPHER / "read_adoptions.cypher")
    adopted = {(row["account_id"], row["model"]): row["first_used"] for row in rows}
    assert adopted == {
        ("x", "m1"): "2026-11-20T00:00:00Z",
        ("x", "m2"): "2026-11-22T10:00:00Z",
        ("y", "m1"): "2026-11-20T00:00:00Z",
        ("y", "m2"): "2026-11-20T05:00:00Z",
    }
    day = 86_400
    switches = graph.read("detect/model_switches", window_seconds=day)
    switched_at = int(datetime(2026, 11, 22, 10, tzinfo=UTC).timestamp())
    assert switches == [{"account_id": "x", "model": "m2", "window": switched_at // day}]
