"""IP addresses as the graph keeps them: one canonical text per address, and whether it is evidence at all.

An address has one spelling in the graph: an IPv4-mapped IPv6 address (``::ffff:203.0.113.10``) is the IPv4
address it carries, and a zone id (``fe80::1%eth0``) is dropped, since it names the sender's interface, not another
host. Addresses that do not route on the internet (loopback, link-local, private, shared, documentation, reserved,
multicast) say nothing about who shares a network with whom: thousands of homes are 192.168.1.10. They are kept,
marked ``routable: false``, and count as no evidence.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

import numpy as np
import pandas as pd

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> IPAddress | None:
    """The canonical address of ``text``: mapped IPv4 unwrapped, zone id dropped; None when it is no address."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address.scope_id is not None:
            return ipaddress.IPv6Address(address.packed)
    return address


@lru_cache(maxsize=1_000_000)
def canonical_ip(text: str) -> tuple[str, int, str] | None:
    """(canonical address, version, subnet: /24 for IPv4, /48 for IPv6) or None."""
    address = _address(text)
    if address is None:
        return None
    prefix = 24 if address.version == 4 else 48
    return str(address), address.version, str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def is_routable(text: str) -> bool:
    """Whether a canonical address (or a network's, given as its address) is a public unicast one, which may be
    evidence shared between accounts."""
    address = ipaddress.ip_address(text.partition("/")[0])
    return address.is_global and not address.is_multicast


def routable(addresses: pd.Series) -> np.ndarray:
    """:func:`is_routable` of each canonical address or CIDR network (once per distinct value)."""
    flags = {text: is_routable(text) for text in addresses.unique().tolist()}
    return addresses.map(flags).to_numpy(dtype=bool)


def canonical_network(text: str) -> str | None:
    try:
        return str(ipaddress.ip_network(text.strip(), strict=False))
    except ValueError:
        return None


OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
CANONICAL_IPV4 = rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}"  # what str(ipaddress.ip_address(...)) prints for IPv4


def parse_ips(values: pd.Series) -> pd.DataFrame:
    """Columns ip, version, subnet (None where the value is not an address). A value already written as a
    canonical dotted quad (most rows) is its own address and loses its last octet for the /24, in Arrow's regex
    kernels; any other value goes through ``ipaddress``, once per distinct value."""
    quad = values.str.fullmatch(CANONICAL_IPV4).to_numpy(dtype=bool)
    out = pd.DataFrame(
        {
            "ip": values.where(quad).astype(object),
            "version": np.where(quad, 4, 0),
            "subnet": values.str.replace(r"\.[0-9]+$", ".0/24", regex=True).where(quad).astype(object),
        },
        index=values.index,
    )
    others = values[~quad]
    parsed = others.map(canonical_ip)
    valid = parsed.notna()
    if valid.any():
        out.loc[others.index[valid], ["ip", "version", "subnet"]] = pd.DataFrame(
            parsed[valid].tolist(), index=others.index[valid]
        ).to_numpy()
    return out
