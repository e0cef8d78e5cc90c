# The two commands of the README's quick start are `make demo` and `make test`; everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: setup chromium db demo test lint bench bench-load bench-similarity bench-similarity-full bench-similarity-spark bench-communities bench-quality bench-nights bench-cli stop clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required (found: $$($(PYTHON) --version))" >&2; exit 1; }
	@command -v java >/dev/null || { echo "Java 17+ is required for the local database" >&2; exit 1; }
	@command -v mvn >/dev/null || { echo "Maven is required to fetch Neo4j and GDS from Maven Central" >&2; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(INSTALLED)

setup: $(INSTALLED)

db: setup
	$(BIN)/linkage db start

# The demo has its own database (.linkage-demo, port 7689) because it empties it first, and a partner lab's
# (.linkage-demo-partner, port 7690), emptied too, that imports the bundle of night 1's farms and is stopped at the end.
DEMO := LINKAGE_HOME=.linkage-demo LINKAGE_LOCALDB_PORT=7689 LINKAGE_DEMO=1
PARTNER := LINKAGE_HOME=.linkage-demo-partner LINKAGE_LOCALDB_PORT=7690 LINKAGE_DEMO=1
DEMO_DIR := .linkage-demo/scenario
BUNDLE := $(DEMO_DIR)/out/night1/bundle.json
demo: setup
	$(DEMO) $(BIN)/linkage synth $(DEMO_DIR) --accounts 3000 --nights 2 --seed 7
	$(DEMO) $(BIN)/linkage db reset --yes
	$(DEMO) $(BIN)/linkage run $(DEMO_DIR)/night1 --output $(DEMO_DIR)/out/night1
	$(DEMO) $(BIN)/linkage indicators export -o $(BUNDLE) \
	  --run $$($(BIN)/python -c 'import json, sys; print(json.load(sys.stdin)["run_id"])' < $(DEMO_DIR)/out/night1/run.json)
	$(PARTNER) $(BIN)/linkage db reset --yes && $(PARTNER) $(BIN)/linkage indicators import $(BUNDLE); \
	status=$$?; $(PARTNER) $(BIN)/linkage db stop; exit $$status
	$(DEMO) $(BIN)/linkage run $(DEMO_DIR)/night2 --output $(DEMO_DIR)/out/night2
	$(DEMO) $(BIN)/linkage eval $(DEMO_DIR)/out/night2/banlist.csv $(DEMO_DIR)/truth.csv
	@echo "Outputs: $(DEMO_DIR)/out/night1 and $(DEMO_DIR)/out/night2 (banlist.csv, clusters.csv, run.json)."
	@echo "Explore: $(DEMO) $(BIN)/linkage query run top_clusters   (Neo4j Browser: $(DEMO) $(BIN)/linkage browser)"
	@echo "Report (open it in a browser, no network needed): $(abspath $(DEMO_DIR)/out/night2/report.html)"
	@echo "Night 1's farms in STIX 2.1: $(abspath $(BUNDLE)), imported into the partner's database $(abspath .linkage-demo-partner)"
	@echo "  (bolt://127.0.0.1:7690, stopped; its own night 2: $(PARTNER) $(BIN)/linkage run $(DEMO_DIR)/night2 --output $(DEMO_DIR)/out/partner)"
	@echo "The demo's database: $(abspath .linkage-demo) (bolt://127.0.0.1:7689, running; $(DEMO) $(BIN)/linkage db stop)"

# the browser tests open report.html, pictures and Neo4j Browser in Debian's headless Chromium (installed when missing)
chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium for the browser tests" >&2; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test: setup chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Prompt similarity: the 200k-prompt comparison with datasketch (last line: speedup=<x> pair_recall=<r>), and the
# whole stage on 20M synthetic prompts (parquet generated once into .bench-similarity/, ~2 GB; not in git).
bench-similarity: setup
	$(BIN)/python bench/bench_similarity.py --sample 200000

bench-similarity-full: setup
	$(BIN)/python bench/bench_similarity.py --full 20000000 --dir .bench-similarity --sample 200000

# The Spark engine (local mode) on the same 20M and 200k prompts: start-up apart, then the whole stage on the 20M, then
# pass 1 of both engines on the 200k (last line: spark_s=<s> local_s=<s> same_families=<True|False>). The driver
# holds the signatures and bucket mates on their way back (about 200 B a prompt), hence its 8g.
bench-similarity-spark: setup
	$(BIN)/python bench/bench_similarity.py --spark 'local[*]' --driver-memory 8g --full 20000000 --dir .bench-similarity --sample 200000

bench: bench-similarity-full bench-similarity-spark bench-load bench-communities bench-quality bench-nights bench-cli

# Loader throughput (1M accounts, ~3M sessions; a first load through Neo4j's batch importer, then through Cypher)
# and peak memory, against a naive writer; own database
# (.linkage-bench-load, port 7698), stopped afterwards.
BENCH_LOAD_DB := LINKAGE_HOME=.linkage-bench-load LINKAGE_LOCALDB_PORT=7698
bench-load: setup
	$(BENCH_LOAD_DB) $(BIN)/python bench/bench_load.py --accounts 1000000; \
	status=$$?; $(BENCH_LOAD_DB) $(BIN)/linkage db stop; exit $$status

# GDS Leiden/Louvain vs igraph Leiden on LFR graphs (NMI); own database (.linkage-bench, port 7697) since it empties it.
BENCH_DB := LINKAGE_HOME=.linkage-bench LINKAGE_LOCALDB_PORT=7697
bench-communities: setup
	@$(BIN)/python -c 'import igraph, networkx, sklearn' 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[dev,spark,bench]'
	$(BENCH_DB) LINKAGE_LOCALDB_HEAP=2g LINKAGE_LOCALDB_PAGECACHE=512m $(BIN)/python bench/bench_communities.py; \
	status=$$?; $(BENCH_DB) $(BIN)/linkage db stop; exit $$status

# Detection quality on randomised scenarios never used for tuning: held-out seeds 7131-7150, 3,000 to 30,000 accounts,
# every adaptive family and look-alike in each (tuning seeds: 5001-5020), two nights each (last line: min_precision=…
# min_recall=… max_benign_review_share=…); own database (.linkage-quality, port 7696), stopped afterwards.
BENCH_QUALITY_DB := LINKAGE_HOME=.linkage-quality LINKAGE_LOCALDB_PORT=7696 LINKAGE_LOCALDB_HEAP=3g LINKAGE_LOCALDB_PAGECACHE=1g
bench-quality: setup
	$(BENCH_QUALITY_DB) $(BIN)/python bench/quality.py --random --adaptive --seeds 7131-7150; \
	status=$$?; $(BENCH_QUALITY_DB) $(BIN)/linkage db stop; exit $$status

# A night's cost as history grows: 10 nights of one 100,000-account scenario (about 5% new accounts a night), each
# night's stage seconds, accounts, peak RSS of Python and Neo4j, precision and recall, and how each grows; own database
# (.linkage-bench-nights, port 7694, heap/page cache from LINKAGE_LOCALDB_HEAP/PAGECACHE or 4g/2g), stopped afterwards.
bench-nights: setup
	$(BIN)/python bench/nightly_stages.py --accounts 100000 --nights 10 --seed 7 --home .linkage-bench-nights --port 7694

# How fast `linkage --help`, `--version` and `explain --help` answer (no database), 10 runs each
bench-cli: setup
	$(BIN)/python bench/cli_start.py --runs 10

stop: setup
	$(BIN)/linkage db stop

clean: stop
	rm -rf .linkage .linkage-test .linkage-demo .linkage-demo-partner .linkage-bench .linkage-bench-load .linkage-quality .linkage-bench-nights
