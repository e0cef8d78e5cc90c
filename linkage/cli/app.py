"""The `linkage` command line: each command parses its options and calls one library function.

The libraries a command uses are imported in the command, so that `--help`, `--version` and a usage error answer at
once (pandas, the driver, GDS and numba take seconds to load)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from linkage import nightly
from linkage.analyst import MAX_ACCOUNTS
from linkage.cli import render
from linkage.errors import EXIT_CODES_HELP, ExitCode, LinkageError
from linkage.nightly.formats import BanlistFormat, SimilarityEngine
from linkage.signals import Stopped, raise_if_received, received, stop_on_signals
from localdb import LocalDbError

if TYPE_CHECKING:
    from linkage.settings import Settings

app = typer.Typer(
    name="linkage",
    help="Find coordinated fake-account networks in Neo4j with Graph Data Science. Settings come from LINKAGE_* and "
    "NEO4J_* environment variables (README: Configuration).",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="The database: the local Neo4j + GDS, or the server NEO4J_URI names.", no_args_is_help=True)
app.add_typer(db_app, name="db")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of a table.")]


def _share(value: float | None) -> float | None:
    if value is not None and not 0.0 <= value <= 1.0:  # also NaN
        raise typer.BadParameter(f"{value} is not a share between 0 and 1.")
    return value


RejectRateOption = Annotated[
    float | None,
    typer.Option(
        callback=_share,
        help="Fail, writing nothing, when more than this share of a file's rows is bad (default: "
        "LINKAGE_MAX_REJECT_RATE, else 0.05).",
    ),
]  # fmt: skip


@contextmanager
def expected_failures() -> Iterator[None]:
    """Turn the failures a user can fix into one clear line on stderr and an exit code, never a traceback."""
    try:
        yield
    except (LinkageError, LocalDbError) as exc:
        raise_if_received()  # the signal cut a connection or a write short: the stop is the news, not the error
        render.error(str(exc))
        code = exc.exit_code if isinstance(exc, LinkageError) else ExitCode.DATABASE
        raise typer.Exit(code=int(code)) from None


def main() -> None:
    """The `linkage` entry point: the commands, with SIGTERM and SIGHUP ending one as Ctrl-C does (the lock given
    back, temporary files and GDS projections removed), one line and exit code 128 + the signal's number."""
    stop_on_signals()
    try:
        app(prog_name="linkage")
    except (Stopped, Exception):
        # Stopped, or what it broke on the way out: a signal that cut the driver short mid-message makes the driver's
        # own cleanup of that connection fail (a BufferError from its half-read buffer), after which every cleanup
        # of linkage's runs all the same (each in a `finally`, on a connection of its own)
        stop = received()
        if stop is None:
            raise
        render.error(f"{stop}: nothing unfinished is recorded as finished; run the same command again to complete it.")
        sys.exit(stop.exit_code)


def settings() -> Settings:
    from linkage.settings import load_settings

    with expected_failures():
        return load_settings()


def _version(value: bool) -> None:
    if value:
        render.stdout.print(f"linkage {version('linkage')}", highlight=False)
        raise typer.Exit()


@app.callback()
def root(
    show_version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Print linkage's version and exit."),
    ] = None,
) -> None:
    """Find coordinated fake-account networks in Neo4j with Graph Data Science."""


@db_app.command("start")
def db_start(as_json: JsonOption = False) -> None:
    """Start the local database (fetching Neo4j and GDS from Maven Central the first time)."""
    from linkage.cli import db

    with expected_failures():
        render.stderr.print("Starting the local Neo4j + GDS …")
        result = db.start(settings())
    render.print_json(result) if as_json else render.print_fields("Database", result)


@db_app.command("stop")
def db_stop(as_json: JsonOption = False) -> None:
    """Stop the local database cleanly."""
    from linkage.cli import db

    with expected_failures():
        was_running = db.stop(settings())
    if as_json:
        render.print_json({"stopped": was_running})
    else:
        render.stderr.print("Stopped." if was_running else "The local database was not running.")


@db_app.command("status")
def db_status(as_json: JsonOption = False) -> None:
    """Running or stopped, URI, pid, Neo4j and GDS versions, heap and page cache. Exit code 4 when it is not running."""
    from linkage.cli import db

    with expected_failures():
        result = db.status(settings())
    if as_json:
        render.print_json(result.model_dump(exclude={"local"}))
    else:
        render.print_fields("Database", result)
    if not result.running:
        raise typer.Exit(code=int(ExitCode.DATABASE))


@db_app.command("reset")
def db_reset(yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False) -> None:
    """Delete all data and GDS projections of the database (the schema stays)."""
    from linkage.cli import db

    cfg = settings()
    if not yes:
        typer.confirm(f"Delete every node and relationship at {cfg.uri}?", abort=True)
    with expected_failures():
        db.reset(cfg)
    render.stderr.print("The database is empty.")


# --- schema and loading ------------------------------------------------------------------------------------


@app.command("init")
def init_command(as_json: JsonOption = False) -> None:
    """Create every constraint and index of the graph model (idempotent)."""
    import loaders

    with expected_failures():
        created = loaders.init_schema(settings())
    if as_json:
        render.print_json({"schema_statements": created})
    else:
        render.stderr.print(f"Schema ready: {created} constraints and indexes.")


@app.command("load")
def load_command(
    batch_dir: Annotated[Path, typer.Argument(help="A batch folder (see README: the batch folder).")],
    max_reject_rate: RejectRateOption = None,
    rejects_dir: Annotated[
        Path | None, typer.Option(help="Where rejects/<file>.csv go (default: rejects/BATCH@DIGEST).")
    ] = None,
    initial: Annotated[
        bool,
        typer.Option(
            "--initial",
            help="First load into an empty local database, through Neo4j's batch importer (restarts the database).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Validate and load one batch folder; bad rows go to rejects/<file>.csv. Exit code 3: invalid input."""
    from linkage.cli.progress import RowProgress

    with expected_failures(), RowProgress() as progress:
        result = nightly.load_only(settings(), batch_dir, max_reject_rate=max_reject_rate, rejects_dir=rejects_dir,
                                   progress=progress, initial=initial)  # fmt: skip
    if as_json:
        render.print_json(result)
        return
    render.print_table(f"Batch {result.batch}", [f.model_dump(exclude={"path"}) for f in result.files])
    if result.already_loaded:
        render.say(f"Batch {result.batch} (the same files) was loaded before: nothing written.")
        return
    render.say(
        f"{result.nodes_created:,} nodes and {result.relationships_created:,} relationships created "
        f"in {result.seconds:.1f}s"
    )


# --- detection, the nightly run, explanations -------------------------------------------------------------

OutputOption = Annotated[
    Path,
    typer.Option(
        "--output",
        "-o",
        help="Folder for banlist.csv, clusters.csv, report.html, run.json, rejects/ (an earlier run's are removed); "
        "checked first: exit code 2 if linkage cannot write there, 1 if it lacks the space the files need.",
    ),
]


@app.command("run")
def run_command(
    batch_dir: Annotated[Path, typer.Argument(help="Tonight's batch folder (see README: the batch folder).")],
    out_dir: OutputOption = Path("out"),
    max_reject_rate: RejectRateOption = None,
    as_json: JsonOption = False,
) -> None:
    """The nightly job: init, load, similarity, detect, score, write the ban list, report what changed."""
    from linkage.cli.progress import RowProgress

    with expected_failures(), RowProgress() as progress:
        result = nightly.nightly_run(
            settings(), batch_dir, out_dir, max_reject_rate=max_reject_rate, report=render.stderr.log,
            progress=progress,
        )  # fmt: skip
    if as_json:
        render.print_json(result)
        return
    summary = result.summary
    render.print_fields("Run " + result.run_id, {
        "batch": result.batch, "bans": summary.bans, "reviews": summary.reviews, "clusters": summary.clusters,
        **summary.changes.model_dump(),
    })  # fmt: skip
    for note in summary.notes:
        render.say(note)
    render.say(f"Outputs: {result.outputs.banlist}, {result.outputs.clusters}, {result.outputs.run}")
    render.say(f"Report: {result.outputs.report}")


@app.command("detect")
def detect_command(
    batch: Annotated[str, typer.Option(help="Name of the batch the new accounts came from (for respawns).")] = "manual",
    as_json: JsonOption = False,
) -> None:
    """Detection alone on the graph as it stands: communities, scores, cluster ids and decisions."""
    with expected_failures():
        detection = nightly.detect_only(settings(), batch)
    if as_json:
        render.print_json(detection.result)
    else:
        render.print_fields("Detection", detection.result.model_dump(exclude={"communities"}))


@app.command("banlist")
def banlist_command(
    path: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Where to write the ban list.", show_default="out/banlist.FORMAT"),
    ] = None,
    file_format: Annotated[
        BanlistFormat, typer.Option("--format", help="csv (reason records as JSON text), json or parquet (nested).")
    ] = "csv",
    as_json: JsonOption = False,
) -> None:
    """Write the decisions now in the graph as a ban list (no detection is run): reasons as sentences, and as
    records (kind, value, members, total, weight, sentence) for machines."""
    with expected_failures():
        result = nightly.export_banlist(settings(), path or Path(f"out/banlist.{file_format}"), file_format)
    if as_json:
        render.print_json(result)
    else:
        render.say(f"{result.rows:,} decisions written to {result.path}")


@app.command("review")
def review_command(
    limit: Annotated[int, typer.Option("--limit", min=1, help="Accounts shown at most, most harmful first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The review queue: accounts one step short of a ban, ranked by expected harm (community size x output tokens),
    each with what a ban would still need and by how much."""
    from linkage.analyst.review import review_queue

    with expected_failures():
        queue = review_queue(settings(), limit)
    if as_json:
        render.print_json([item.model_dump() for item in queue])
    elif not queue:
        render.stderr.print("The review queue is empty.")
    else:
        columns = ["account_id", "cluster_id", "score", "kinds", "community_size", "output_tokens", "harm", "missed"]
        render.print_table("Review queue", [item.model_dump() for item in queue], columns)


def _picture_path(path: Path | None) -> Path | None:
    """A usage error before anything runs when a picture's file name ends otherwise."""
    from linkage.analyst.picture import PictureFormatError, picture_format

    if path is not None:
        try:
            picture_format(path)
        except PictureFormatError:
            raise typer.BadParameter(f"{path}: the file name must end in .html, .png or .svg.") from None
    return path


PictureOption = Annotated[
    Path | None,
    typer.Option(
        "--picture",
        callback=_picture_path,
        help="Also draw the account, its shared values and who shares them: .html, .png, .svg.",
    ),
]
MaxAccountsOption = Annotated[
    int, typer.Option("--max-accounts", min=2, help="Accounts a picture holds at most (the most connected kept).")
]


@app.command("explain")
def explain_command(
    account_id: Annotated[str, typer.Argument(help="An account id (or with --cluster, a cluster id).")],
    cluster: Annotated[
        bool, typer.Option("--cluster", help="Explain a cluster: its decisions and what its ban would hit.")
    ] = False,
    picture: PictureOption = None,
    max_accounts: MaxAccountsOption = MAX_ACCOUNTS,
    as_json: JsonOption = False,
) -> None:
    """The evidence behind one account: its kinds of evidence, the values it shares, its cluster, its score, what
    its cluster's ban would hit besides the farm, and for an account without a ban, each condition a ban needs that
    it misses. With --cluster, one cluster: its decisions and collateral."""
    from linkage.analyst.explain import explain, explain_cluster
    from linkage.analyst.picture import draw_account

    if cluster:
        if picture is not None:
            raise typer.BadParameter("draw a cluster with `linkage picture CLUSTER_ID`.", param_hint="--picture")
        with expected_failures():
            found = explain_cluster(settings(), account_id)
        render.print_json(found) if as_json else render.print_fields(f"Cluster {account_id}", found)
        return
    with expected_failures():
        result = explain(settings(), account_id)
        drawn = draw_account(settings(), account_id, picture, max_accounts) if picture else None
    if as_json:
        render.print_json(result)
    else:
        render.print_fields(f"Account {account_id}", result.model_dump(exclude={"shared", "reasons"}))
        render.print_lines("Reasons", [reason.sentence for reason in result.reasons])
        render.print_table("Shared values", [s.model_dump(exclude={"example"}) for s in result.shared])
        examples = [f"{s.value}: {s.example}" for s in result.shared if s.example]
        render.print_lines("Template examples (redacted)", examples)
    if drawn is not None:
        render.picture_drawn(drawn)


@app.command("appeal")
def appeal_command(
    account_id: str,
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse it: allowlisted, off every ban list.")] = False,
    uphold: Annotated[bool, typer.Option("--uphold", help="Uphold its ban (recorded; nothing else changes).")] = False,
    note: Annotated[str, typer.Option("--note", help="Why (card numbers and e-mail addresses are masked).")] = "",
    as_json: JsonOption = False,
) -> None:
    """Record an appeal's decision on an account's ban or review in the action log (who: LINKAGE_ACTOR or the OS
    user, when, why); a reversal allowlists the account and its values stop counting as banned infrastructure."""
    from linkage.analyst.appeals import appeal

    if reverse == uphold:
        raise typer.BadParameter("give --reverse or --uphold, one of them.")
    if not note.strip():
        raise typer.BadParameter("say why: --note TEXT.", param_hint="--note")
    with expected_failures():
        action = appeal(settings(), account_id, "reverse" if reverse else "uphold", note)
    if as_json:
        render.print_json(action)
    else:
        render.print_fields(f"Appeal on {account_id}", action)


@app.command("actions")
def actions_command(
    since: Annotated[str | None, typer.Option("--since", help="Only actions recorded since this run started.")] = None,
    as_json: JsonOption = False,
) -> None:
    """The action log: every appeal's decision (reverse or uphold), who made it, when and why, oldest first."""
    from linkage.analyst.appeals import actions

    with expected_failures():
        found = actions(settings(), since)
    if as_json:
        render.print_json([action.model_dump() for action in found])
    elif not found:
        render.stderr.print("The action log is empty." if since is None else f"No action since run {since}.")
    else:
        render.print_table("Action log", [action.model_dump() for action in found])


@app.command("similarity")
def similarity_command(
    batch_dir: Annotated[Path, typer.Argument(help="Batch folder whose prompts file is analysed.")],
    engine: Annotated[
        SimilarityEngine,
        typer.Option(
            help="Where pass 1 (signatures, band buckets) runs: here, or on Spark (needs the optional extra 'spark')."
        ),
    ] = "local",
    master: Annotated[
        str | None,
        typer.Option(help="Spark master URL with --engine spark (default: LINKAGE_SPARK_MASTER, else local[*])."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Prompt similarity alone: template families, SIMILAR_PROMPTS links and prompt features of a batch."""
    with expected_failures():
        config = settings() if master is None else settings().model_copy(update={"spark_master": master})
        result = nightly.similarity_only(config, batch_dir, progress=render.stderr.log, engine=engine)
    render.print_json(result) if as_json else render.print_fields("Prompt similarity", result)


# --- analysts' saved queries --------------------------------------------------------------------------------

query_app = typer.Typer(help="Analysts' saved Cypher queries (cypher/analyst/*.cypher).", no_args_is_help=True)
app.add_typer(query_app, name="query")


@query_app.command("list")
def query_list(
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Each header in full: description, example, Browser :param lines.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """The saved queries: each one's name, the parameters it takes and what it shows."""
    from linkage.analyst import queries

    found = queries.list_queries()
    if as_json:
        render.print_json([q.model_dump() for q in found])
        return
    parameters = [", ".join(f"{k} ({t})" for k, t in q.parameters.items()) for q in found]
    if verbose:
        render.print_table(
            "Saved queries", [{**q.model_dump(), "parameters": p} for q, p in zip(found, parameters, strict=True)]
        )
    else:
        rows = [{"name": q.name, "parameters": p, "shows": q.summary} for q, p in zip(found, parameters, strict=True)]
        render.print_table("Saved queries (--verbose: each header in full)", rows)


@query_app.command("run")
def query_run(
    name: Annotated[str, typer.Argument(help="A saved query's name, or the path of a .cypher file of your own.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="A parameter as key=value.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Run a saved query read-only, e.g. `linkage query run cluster_members -p cluster_id=C-0001`; refused before it
    runs if it does more than read the graph (a command such as SHOW or TERMINATE, administration, schema, USE,
    LOAD CSV, a procedure outside a short allowlist, a write)."""
    from linkage.analyst import queries

    with expected_failures():
        rows = queries.run_query(settings(), name, param or [])
    if as_json:
        render.print_json(rows)
    elif not rows:
        render.say(f"{name}: no rows.")
    else:
        render.print_table(name, rows)


@query_app.command("show")
def query_show(name: str) -> None:
    """Print a saved query as Neo4j Browser takes it: its `:param` lines, then the query (`linkage browser`)."""
    from linkage.analyst import queries

    with expected_failures():
        text = queries.browser_text(name)
    render.stdout.out(text, end="", highlight=False)


@app.command("picture")
def picture_command(
    cluster_id: str,
    path: Annotated[
        Path,
        typer.Option(
            "--output", "-o", callback=_picture_path, help="Interactive .html (neo4j-viz), or .png / .svg for paper."
        ),
    ] = Path("cluster.html"),
    max_accounts: MaxAccountsOption = MAX_ACCOUNTS,
    as_json: JsonOption = False,
) -> None:
    """Draw one cluster: its accounts (by decision) and the cards, IPs, subnets, devices, domains and templates they
    share (by kind); past --max-accounts, its most connected part, and the picture says so."""
    from linkage.analyst.picture import draw_cluster

    with expected_failures():
        drawn = draw_cluster(settings(), cluster_id, path, max_accounts)
    render.print_json(drawn) if as_json else render.picture_drawn(drawn)


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="The output folder of a `linkage run` (it holds run.json).")],
    as_json: JsonOption = False,
) -> None:
    """Rebuild RUN_DIR/report.html from the run's files and the graph (every `linkage run` writes it)."""
    from linkage.analyst.report import rebuild_report  # plotly loads for this command only

    with expected_failures():
        result = rebuild_report(settings(), run_dir)
    if as_json:
        render.print_json(result)
    else:
        render.say(f"Report: {result.path} ({result.bytes / 1e6:.1f} MB, {len(result.pictures)} pictures)")


@app.command("browser")
def browser_command(
    port: Annotated[
        int, typer.Option(envvar="LINKAGE_BROWSER_PORT", min=0, max=65535, help="Port on 127.0.0.1 (0: any free one).")
    ] = 0,
) -> None:
    """Serve Neo4j Browser on 127.0.0.1, pre-set to connect to the database; print its URL; Ctrl-C stops it."""
    from linkage.analyst.browser import BrowserServer

    with expected_failures(), BrowserServer(settings(), port) as server:
        render.browser_ready(server.info)
        try:
            server.wait()
        except (KeyboardInterrupt, Stopped):
            render.stderr.print("Stopped.")


# --- scenarios and evaluation -------------------------------------------------------------------------------


@app.command("synth")
def synth_command(
    out_dir: Annotated[Path, typer.Argument(help="Folder for night1/, night2/ … and truth.csv.")],
    accounts: Annotated[int, typer.Option(help="Night 1's accounts (each later night adds ~5%).", min=500)] = 3000,
    nights: Annotated[int, typer.Option(help="1 to 30 nights.", min=1, max=30)] = 2,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 7,
    file_format: Annotated[str, typer.Option("--format", help="parquet or csv (.csv.gz).")] = "parquet",
    randomised: Annotated[
        bool, typer.Option("--random", help="Draw the mix, languages and every group's behaviour from the seed.")
    ] = False,
    adaptive: Annotated[
        bool,
        typer.Option("--adaptive", help="With --random: every adaptive farm family and its look-alike at least once."),
    ] = False,
    overrides: Annotated[
        list[str] | None, typer.Option("--set", help="Override a scenario field, e.g. --set farm_proxy=0.1.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Generate a synthetic scenario with ground truth: benign users, look-alikes and coordinated farms."""
    from linkage.scenarios import random_scenario, scenario_from, synthesize
    from linkage.scenarios.scenario import InvalidScenario

    options: dict[str, object] = {"accounts": accounts, "nights": nights, "seed": seed, "file_format": file_format}
    if randomised:
        options = {**random_scenario(seed, accounts, nights, adaptive).model_dump(), "file_format": file_format}
    with expected_failures():
        if adaptive and not randomised:
            raise InvalidScenario("--adaptive draws families of a randomised scenario: use it with --random")
        result = synthesize(out_dir, scenario_from(options, overrides), progress=render.stderr.log)
    if as_json:
        render.print_json(result)
        return
    rows = [{"night": night, **counts} for night, counts in result.nights.items()]
    render.print_table("Scenario " + result.out_dir, rows)
    groups = [g.model_dump(exclude={"params"}) for g in result.groups]
    if result.scenario.mix is not None:
        render.print_fields("Drawn", _drawn(result.scenario.model_dump(mode="json")))
        for row, group in zip(groups, result.groups, strict=True):
            row["params"] = " ".join(f"{key}={value}" for key, value in group.params.items())
    render.print_table("Groups", groups)
    render.say(
        f"{result.accounts:,} accounts ({result.coordinated:,} coordinated) in {result.seconds:.1f} s; "
        f"truth: {result.truth}"
    )


def _drawn(fields: dict[str, Any]) -> dict[str, Any]:
    """A randomised scenario's fields, its mix flattened into them (``en=0.4 zh=0.1``…)."""
    flat = {key: value for key, value in fields.items() if key != "mix"}
    for key, value in fields["mix"].items():
        flat[key] = " ".join(f"{k}={v}" for k, v in value.items()) if isinstance(value, dict) else value
    return flat


@app.command("eval")
def eval_command(
    banlist: Annotated[Path, typer.Argument(help="banlist.csv of a run.")],
    truth: Annotated[Path, typer.Argument(help="truth.csv of the scenario.")],
    night: Annotated[int | None, typer.Option(help="Only accounts that existed by this night.")] = None,
    actions: Annotated[
        Path | None, typer.Option("--actions", help="The action log (`linkage actions --json`): count reversals.")
    ] = None,
    show_groups: Annotated[
        bool, typer.Option("--groups/--no-groups", help="Print the table of every ground-truth group.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Precision, recall and F1 of decision=ban against the ground truth, bans per ground-truth group, and with
    --actions the bans reversed on appeal (and how many of them the truth calls coordinated)."""
    from linkage.scenarios.evaluate import evaluate, known_bans, reversed_accounts

    with expected_failures():
        reversed_ids = reversed_accounts(actions) if actions is not None else None
        result = evaluate(banlist, truth, night, known_bans(truth, night), reversed_ids)
    if as_json:
        render.print_json(result)
        return
    render.print_fields("Evaluation", result.model_dump(exclude={"groups", "group_types"}))
    render.print_table("Group types", [t.model_dump() for t in result.group_types])
    if show_groups:
        render.print_table("Ground-truth groups", [g.model_dump() for g in result.groups])


# --- indicators shared with partners (STIX 2.1) --------------------------------------------------------------

indicators_app = typer.Typer(
    help="Indicators shared between labs in STIX 2.1: export tonight's banned networks, import a partner's.",
    no_args_is_help=True,
)
app.add_typer(indicators_app, name="indicators")


@indicators_app.command("export")
def indicators_export(
    output: Annotated[Path, typer.Option("--output", "-o", help="Where to write the bundle (JSON).")],
    run_id: Annotated[
        str | None, typer.Option("--run", help="The run whose banned clusters to share.", show_default="last run")
    ] = None,
    cluster_id: Annotated[str | None, typer.Option("--cluster", help="Share this one banned cluster.")] = None,
    tlp: Annotated[str, typer.Option("--tlp", help="TLP 2.0: clear, green, amber, amber+strict or red.")] = "amber",
    include_account_ids: Annotated[
        bool, typer.Option("--include-account-ids", help="Add the banned account ids (personal data: off).")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Write a STIX 2.1 bundle of banned networks: a campaign each, its proxy pool, indicators for its addresses
    and networks, payment methods and template families as HMACs under LINKAGE_SHARE_KEY; no e-mail, no prompt."""
    from linkage.share.export import export_indicators
    from linkage.share.stix import Tlp

    if run_id is not None and cluster_id is not None:
        raise typer.BadParameter("give --run or --cluster, not both.")
    try:
        level = Tlp(tlp.lower())
    except ValueError:
        raise typer.BadParameter(f"{tlp!r} is not a TLP 2.0 level.", param_hint="--tlp") from None
    with expected_failures():
        result = export_indicators(
            settings(), output, run_id=run_id, cluster_id=cluster_id, tlp=level, include_account_ids=include_account_ids
        )
    if as_json:
        render.print_json(result)
    else:
        counts = f"{result.campaigns} campaigns, {result.indicators} indicators, {result.objects} STIX objects"
        render.say(f"{counts} (TLP:{result.tlp.upper()}) written to {result.path}")


@indicators_app.command("import")
def indicators_import(
    bundle: Annotated[Path, typer.Argument(help="A STIX 2.1 bundle (JSON) from a partner.")],
    as_json: JsonOption = False,
) -> None:
    """Validate a partner's STIX 2.1 bundle (refused with the validator's first error, nothing written), keep its
    campaigns as PartnerReport nodes and mark the IPs, subnets, payment methods and template families they name."""
    from linkage.share.import_ import import_indicators

    with expected_failures():
        result = import_indicators(settings(), bundle)
    render.print_json(result) if as_json else render.print_fields("Indicators imported", result)
