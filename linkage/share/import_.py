"""`linkage indicators import`: validate a partner's STIX 2.1 bundle, keep what it reports, mark the values of the
graph it names.

A bundle that fails stix2-validator is refused with the validator's first error before anything is written. Each
campaign becomes a ``PartnerReport`` (keyed by its STIX id: importing the same bundle again changes nothing) with its
source identity, marking, confidence and times, the addresses and CIDRs of the indicators that indicate it, and the
keyed hashes of linkage's extension; it is linked (``REPORTS``) to the IPs, subnets, payment methods and template
families of the graph it names, a hash matched by hashing the graph's own values under the same share key.
Importing again after a new night marks the values that night brought, and so does each night's detection
(:func:`mark_reported_values`): a report is a lead for scoring, never evidence of its own
(:func:`linkage.detect.scoring.join_partner_reports`).
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from stix2validator import ValidationError, ValidationOptions, validate_instance

from linkage.errors import ExitCode, LinkageError
from linkage.graph import Graph
from linkage.settings import Settings
from linkage.share.keys import ShareKeyError, keyed, share_key
from linkage.share.stix import LINKAGE_EXTENSION
from loaders.addresses import canonical_ip, canonical_network

# an address or CIDR a comparison of a STIX pattern names: [ipv4-addr:value = '…'] or ISSUBSET '…'
ADDRESS_COMPARISON = re.compile(r"ipv[46]-addr:value\s*(?:=|ISSUBSET)\s*'([^']+)'")
MARKED_LISTS = {"IP": "ips", "Subnet": "subnets", "PaymentMethod": "payments", "TemplateFamily": "templates"}


class InvalidBundle(LinkageError):
    """The file is not a valid STIX 2.1 bundle: nothing was written."""

    exit_code = ExitCode.INVALID_INPUT


class ImportResult(BaseModel):
    path: Path
    bundle_id: str
    reports: int
    new_reports: int
    named: dict[str, int]  # values the reports name, by kind
    marked: dict[str, int]  # values of the graph they name, by label


def import_indicators(settings: Settings, path: Path) -> ImportResult:
    """Validate the bundle at ``path``, then store its reports and mark the values they name."""
    document = read_bundle(path)
    reports = partner_reports(document)
    key = share_key(settings) if _carry_hashes(reports) else None
    imported_at = datetime.now(UTC).isoformat()
    with Graph(settings) as graph:
        counts = graph.write_rows("share/merge_partner_reports", reports, imported_at=imported_at)
        _mark(graph, reports, key)
        marked = graph.read("share/reported_values", report_ids=[report["report_id"] for report in reports])
    named = {
        kind: sum(len(report[kind]) for report in reports)
        for kind in ("ips", "subnets", "payment_hashes", "template_hashes")
    }
    by_label = {label: sum(1 for row in marked if row["label"] == label) for label in MARKED_LISTS}
    return ImportResult(
        path=path,
        bundle_id=document["id"],
        reports=len(reports),
        new_reports=counts.nodes_created,
        named=named,
        marked=by_label,
    )


def mark_reported_values(graph: Graph, settings: Settings) -> bool:
    """Link every stored report to the values of the graph it names, those tonight's batch brought included (the
    import marked only what the graph held then). Without a share key (LINKAGE_SHARE_KEY, or demo mode) a report's
    hashed payment methods and template families cannot be matched: its addresses and networks are, and the result
    is False (the run's notes say so); True otherwise."""
    reports = graph.read("share/read_partner_reports")
    hashed = _carry_hashes(reports)
    try:
        key = share_key(settings) if hashed else None
    except ShareKeyError:
        key = None
    if reports:
        _mark(graph, reports, key)
    return key is not None or not hashed


def read_bundle(path: Path) -> dict[str, Any]:
    """The bundle at ``path`` once stix2-validator passes it (warnings allowed: a partner's other tools may emit
    them); :class:`InvalidBundle` with the first error otherwise."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidBundle(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidBundle(f"{path} is not JSON text: {exc}.") from exc
    if not isinstance(document, dict) or document.get("type") != "bundle":
        raise InvalidBundle(f"{path} is not a STIX bundle (its top level is no object of type 'bundle').")
    try:
        results = validate_instance(document, ValidationOptions())
    except ValidationError as exc:
        raise InvalidBundle(f"{path} fails STIX 2.1 validation: {exc}") from exc
    if not results.is_valid:
        first = results.errors[0] if results.errors else "invalid"
        raise InvalidBundle(f"{path} fails STIX 2.1 validation: {first}")
    return document


def partner_reports(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per campaign of the bundle (``share/merge_partner_reports``): who, under which marking, how sure,
    when, and the values its indicators and linkage's extension name."""
    objects = {obj["id"]: obj for obj in document.get("objects", [])}
    indicated: dict[str, list[str]] = {}
    for obj in objects.values():
        if obj["type"] == "relationship" and obj["relationship_type"] == "indicates":
            indicator = objects.get(obj["source_ref"], {})
            if indicator.get("type") == "indicator" and indicator.get("pattern_type") == "stix":
                indicated.setdefault(obj["target_ref"], []).extend(ADDRESS_COMPARISON.findall(indicator["pattern"]))
    reports = []
    for obj in objects.values():
        if obj["type"] != "campaign":
            continue
        extension = obj.get("extensions", {}).get(LINKAGE_EXTENSION, {})
        ips, subnets = _addresses(indicated.get(obj["id"], []))
        source = objects.get(obj.get("created_by_ref", ""), {})
        markings = [objects.get(ref, {}).get("name", ref) for ref in obj.get("object_marking_refs", [])]
        reports.append(
            {
                "report_id": obj["id"],
                "name": obj.get("name"),
                "source": source.get("name"),
                "source_id": obj.get("created_by_ref"),
                "marking": ", ".join(markings) or None,
                "confidence": obj.get("confidence"),
                "first_seen": obj.get("first_seen", obj["created"]),
                "last_seen": obj.get("last_seen", obj["modified"]),
                "modified": obj["modified"],
                "bundle_id": document["id"],
                "banned_accounts": extension.get("banned_accounts"),
                "ips": ips,
                "subnets": subnets,
                "payment_hashes": sorted(extension.get("payment_hashes", [])),
                "template_hashes": sorted(extension.get("template_hashes", [])),
            }
        )
    return reports


def _addresses(values: list[str]) -> tuple[list[str], list[str]]:
    """Addresses and networks in the graph's own spelling (a /32 or /128 is an address)."""
    ips, subnets = set(), set()
    for value in values:
        network = canonical_network(value)
        if network is None:
            continue
        address = canonical_ip(network.split("/")[0]) if network.endswith(("/32", "/128")) else None
        if address is not None:
            ips.add(address[0])
        else:
            subnets.add(network)
    return sorted(ips), sorted(subnets)


def _carry_hashes(reports: list[dict[str, Any]]) -> bool:
    """Whether any report names payment methods or template families, by keyed hash (matching them needs the key)."""
    return any(report["payment_hashes"] or report["template_hashes"] for report in reports)


def _mark(graph: Graph, reports: list[dict[str, Any]], key: bytes | None) -> None:
    """Link ``reports`` to the values of the graph they name (:func:`_marks`; hashes only under ``key``)."""
    graph.write("share/mark_reported_values", **_marks(graph, reports, key))


def _marks(graph: Graph, reports: list[dict[str, Any]], key: bytes | None) -> dict[str, list[dict[str, str]]]:
    """``{report_id, value}`` rows per label for ``share/mark_reported_values``: addresses as given, hashes
    matched to the graph's payment methods and template families hashed under ``key``."""
    marks: dict[str, list[dict[str, str]]] = {name: [] for name in MARKED_LISTS.values()}
    for report in reports:
        marks["ips"] += [{"report_id": report["report_id"], "value": ip} for ip in report["ips"]]
        marks["subnets"] += [{"report_id": report["report_id"], "value": cidr} for cidr in report["subnets"]]
    if key is None:
        return marks
    rows = graph.read("share/read_hashable_values")
    by_hash = {
        (row["label"], digest): row["value"]
        for row, digest in zip(rows, keyed([row["value"] for row in rows], key), strict=True)
    }
    for report in reports:
        for label, field in (("PaymentMethod", "payment_hashes"), ("TemplateFamily", "template_hashes")):
            marks[MARKED_LISTS[label]] += [
                {"report_id": report["report_id"], "value": by_hash[(label, digest)]}
                for digest in report[field]
                if (label, digest) in by_hash
            ]
    return marks
