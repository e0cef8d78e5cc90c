"""All configuration of linkage, read from the environment (and a `.env` file) by pydantic-settings.

Neo4j connection variables keep their conventional names (``NEO4J_URI`` …); everything else is ``LINKAGE_*``.
CLI flags override these values; secrets are ``SecretStr`` and are never printed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

import localdb
from linkage.errors import ExitCode, LinkageError
from localdb import LocalDbConfig
from localdb.memory import parse_size


class SettingsError(LinkageError):
    """A configuration problem the user must fix; the message says which variable."""

    exit_code = ExitCode.USAGE


class Thresholds(BaseModel):
    """What detection's decisions take (:func:`linkage.detect.decide.decide`): the scoring thresholds alone, so a
    decision can be made and tested from frames without a database, a connection or a file path."""

    model_config = ConfigDict(frozen=True)

    # scoring and decisions (LINKAGE_SCORE_*): see linkage/detect/scoring.py
    score_min_shared: int = Field(default=3, ge=2)  # a prompt family counts when this many members share it
    score_min_infra_shared: int = Field(default=6, ge=2)  # a card, IP, device, domain: more than a household
    score_min_weight: float = Field(default=0.3, ge=0.0, le=1.0)  # a kind of evidence counts from this strength
    score_min_requests: int = Field(default=5, ge=1)  # prompt evidence (templates, harvest) needs this many requests
    score_harvest_from_sigmas: float = Field(default=1.0, ge=0.0)  # harvest starts this many robust sigmas up
    score_harvest_sigmas: float = Field(default=3.0, gt=0.0)  # ... and is full this many sigmas up
    score_cot_share: float = Field(default=0.5, ge=0.0, le=1.0)  # shown as a reason, not a kind
    score_burst_hours: float = Field(default=6.0, gt=0.0)
    score_burst_min: int = Field(default=10, ge=1)
    score_min_cluster_size: int = Field(default=5, ge=2)
    score_min_kinds: int = Field(default=3, ge=2)  # independent kinds of evidence a ban needs
    score_ban_threshold: float = Field(default=0.9, ge=0.0, le=1.0)
    score_review_threshold: float = Field(default=0.7, ge=0.0, le=1.0)
    score_respawn_banned_share: float = Field(default=0.5, ge=0.0, le=1.0)
    score_respawn_min_kinds: int = Field(default=2, ge=1)
    # a campaign's signature: prompt values this share of its banned accounts send (mostly banned accounts, as
    # score_respawn_banned_share says), and habits this share of them have; a cluster can hold two farms that share
    # a carrier's NAT, each with its own families, so a family a tenth of its bans send is still its own
    score_campaign_member_share: float = Field(default=0.1, gt=0.0, le=1.0)
    score_campaign_habit_share: float = Field(default=0.05, gt=0.0, le=1.0)
    # a cluster whose ban would hit more accounts outside it (they use the cards, IPs, subnets, devices or templates
    # its reasons cite) than this many per account it bans goes to review instead: linkage/detect/collateral.py (the
    # generated scenarios' farms hit at most 15 per ban: README, Collateral before a ban)
    score_max_collateral: float = Field(default=50.0, ge=0.0)


class Settings(BaseSettings, Thresholds):
    model_config = SettingsConfigDict(
        env_prefix="LINKAGE_", env_file=".env", extra="ignore", frozen=True, populate_by_name=True
    )

    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USER", "NEO4J_USERNAME"))
    neo4j_password: SecretStr | None = Field(default=None, validation_alias=AliasChoices("NEO4J_PASSWORD"))
    neo4j_password_file: Path | None = Field(default=None, validation_alias=AliasChoices("NEO4J_PASSWORD_FILE"))
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE"))

    home: Path = Path(".linkage")
    localdb_port: int = Field(default=7687, ge=1, le=65535)
    localdb_heap: str | None = None  # unset: sized from the machine's memory (localdb/memory.py), and so is ...
    localdb_pagecache: str | None = None  # ... the page cache
    localdb_start_timeout: float = 180.0

    hash_key: SecretStr | None = None
    hash_key_file: Path | None = None
    demo: bool = False
    actor: str | None = None  # who records an appeal's decision (`linkage appeal`); unset: the OS user
    # indicators shared with partners (linkage/share/): the key partners agree on for what leaves as a keyed hash
    # (never the internal hash key), and the name the bundles are signed with
    share_key: SecretStr | None = None
    share_producer: str = Field(default="linkage", min_length=1)

    write_batch_size: int = Field(default=10_000, ge=1)
    max_reject_rate: float = Field(default=0.05, ge=0.0, le=1.0)  # a file with a larger share of bad rows fails
    earliest_time: datetime = datetime(2000, 1, 1, tzinfo=UTC)  # a time before this is a bad row (year 0001 …)
    latest_time: datetime = datetime(2100, 1, 1, tzinfo=UTC)  # … and so is one from here on (year 9999 …)
    retry_seconds: float = Field(default=30.0, gt=0.0)  # managed transactions retry transient errors this long
    lock_ttl: float = Field(default=120.0, ge=1.0)  # seconds a run's lease on the database lasts unless renewed
    # a run into an empty local database writes a batch of at least this many accounts, payments and sessions rows
    # through Neo4j's batch importer (it stops and starts the database: below this, Cypher is as quick)
    import_min_rows: int = Field(default=100_000, ge=0)

    # prompt similarity (LINKAGE_SIMILARITY_*): see linkage/similarity/
    similarity_threshold: float = Field(default=0.5, gt=0.0, lt=1.0)  # Jaccard of word shingles that makes a pair
    similarity_verify_margin: float = Field(default=0.0, ge=0.0, lt=1.0)  # LSH candidates kept at threshold - margin
    similarity_num_perm: int = Field(default=64, ge=8, le=1024)  # signature bins (a power of two)
    similarity_bands: int | None = Field(default=None, ge=1)  # LSH bands (rows = num_perm // bands); None: optimal
    similarity_shingle_words: int = Field(default=3, ge=1, le=8)
    similarity_max_prompt_chars: int = Field(default=8_000, ge=100)  # longer prompts are cut before hashing
    similarity_chunk_rows: int = Field(default=200_000, ge=1_000)
    similarity_min_family_accounts: int = Field(default=2, ge=1)  # families written as TemplateFamily nodes
    similarity_min_family_requests: int = Field(default=5, ge=1)  # ... with at least this many prompts
    similarity_family_max_accounts: int = Field(default=1_000, ge=3)  # a family this popular weighs 0, links no one
    similarity_template_min_requests: int = Field(default=2, ge=1)  # an account uses a family it sends this often
    similarity_min_score: float = Field(default=0.1, ge=0.0)
    similarity_top_k: int = Field(default=20, ge=1)  # SIMILAR_PROMPTS edges each account may add
    similarity_cot_family_share: float = Field(default=0.5, ge=0.0, le=1.0)  # TemplateFamily.cot above this share
    similarity_segment_min_words: int = Field(default=3, ge=1)  # shorter sentences (labels, greetings) are no segment
    similarity_max_segments: int = Field(default=16, ge=1)  # segments kept per prompt (its first ones)
    similarity_segment_min_share: float = Field(default=0.2, ge=0.0, le=1.0)  # an account's habit: this share ...
    similarity_segment_min_requests: int = Field(default=3, ge=1)  # ... and this many of its requests
    similarity_habit_min_requests: int = Field(default=5, ge=2)  # an account's habit needs this many requests
    # pass 1 of prompt similarity on Spark (`linkage similarity --engine spark`): see linkage/similarity/spark/
    spark_master: str = "local[*]"  # or a cluster's master URL (spark://…, yarn, k8s://…)
    spark_driver_memory: str = "2g"  # the driver's JVM heap; the signatures come back to this Python process
    spark_stage_dir: Path | None = None  # where prompts are staged for Spark (a cluster's executors read it)

    # detection: how values are weighed and how communities are found (LINKAGE_DETECT_*): see linkage/detect/
    detect_significance_decades: float = Field(default=6.0, gt=0.0)  # an overlap this unlikely by chance counts fully
    detect_sync_window_hours: float = Field(default=1.0, gt=0.0)  # sign-ups in one window act in synchrony
    detect_switch_window_hours: float = Field(default=24.0, gt=0.0)  # so do switches to one model in one window
    detect_strong_link: float = Field(default=0.3, ge=0.0)  # WCC follows only links at least this strong
    detect_resolution: float = Field(default=1.0, gt=0.0)  # Leiden's gamma
    detect_seed: int = 42
    detect_max_heap_percentage: float = Field(default=80.0, gt=0.0, le=100.0)
    # an e-mail domain is an org's own when this share of its accounts share one card or one network (IP or /24) ...
    detect_org_office_share: float = Field(default=0.5, gt=0.0, le=1.0)
    # ... and a value is then that org's own (no evidence between its seats) when this share of them use it
    detect_org_coverage: float = Field(default=0.25, gt=0.0, le=1.0)

    @field_validator("earliest_time", "latest_time")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        """A time without a zone is UTC, like every time of a batch."""
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @field_validator("localdb_heap")
    @classmethod
    def _jvm_size(cls, value: str | None) -> str | None:
        """A heap the JVM takes (``8g``, ``5100m``); a page cache sized beside it gets what it leaves."""
        if value:
            parse_size(value)
        return value or None

    @model_validator(mode="after")
    def _time_window(self) -> Settings:
        if self.latest_time <= self.earliest_time:
            raise ValueError("LINKAGE_LATEST_TIME must be later than LINKAGE_EARLIEST_TIME")
        return self

    @property
    def uses_local_db(self) -> bool:
        return not self.neo4j_uri

    @property
    def localdb(self) -> LocalDbConfig:
        return LocalDbConfig(
            home=self.home,
            port=self.localdb_port,
            heap=self.localdb_heap,
            pagecache=self.localdb_pagecache,
            start_timeout=self.localdb_start_timeout,
        )

    @property
    def uri(self) -> str:
        return self.neo4j_uri or self.localdb.uri

    def auth(self) -> tuple[str, str] | None:
        """Credentials: for the local database, ``neo4j`` and the password generated at its first start (None only
        before then); for a server, NEO4J_USER and NEO4J_PASSWORD_FILE or NEO4J_PASSWORD."""
        if self.uses_local_db:
            secret = localdb.password(self.localdb)
            return None if secret is None else ("neo4j", secret)
        if self.neo4j_password_file is not None:
            try:
                password = self.neo4j_password_file.read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise SettingsError(f"NEO4J_PASSWORD_FILE cannot be read: {self.neo4j_password_file} ({exc})") from exc
            except UnicodeDecodeError as exc:
                raise SettingsError(f"NEO4J_PASSWORD_FILE {self.neo4j_password_file} is not UTF-8 text ({exc.reason} "
                                    f"at byte {exc.start}).") from None  # fmt: skip
            return (self.neo4j_user, password)
        if self.neo4j_password is None:
            raise SettingsError("NEO4J_URI is set but neither NEO4J_PASSWORD nor NEO4J_PASSWORD_FILE is.")
        return (self.neo4j_user, self.neo4j_password.get_secret_value())


SECRETS = frozenset({"neo4j_password", "hash_key", "share_key"})  # never shown, even when invalid


def variable_name(field: str) -> str:
    """The environment variable that sets ``field`` (``NEO4J_URI``, ``LINKAGE_SCORE_BAN_THRESHOLD``…)."""
    alias = Settings.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"LINKAGE_{field.upper()}"


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with CLI overrides (``None`` values are ignored). A value that does not
    fit raises :class:`SettingsError` naming its variable and what is wrong, never pydantic's report."""
    values = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            name = variable_name(field) if field in Settings.model_fields else field
            shown = "***" if field in SECRETS else repr(error.get("input"))
            problems.append(f"{name}={shown}: {error['msg']}" if field else error["msg"])  # a rule across fields
        raise SettingsError("Invalid setting: " + "; ".join(problems)) from None
