"""Personal data the tests plant in hostile files, and the search that must find none of it: e-mail addresses, and
card numbers in every spelling (found in a text whatever their spelling, by their bare digits)."""

from __future__ import annotations

import html
import json
import re
import unicodedata

from linkage.graph import Graph

ADDRESSES = ["zq.hostile.ann+x@example.org", "zqhostilebob@gmail.com", "dan.zqhostile@example.com"]
WIDE_EMAIL = "zq.hostile.cat\uff20example.net"  # a full-width at sign: an address all the same
LOCAL_PARTS = ["zq.hostile.ann", "zqhostilebob", "dan.zqhostile", "zq.hostile.cat"]
CARD_NUMBERS = ["4539148803436467", "6011111111111117", "378282246310005"]  # Visa, Discover, Amex (15 digits)
WIDE = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def spellings(digits: str) -> list[str]:
    """A card number as people and systems write it: grouped by dots, no-break, narrow, thin or zero-width spaces,
    dashes, slashes or en dashes, in full-width or Arabic-Indic digits, or bare."""
    groups = [digits[i : i + 4] for i in range(0, len(digits), 4)]
    spaced = [sep.join(groups) for sep in [".", "\u00a0", "\u202f", "\u2009", "\u200b", "-", " / ", "\u2013"]]
    return [*spaced, digits.translate(WIDE), ".".join(groups).translate(WIDE), digits.translate(ARABIC), digits]


SPELLINGS = [spelling for digits in CARD_NUMBERS for spelling in spellings(digits)]


def unescaped(text: str) -> str:
    """A text as a reader sees it: JSON ``\\uXXXX`` escapes and HTML entities decoded."""
    return html.unescape(re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), text))


def bare_digits(text: str) -> str:
    """Every decimal digit of ``text`` in ASCII, letters kept, everything else dropped: a card number in any
    spelling becomes its bare digits."""
    return "".join(str(unicodedata.decimal(c)) if c.isdecimal() else c for c in text if c.isalnum())


def found_in(text: str) -> list[str]:
    """The planted values ``text`` holds: an address or its local part, or a card number in any spelling."""
    text = unescaped(text)
    lowered = text.lower()
    found = [marker for marker in [*ADDRESSES, WIDE_EMAIL, *LOCAL_PARTS] if marker.lower() in lowered]
    digits = bare_digits(text)
    return found + [card for card in CARD_NUMBERS if card in digits]


def graph_text(graph: Graph) -> str:
    """Every property of every node and relationship, as one text."""
    rows = graph.gds.run_cypher("MATCH (n) RETURN labels(n) AS l, properties(n) AS p").to_dict("records")
    rows += graph.gds.run_cypher("MATCH ()-[r]->() RETURN type(r) AS t, properties(r) AS p").to_dict("records")
    return json.dumps(rows, default=str, ensure_ascii=False)
