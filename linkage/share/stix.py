"""A night's banned networks as a STIX 2.1 bundle, from plain values and without a database.

What a partner can act on leaves: a ``campaign`` per banned cluster, its proxy pool as an ``infrastructure`` of type
``anonymization`` made of ``ipv4-addr``/``ipv6-addr`` observables, an ``indicator`` with a STIX pattern per address
and CIDR, the ``attack-pattern`` of model extraction through an inference API (MITRE ATLAS AML.T0024), the producer's
``identity`` and a TLP 2.0 marking. Payment methods and template families leave only as HMACs under the key partners
agree on, in linkage's own extension (an ``extension-definition``, not ``x_`` properties). Ids are derived from what
they name (a re-export names the same objects, so an import of it MERGEs onto the first), shaped as the UUIDv4s the
validator expects.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import stix2

TLP_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"  # OASIS TLP 2.0
TLP_CREATED = "2022-10-01T00:00:00.000Z"
LINKAGE_EXTENSION = "extension-definition--6f1b3a52-8c4e-4d6a-9b2f-0e7c1d5a4b93"  # linkage's shared values
LINKAGE_PROJECT = "identity--0b9d6c8e-51a7-4f3e-8d2c-7a4e6b1f9c05"  # who defines that extension
PUBLISHED = datetime(2026, 1, 1, tzinfo=UTC)  # the date of the objects every bundle carries alike
HASH_NAME = "HMAC-SHA256 under LINKAGE_SHARE_KEY"
ATLAS_TECHNIQUE = "AML.T0024"


class Tlp(StrEnum):
    """TLP 2.0 levels and the marking-definition ids OASIS publishes for them (cti-stix-common-objects)."""

    CLEAR = "clear"
    GREEN = "green"
    AMBER = "amber"
    AMBER_STRICT = "amber+strict"
    RED = "red"

    @property
    def marking_id(self) -> str:
        return TLP_MARKINGS[self]


TLP_MARKINGS = {
    Tlp.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    Tlp.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    Tlp.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    Tlp.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    Tlp.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}


@dataclass(frozen=True)
class SharedCluster:
    """A banned cluster as it may leave: network values raw, payment and template values already keyed hashes."""

    cluster_id: str
    confidence: int  # 0-100, from the cluster's score
    first_seen: datetime
    last_seen: datetime
    banned_accounts: int
    community_size: int
    evidence: list[str]
    addresses: dict[str, int] = field(default_factory=dict)  # address or CIDR -> an indicator's confidence
    payment_hashes: list[str] = field(default_factory=list)
    template_hashes: list[str] = field(default_factory=list)
    account_ids: list[str] | None = None  # only with --include-account-ids


def stix_id(kind: str, *parts: str) -> str:
    """A stable id for what ``parts`` name, shaped as a UUIDv4 (the validator warns on any other version)."""
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode()).digest()
    return f"{kind}--{uuid.UUID(bytes=digest[:16], version=4)}"


def bundle(clusters: list[SharedCluster], producer: str, tlp: Tlp) -> dict[str, Any]:
    """The bundle of ``clusters`` as a JSON-ready dict, every object but the marking and the extension's own
    definition created by ``producer`` and marked ``tlp``."""
    identity = stix2.v21.Identity(
        id=stix_id("identity", producer),
        name=producer,
        identity_class="organization",
        description="Producer of this bundle: an operator of linkage, which finds model-distillation networks.",
        created=PUBLISHED,
        modified=PUBLISHED,
    )
    common = {"created_by_ref": identity.id, "object_marking_refs": [tlp.marking_id]}
    technique = _technique(producer, common)
    objects: list[Any] = [_tlp_marking(tlp), _project(), _extension_definition(), identity, technique]
    for cluster in clusters:
        objects += _cluster_objects(cluster, producer, technique.id, common)
    ids = sorted(str(obj.id) for obj in objects)
    stix_bundle = stix2.v21.Bundle(objects, id=stix_id("bundle", producer, *ids))
    return dict(json.loads(stix_bundle.serialize()))


def _tlp_marking(tlp: Tlp) -> stix2.v21.MarkingDefinition:
    return stix2.v21.MarkingDefinition(
        id=tlp.marking_id,
        created=TLP_CREATED,
        name=f"TLP:{tlp.value.upper()}",
        extensions={TLP_EXTENSION: {"extension_type": "property-extension", "tlp_2_0": tlp.value}},
    )


def _project() -> stix2.v21.Identity:
    return stix2.v21.Identity(
        id=LINKAGE_PROJECT,
        name="linkage project",
        identity_class="organization",
        description="Maintainers of linkage and of its extension for values shared as keyed hashes.",
        created=PUBLISHED,
        modified=PUBLISHED,
    )


def _extension_definition() -> stix2.v21.ExtensionDefinition:
    return stix2.v21.ExtensionDefinition(
        id=LINKAGE_EXTENSION,
        created_by_ref=LINKAGE_PROJECT,
        created=PUBLISHED,
        modified=PUBLISHED,
        name="linkage shared values",
        description="What linkage knows of a banned network that a STIX pattern cannot carry: payment methods and "
        "prompt template families as keyed hashes, how many accounts were banned, the kinds of evidence.",
        schema="A property-extension of campaign objects (linkage README, 'Indicators (STIX 2.1)'): cluster_id, "
        "banned_accounts and community_size (integers), evidence (kinds of evidence), hash (how values are "
        "hashed), payment_hashes and template_hashes (hex HMAC-SHA256 of payment fingerprints and template family "
        "ids under a key partners agree on), account_ids (optional).",
        version="1.0.0",
        extension_types=["property-extension"],
    )


def _technique(producer: str, common: dict[str, Any]) -> stix2.v21.AttackPattern:
    return stix2.v21.AttackPattern(
        id=stix_id("attack-pattern", producer, ATLAS_TECHNIQUE),
        name="Exfiltration via AI Inference API",
        description="Model extraction (distillation): many accounts harvest a model's answers through its inference "
        "API to train another model on them (MITRE ATLAS AML.T0024, sub-technique AML.T0024.002).",
        external_references=[{"source_name": "mitre-atlas", "external_id": ATLAS_TECHNIQUE}],
        created=PUBLISHED,
        modified=PUBLISHED,
        **common,
    )


def _cluster_objects(cluster: SharedCluster, producer: str, technique_id: str, common: dict[str, Any]) -> list[Any]:
    """The campaign of one cluster, its infrastructure, indicators and the relationships between them."""
    times = {"created": cluster.first_seen, "modified": cluster.last_seen}
    extension: dict[str, Any] = {
        "extension_type": "property-extension",
        "cluster_id": cluster.cluster_id,
        "banned_accounts": cluster.banned_accounts,
        "community_size": cluster.community_size,
        "evidence": cluster.evidence,
        "hash": HASH_NAME,
        "payment_hashes": cluster.payment_hashes,
        "template_hashes": cluster.template_hashes,
    }
    if cluster.account_ids is not None:
        extension["account_ids"] = cluster.account_ids
    # STIX allows no empty list: a cluster whose bans share no card (or no family) leaves the property out
    extension = {name: value for name, value in extension.items() if value != []}
    campaign = stix2.v21.Campaign(
        id=stix_id("campaign", producer, cluster.cluster_id),
        name=f"Distillation network {cluster.cluster_id}",
        description=f"{cluster.banned_accounts} accounts banned for harvesting a model's answers together "
        f"(a community of {cluster.community_size}); evidence: {', '.join(cluster.evidence) or 'none recorded'}.",
        objective="Harvest a model's answers through its inference API to train another model on them.",
        first_seen=cluster.first_seen,
        last_seen=cluster.last_seen,
        confidence=cluster.confidence,
        extensions={LINKAGE_EXTENSION: extension},
        **times,
        **common,
    )
    objects: list[Any] = [campaign, _relationship("uses", campaign.id, technique_id, producer, times, common)]
    if not cluster.addresses:
        return objects
    infrastructure = stix2.v21.Infrastructure(
        id=stix_id("infrastructure", producer, cluster.cluster_id),
        name=f"Proxy pool of {cluster.cluster_id}",
        description="Addresses and networks the network's banned accounts connected from, mostly used by them.",
        infrastructure_types=["anonymization"],
        first_seen=cluster.first_seen,
        last_seen=cluster.last_seen,
        **times,
        **common,
    )
    objects += [infrastructure, _relationship("uses", campaign.id, infrastructure.id, producer, times, common)]
    for address, confidence in sorted(cluster.addresses.items()):
        kind = "ipv6-addr" if ":" in address else "ipv4-addr"
        is_network = "/" in address
        indicator = stix2.v21.Indicator(
            id=stix_id("indicator", producer, cluster.cluster_id, address),
            name=f"{'Network' if is_network else 'Address'} {address} of {cluster.cluster_id}",
            description=f"{'Network' if is_network else 'Address'} the banned accounts of {cluster.cluster_id} "
            "connected from; the confidence is the cluster's times the share of its users that are banned.",
            pattern=f"[{kind}:value {'ISSUBSET' if is_network else '='} '{address}']",
            pattern_type="stix",
            indicator_types=["anonymization"],
            valid_from=cluster.first_seen,
            confidence=confidence,
            **times,
            **common,
        )
        objects += [indicator, _relationship("indicates", indicator.id, campaign.id, producer, times, common)]
        if not is_network:
            observable_type = stix2.v21.IPv6Address if kind == "ipv6-addr" else stix2.v21.IPv4Address
            observable = observable_type(value=address, object_marking_refs=common["object_marking_refs"])
            objects += [
                observable,
                _relationship("consists-of", infrastructure.id, observable.id, producer, times, common),
            ]
    return objects


def _relationship(
    kind: str, source: str, target: str, producer: str, times: dict[str, datetime], common: dict[str, Any]
) -> stix2.v21.Relationship:
    return stix2.v21.Relationship(
        id=stix_id("relationship", producer, kind, source, target),
        relationship_type=kind,
        source_ref=source,
        target_ref=target,
        **times,
        **common,
    )
