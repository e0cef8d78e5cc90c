"""Analysts' tools on a real run of the example batch: saved queries, explain's numbers against the reasons, the
ban list for machines, pictures, report.html and Neo4j Browser, the last two opened in a real headless Chromium."""

from __future__ import annotations

import io
import json
import re
import shutil
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from PIL import Image, ImageStat
from playwright.sync_api import Browser, ConsoleMessage, Frame, Page, sync_playwright
from typer.testing import CliRunner

from cypher import statement
from linkage.analyst.browser import BrowserServer
from linkage.analyst.queries import list_queries
from linkage.analyst.report import _banlist_rows, write_report
from linkage.cli import app
from linkage.cli.render import _cell
from linkage.graph import Graph
from linkage.nightly import nightly_run
from linkage.settings import Settings
from linkage.vocabulary import EVIDENCE_LABELS, VALUE_KINDS, evidence_labels

pytestmark = pytest.mark.db

EXAMPLE = Path(__file__).parent.parent / "examples" / "batch"
TEST_CYPHER = Path(__file__).parent / "cypher"
PARAM_LINE = re.compile(r"^:param (\w+) => (.+);$")


@pytest.fixture(scope="module")
def night(session_graph: Graph, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example batch run once for the whole module: its output folder (the graph stays as the run left it)."""
    session_graph.reset()
    out = tmp_path_factory.mktemp("night") / "out"
    nightly_run(settings, EXAMPLE, out)
    return out


def cli(test_env: dict[str, str], *args: str) -> Any:
    result = CliRunner().invoke(app, list(args), env={**test_env, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout) if "--json" in args else result


def banlist(night: Path) -> pd.DataFrame:
    frame = pd.read_csv(night / "banlist.csv")
    return frame.assign(reason_records=[json.loads(text) for text in frame["reason_records"]])


# --- saved queries -----------------------------------------------------------------------------------------


def test_every_saved_query_says_how_to_run_it_in_the_browser() -> None:
    """Each header has an Example and one `:param` line per declared parameter, a literal of the declared type."""
    for query in list_queries():
        assert query.example and query.example.startswith(f"linkage query run {query.name}"), query.name
        params = dict(PARAM_LINE.match(line).groups() for line in query.browser_params)  # type: ignore[union-attr]
        assert set(params) == set(query.parameters), query.name
        for name, literal in params.items():
            quoted = literal.startswith("'") and literal.endswith("'")
            assert quoted == (query.parameters[name] == "string"), (query.name, name)


def test_a_table_too_wide_for_the_terminal_prints_records_with_every_id_whole(
    night: Path, test_env: dict[str, str]
) -> None:
    clusters = pd.read_csv(night / "clusters.csv")
    narrow = CliRunner().invoke(app, ["query", "run", "top_clusters"], env={**test_env, "COLUMNS": "80"}).stdout
    assert f"top_clusters (1 of {len(clusters)})" in narrow  # eight columns and a run id do not fit in 80
    assert all(f"│ {value} " in narrow for value in [*clusters["cluster_id"], *clusters["first_seen_run"]])
    wide = CliRunner().invoke(app, ["query", "run", "top_clusters"], env={**test_env, "COLUMNS": "200"}).stdout
    assert "(1 of" not in wide and all(f"│ {run} │" in wide for run in clusters["first_seen_run"])


def test_query_list_is_a_line_or_a_few_per_query_and_verbose_gives_each_header(test_env: dict[str, str]) -> None:
    found = list_queries()
    compact = CliRunner().invoke(app, ["query", "list"], env={**test_env, "COLUMNS": "80"}).stdout
    assert all(f"│ {query.name} " in compact for query in found)  # each name whole, on its own row
    assert len(compact.splitlines()) < 5 * len(found) and "Example" not in compact
    verbose = CliRunner().invoke(app, ["query", "list", "--verbose"], env={**test_env, "COLUMNS": "400"}).stdout
    assert all(query.example and query.example in verbose for query in found)


def _params(night: Path, graph: Graph) -> dict[str, str]:
    """Real values for every parameter the saved queries take, from the run."""
    bans = banlist(night)
    farm = bans[bans["decision"] == "ban"].sort_values("account_id")
    batch = graph.read(
        Path(__file__).parent / "cypher" / "read_first_batch.cypher", account_id=farm["account_id"].iloc[0]
    )
    return {"cluster_id": farm["cluster_id"].iloc[0], "account_id": farm["account_id"].iloc[0],
            "from_account": farm["account_id"].iloc[0], "to_account": "card-borrower", "batch": batch[0]["batch"],
            "max_accounts": "50"}  # fmt: skip


def test_every_saved_query_runs_on_a_real_graph(night: Path, session_graph: Graph, test_env: dict[str, str]) -> None:
    values = _params(night, session_graph)
    session_graph.write(TEST_CYPHER / "add_card_user.cypher", banned=values["account_id"], account_id="card-borrower")
    named: set[str] = set()
    for query in list_queries():
        args = [arg for name in query.parameters for arg in ("-p", f"{name}={values[name]}")]
        rows = cli(test_env, "query", "run", query.name, *args, "--json")
        assert rows, query.name
        for row in rows:  # one vocabulary: a kind is named as the reasons name it, never by a label or a link type
            listed = [row.get(column) for column in ("kinds", "evidence_kinds")]
            kinds = [row.get("kind"), row.get("reached_by"), *(k for ks in listed if isinstance(ks, list) for k in ks)]
            named |= {kind for kind in kinds if isinstance(kind, str)}
    assert {"payment", "network", "template"} <= named <= {*EVIDENCE_LABELS, "account"}
    neighbours = cli(test_env, "query", "run", "banned_neighbours", "--json")
    assert [row["account_id"] for row in neighbours] == ["card-borrower"]
    path = cli(test_env, "query", "run", "evidence_path", "-p", f"from_account={values['account_id']}", "-p",
               "to_account=card-borrower", "--json")  # fmt: skip
    assert [(step["kind"], step["reached_by"]) for step in path] == [
        ("account", None), ("payment", "payment"), ("account", "payment")]  # fmt: skip
    assert path[0]["value"] == values["account_id"] and path[-1]["value"] == "card-borrower"
    # an account that is none is one error wherever it is named, with the accounts after it and a few banned ones
    bans = banlist(night).query("decision == 'ban'")["account_id"].sort_values()
    named = (["query", "run", "evidence_path", "-p", "from_account=farm-01", "-p", "to_account=farm-007"],
             ["query", "run", "account_neighbours", "-p", "account_id=farm-007"], ["explain", "farm-007"])  # fmt: skip
    for command in named:
        result = CliRunner().invoke(app, command, env=test_env)
        assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.output, command
        assert result.stderr.startswith(
            "error: No account 'farm-007' in the graph ("
        ) and "next in order: farm-01, " in (result.stderr), result.stderr
        assert f"banned: {', '.join(bans[:3])})." in result.stderr


def test_query_run_says_no_rows_and_show_prints_what_the_browser_takes(night: Path, test_env: dict[str, str]) -> None:
    # a cluster that is none is the same error wherever it is named (a query, a picture), with the ids that exist
    commands = (["query", "run", "cluster_members", "-p", "cluster_id=C-9999"], ["picture", "C-9999", "-o", "x.png"])
    unknown = [CliRunner().invoke(app, command, env=test_env) for command in commands]
    for result in unknown:
        assert result.exit_code == 1 and result.stdout == "" and "Traceback" not in result.output
        assert result.stderr == "error: No cluster 'C-9999' in the graph (1 in all; nearest: C-0001).\n"
    # a batch is name@digest: its name alone finds no rows, and says which batch it may have meant
    by_name = CliRunner().invoke(app, ["query", "run", "respawn_candidates", "-p", "batch=batch"], env=test_env)
    assert by_name.exit_code == 1 and "No batch 'batch' in the graph (1 in all; nearest: batch@" in by_name.stderr
    example = CliRunner().invoke(app, ["query", "run", "respawn_candidates", "-p", "batch=batch@d4d8b6489e5d"],
                                 env=test_env)  # the header's example names the example batch's id  # fmt: skip
    assert example.exit_code == 0 and "No batch" not in example.output
    missing = CliRunner().invoke(app, ["query", "run", "evidence_path", "-p", "from_account=a"], env=test_env)
    assert missing.exit_code == 2 and "to_account" in missing.output and "Traceback" not in missing.output
    shown = cli(test_env, "query", "show", "evidence_path").stdout
    assert shown.startswith(":param from_account => 'farm-01';\n:param to_account => 'farm-02';\n")
    assert statement("analyst/evidence_path") in shown


# --- explain, reasons, ban list --------------------------------------------------------------------------


def test_explain_is_ready_for_sign_off(night: Path, test_env: dict[str, str]) -> None:
    """A ban's reasons are the ban list's records; the values they cite come first, then the others by weight;
    times to the second; ids whole in a terminal of 80 columns (an account with no decision of its own in a
    cluster's community: tests/test_detect.py)."""
    bans = banlist(night)
    row = bans[bans["decision"] == "ban"].iloc[0]
    explained = cli(test_env, "explain", row["account_id"], "--json")
    assert explained["reasons"] == row["reason_records"] and explained["score"] == row["score"]
    cited = {record["value"] for record in row["reason_records"] if record["kind"] in VALUE_KINDS}
    values = [item["value"] for item in explained["shared"]]
    assert cited and set(values[: len(cited)]) == cited
    weights = [item["weight"] or 0.0 for item in explained["shared"][len(cited) :]]
    assert weights == sorted(weights, reverse=True)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)", explained["created_at"])
    assert explained["cluster_bans"] == int(
        ((bans["cluster_id"] == row["cluster_id"]) & (bans["decision"] == "ban")).sum()
    )
    text = CliRunner().invoke(app, ["explain", row["account_id"]], env={**test_env, "COLUMNS": "80"}).stdout
    assert all(value in text for value in values if value) and "1. " + row["reason_records"][0]["sentence"][:40] in text


def test_explain_counts_match_the_reasons(night: Path, test_env: dict[str, str]) -> None:
    """Every value a ban's reasons cite shows in explain with the same members and total, and the same weight as
    the saved queries give it (a family's weight is one figure wherever shown)."""
    bans = banlist(night)
    for row in bans[bans["decision"] == "ban"].head(4).to_dict("records"):
        explained = cli(test_env, "explain", row["account_id"], "--json")
        shared = {item["value"]: item for item in explained["shared"]}
        cited = [r for r in row["reason_records"] if r["kind"] in VALUE_KINDS]
        assert cited
        for record in cited:
            value = shared[record["value"]]
            assert (value["shared_in_cluster"], value["accounts"]) == (record["members"], record["total"]), record
            assert record["sentence"].startswith(f"shares {value['kind']} {record['value']} with {record['members']}")
    families = cli(test_env, "query", "run", "template_families", "--json")
    infrastructure = cli(test_env, "query", "run", "cluster_infrastructure", "-p",
                         f"cluster_id={bans['cluster_id'].iloc[0]}", "--json")  # fmt: skip
    by_family = {row["family_id"]: row for row in families}
    for row in infrastructure:
        if row["kind"] == "USES_TEMPLATE":
            family = by_family[row["value"]]
            assert (family["weight"], family["accounts"]) == (row["weight"], row["accounts_in_all"])


def test_banlist_for_machines_in_three_formats(night: Path, test_env: dict[str, str], tmp_path: Path) -> None:
    tonight = banlist(night)
    for file_format in ("csv", "json", "parquet"):
        path = tmp_path / f"bans.{file_format}"
        exported = cli(test_env, "banlist", "--format", file_format, "-o", str(path), "--json")
        assert exported["rows"] == len(tonight) and exported["file_format"] == file_format
        frame = {"csv": pd.read_csv, "json": pd.read_json, "parquet": pd.read_parquet}[file_format](path)
        records = frame["reason_records"].map(json.loads) if file_format == "csv" else frame["reason_records"]
        assert set(frame["account_id"]) == set(tonight["account_id"])
        for sentences, found in zip(frame["reasons"], records, strict=True):
            found = [dict(r) for r in found]
            assert sentences == "; ".join(r["sentence"] for r in found)
            assert {"kind", "value", "members", "total", "weight", "values", "sentence"} == set(found[0])
    run = json.loads((night / "run.json").read_text())
    assert {key: Path(value).name for key, value in run["outputs"].items() if value} == {
        "banlist": "banlist.csv", "clusters": "clusters.csv", "run": "run.json", "report": "report.html",
        "rejects": "rejects"}  # fmt: skip
    assert all(Path(value).exists() for value in run["outputs"].values() if value)


def test_browser_on_a_taken_port_says_so_in_one_line(test_env: dict[str, str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["browser", "--port", str(port)], env=test_env)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.splitlines() == [f"error: Cannot serve Neo4j Browser on 127.0.0.1:{port} (Address already in "
                                          "use): give another --port, or none for any free one."]  # fmt: skip


def test_tables_print_booleans_and_ids_as_words() -> None:
    assert (_cell(True, "allowlisted"), _cell(False, "x"), _cell(3311, "community"), _cell(3311, "run_id")) == (
        "yes", "no", "3311", "3311")  # fmt: skip
    assert _cell(3311, "accounts") == "3,311" and _cell(["a", "b"], "kinds") == "a, b"


def test_cli_version_exit_codes_and_option_help(test_env: dict[str, str]) -> None:
    assert re.fullmatch(r"linkage \d+\.\d+\.\d+\n", cli(test_env, "--version").stdout)
    top = cli(test_env, "--help").stdout
    assert "Exit codes: 0 success, 1 an expected failure" in top and "4 database unavailable" in top
    browser = cli(test_env, "browser", "--help").stdout
    assert "LINKAGE_BROWSER_PORT" in browser and "default: 0" in browser  # any free port: 7474 is a real Neo4j's
    assert "[default: (out/banlist.FORMAT)]" in cli(test_env, "banlist", "--help").stdout
    assert "LINKAGE_MAX_REJECT_RATE, else 0.05" in cli(test_env, "run", "--help").stdout  # not eaten as markup


# --- pictures, the report, Neo4j Browser, in a real browser ----------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    executable = shutil.which("chromium")
    assert executable, "Chromium is missing: apt-get install -y chromium (.ci/run does)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield browser
        browser.close()


def _open(chromium: Browser, url: str) -> tuple[Page, list[str]]:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    return page, errors


def test_the_reports_table_holds_reviews_first_and_at_most_its_cap(
    night: Path, session_graph: Graph, tmp_path: Path
) -> None:
    decisions = pd.DataFrame(
        {
            "account_id": ["a", "b", "c", "d"],
            "decision": ["ban", "review", "ban", "review"],
            "score": [0.9, 0.5, 0.8, 0.4],
        }
    ).assign(cluster_id="C-1", reasons="x", reason_records=[[] for _ in range(4)])
    assert [row["account_id"] for row in _banlist_rows(decisions, 3)] == ["b", "d", "a"]
    capped = tmp_path / "night"
    shutil.copytree(night, capped)
    clusters = pd.read_csv(capped / "clusters.csv")  # as written before bans and reviews were columns of their own
    clusters.drop(columns=["bans", "reviews"]).to_csv(capped / "clusters.csv", index=False)
    write_report(session_graph, capped, top=1, table_rows=2)
    html = (capped / "report.html").read_text()
    first = clusters.iloc[0]
    assert f"{first['cluster_id']}: {first['bans']:,} banned, {first['reviews']:,} in review" in html
    embedded = re.search(r'<script type="application/json" id="banlist-data">(.*?)</script>', html, re.S)
    assert embedded and len(json.loads(embedded.group(1))) == 2
    assert f"This page holds 2 of the {len(banlist(night)):,} decisions" in html
    assert 'id="banlist-cap"' not in (night / "report.html").read_text()  # under the cap: no notice


def _spread(page: Page) -> float:
    """The standard deviation of a screenshot's grey levels: about 0 for a blank page."""
    return float(ImageStat.Stat(Image.open(io.BytesIO(page.screenshot())).convert("L")).stddev[0])


PICTURE_BYTES = 2_000_000  # neo4j-viz's script and style sheet, inlined in every picture, are 4.4 MB as they come
# NVL's own test hooks: where each node is drawn, in CSS pixels of the view, once the nodes stop moving (the layout
# and the fit that follows it; two looks half a second apart agree)
NODES_STILL = """() => {
  const nodes = window.__Nvl_dumpNodes?.() ?? [];
  const seen = JSON.stringify(nodes.map((node) => [Math.round(node.x), Math.round(node.y)]));
  const still = nodes.length > 0 && seen === window.__nodesSeen;
  window.__nodesSeen = seen;
  return still;
}"""
NODES_DRAWN = """() => ({
  nodes: window.__Nvl_dumpNodes().map((node) => [node.x, node.y, node.size]),
  scale: window.__Nvl_getZoomLevel() / window.devicePixelRatio,
  width: window.innerWidth,
  height: window.innerHeight,
})"""


def _opens_fitted(frame: Frame, name: str) -> None:
    """The picture opens as its "zoom to fit" button leaves it: every node drawn inside the view, and the nodes'
    bounding box centred on it (within 2% of its size; fitted without panning, it sat where the layout left it)."""
    frame.wait_for_function(NODES_STILL, polling=500, timeout=60_000)
    drawn = frame.evaluate(NODES_DRAWN)
    width, height, scale = drawn["width"], drawn["height"], drawn["scale"]
    for x, y, size in drawn["nodes"]:
        r = size * scale  # a node's size is its radius
        assert r <= x <= width - r and r <= y <= height - r, (name, x, y, r, width, height)
    xs, ys = [node[0] for node in drawn["nodes"]], [node[1] for node in drawn["nodes"]]
    off_centre = ((min(xs) + max(xs) - width) / 2, (min(ys) + max(ys) - height) / 2)
    assert abs(off_centre[0]) <= width / 50 and abs(off_centre[1]) <= height / 50, (name, off_centre, width, height)


def test_report_opens_offline_with_charts_pictures_and_a_searchable_banlist(
    night: Path, chromium: Browser, test_env: dict[str, str]
) -> None:
    report = night / "report.html"
    html = report.read_text()
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=\"http", html)
    page, errors = _open(chromium, report.as_uri())
    page.wait_for_selector("#chart-clusters .main-svg")
    assert page.locator(".plotly-graph-div").count() == 3
    bans = banlist(night)
    rows = page.locator("#banlist-table tbody tr")
    assert rows.count() == len(bans)
    page.fill("#banlist-search", "farm-07")
    assert rows.count() == 1 and rows.first.locator("td").first.inner_text() == "farm-07"
    labels = {label for records in bans["reason_records"] for label in evidence_labels(records)}
    assert {"payment method", "harvest"} <= labels  # the chart's words: the search finds each, shown as a chip
    for label in labels:
        page.fill("#banlist-search", label)
        assert rows.count() > 0 and label in rows.first.locator(".chip").all_inner_texts(), label
    page.fill("#banlist-search", "")
    page.click("#banlist-table th[data-key=account_id]")
    page.click("#banlist-table th[data-key=account_id]")  # descending
    assert rows.first.locator("td").first.inner_text() == max(bans["account_id"])
    clusters = pd.read_csv(night / "clusters.csv")
    counts = pd.crosstab(bans["cluster_id"], bans["decision"]).reindex(columns=["ban", "review"], fill_value=0)
    for row in clusters.to_dict("records"):  # its decided members, three numbers apart from its whole community
        assert [row["bans"], row["reviews"]] == counts.loc[row["cluster_id"]].tolist()
        heading = page.locator(f"#cluster-{row['cluster_id']} h3").inner_text()
        assert heading.startswith(f"{row['cluster_id']}: {row['bans']:,} banned, {row['reviews']:,} in review "
                                  f"(community of {row['size']:,}), score ")  # fmt: skip
    events = page.locator("#cluster-events tbody tr").all_inner_texts()
    assert sorted(row.split("\t")[:2] for row in events) == sorted(["new", c] for c in clusters["cluster_id"])
    rejects = page.locator("#rejects tbody").inner_text()
    assert re.search(r"payments\t325\t([1-9]\d*)\t", rejects) and "rejects/payments.csv" in rejects
    read, rejected, used = re.search(r"prompts\t([\d,]+)\t([\d,]+)\t([\d,]+)", rejects).groups()  # type: ignore[union-attr]
    assert int(used.replace(",", "")) == int(read.replace(",", "")) - int(rejected.replace(",", "")) > 0
    picture = page.locator("iframe").first
    picture.scroll_into_view_if_needed()
    frame = picture.element_handle().content_frame()
    assert frame is not None
    frame.locator("canvas").first.wait_for(timeout=60_000)
    _opens_fitted(frame, "the report's picture")
    assert _spread(page) > 20
    assert errors == []
    pictures = list((night / "pictures").glob("*.html"))
    assert pictures and all(path.stat().st_size < PICTURE_BYTES for path in pictures), pictures

    rebuilt = cli(test_env, "report", str(night), "--json")
    assert rebuilt["bytes"] > 1_000_000 and len(rebuilt["pictures"]) == 1
    gone = CliRunner().invoke(app, ["report", str(night / "nowhere")], env=test_env)
    assert gone.exit_code == 1 and "run.json" in gone.output and "Traceback" not in gone.output


def test_report_banlist_filters_by_decision_kind_and_cluster_and_opens_a_row_for_its_sentences(
    night: Path, chromium: Browser
) -> None:
    page, errors = _open(chromium, (night / "report.html").as_uri())
    bans = banlist(night)
    rows = page.locator("#banlist-table tbody tr.decision")
    table = page.locator("#banlist-table").bounding_box()
    # a line or two per decision, its sentences folded away (with them each decision took about 170 px)
    assert table and table["height"] < 60 * (len(bans) + 1)
    decision, kind, cluster = (page.get_by_label(name, exact=True) for name in ("decision", "evidence", "cluster"))
    for value in ("ban", "review"):
        decision.select_option(value)
        assert rows.count() == (bans["decision"] == value).sum(), value
    decision.select_option("")
    labels = [evidence_labels(records) for records in bans["reason_records"]]
    for label in EVIDENCE_LABELS.values():  # every kind is offered, those no decision has tonight with none
        kind.select_option(label)
        assert rows.count() == sum(label in found for found in labels), label
        assert all(label in row.locator(".chip").all_inner_texts() for row in rows.all()), label
    kind.select_option("")
    for cluster_id, decided in bans["cluster_id"].value_counts().items():
        cluster.select_option(str(cluster_id))
        assert rows.count() == decided
    account = bans.dropna(subset=["cluster_id"]).iloc[0]
    cluster.select_option(account["cluster_id"])
    page.fill("#banlist-search", account["account_id"])  # the search and the filters all hold
    assert rows.count() == 1 and page.locator("#banlist-count").inner_text().startswith(f"1 of {len(bans)} ")
    decision.select_option("ban" if account["decision"] == "review" else "review")
    assert rows.count() == 0
    decision.select_option(account["decision"])
    toggle = rows.first.get_by_role("button", name=account["account_id"])
    toggle.click()
    sentences = page.locator("#banlist-table tr.reasons li")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert "; ".join(sentences.all_inner_texts()) == account["reasons"] and sentences.count() > 1
    toggle.press("Enter")  # the keyboard folds it again
    assert toggle.get_attribute("aria-expanded") == "false" and sentences.count() == 0
    assert errors == []


def test_pictures_are_interactive_pages_with_a_legend(
    night: Path, chromium: Browser, test_env: dict[str, str], tmp_path: Path
) -> None:
    bans = banlist(night)
    cluster, account = bans["cluster_id"].iloc[0], "farm-03"
    drawn = cli(test_env, "picture", cluster, "-o", str(tmp_path / "cluster.html"), "--max-accounts", "4", "--json")
    assert drawn["accounts"] == 4 and drawn["notice"].startswith("showing the most connected part: 4 of")
    explained = cli(test_env, "explain", account, "--picture", str(tmp_path / "account.html"))
    assert "Account farm-03 drawn in" in explained.stderr
    for name, caption in (("cluster.html", "most connected part"), ("account.html", "account farm-03")):
        assert (tmp_path / name).stat().st_size < PICTURE_BYTES, name
        page, errors = _open(chromium, (tmp_path / name).as_uri())
        page.locator("canvas").first.wait_for(timeout=60_000)
        page.get_by_text(caption).first.wait_for(timeout=30_000)
        _opens_fitted(page.main_frame, name)
        assert _spread(page) > 5 and errors == [], name


def test_linkage_browser_serves_neo4j_browser_connected_to_the_database(
    night: Path, chromium: Browser, settings: Settings
) -> None:
    with BrowserServer(settings, 0) as server:
        info = server.info
        assert info.url.startswith("http://127.0.0.1:") and f"%3A{settings.localdb.port}" in info.url
        assert info.bolt == settings.uri
        secret = settings.auth()
        assert secret is None or secret[1] not in info.url
        base = info.url.split("/browser/")[0]
        discovery = urllib.request.Request(base + "/", headers={"Accept": "application/json"})
        with urllib.request.urlopen(discovery, timeout=10) as answer:
            assert json.load(answer)["bolt_direct"] == settings.uri
        page, _ = _open(chromium, info.url)
        assert page.title().endswith("Neo4j Browser")
        if secret is not None:  # authentication on: the form asks for the password, never given in the address
            page.get_by_test_id("connect").wait_for(timeout=60_000)
            page.fill("input[data-testid=password]", secret[1])
            page.get_by_test_id("connect").click()
        page.get_by_text("Connected to Neo4j").first.wait_for(timeout=120_000)
