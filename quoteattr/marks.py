"""Quotation marks: which characters count, and the kind (direct, mixed, indirect) of a quotation."""

from __future__ import annotations

from quoteattr.schema import QuoteKind

DOUBLE_MARKS = frozenset('"“”„‟«»〝〞＂')
SINGLE_MARKS = frozenset("‘’‚‛‹›")
_TRIM = " \t\r\n\xa0.,;:!?-—–()[]"


SINGLE_QUOTE_REACH = 600


def _single_open_before(text: str, index: int) -> bool:
    """Whether a single quotation opened earlier in the paragraph of `index` is still open there."""
    depth = 0
    # bounded look-back: a single quotation is never open for longer than this
    for j in range(max(text.rfind("\n", 0, index) + 1, index - SINGLE_QUOTE_REACH), index):
        char = text[j]
        if char not in SINGLE_MARKS and char != "'":
            continue
        before = text[j - 1] if j > 0 else " "
        after = text[j + 1] if j + 1 < len(text) else " "
        if before.isalnum() and after.isalnum():
            continue
        if char in "‘‚‛‹" or (char == "'" and not before.isalnum() and after.isalnum()):
            depth += 1
        elif depth and char in "’›'":
            depth -= 1
    return depth > 0


def is_mark(text: str, index: int) -> bool:
    """Whether `text[index]` is a quotation mark (a single mark that is an apostrophe is not).

    Apostrophes: inside a word (*don't*, *Russia’s*), eliding a decade (*the ’90s*), and ending a
    word while no single quotation is open (*the senators' votes*, *the Koreas’*).
    """
    char = text[index]
    if char in DOUBLE_MARKS:
        return True
    if char in SINGLE_MARKS or char == "'":
        before = text[index - 1] if index > 0 else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        if before.isalnum() and after.isalnum():
            return False
        elided = before not in DOUBLE_MARKS and before not in SINGLE_MARKS and before != "'"
        if char in "’'" and elided and not before.isalnum() and text[index + 1 : index + 3].isdigit():
            return index + 3 < len(text) and text[index + 3].isdigit()  # '90s, ’08 (but '1990)
        if char in "’'" and before.isalnum():
            return _single_open_before(text, index)
        return True
    return False


def quote_kind(text: str, start: int, end: int) -> QuoteKind:
    """Classify a quotation span by its quotation marks, as the PolNeAR conversion does.

    direct: once whitespace and punctuation are trimmed, it opens and closes with a mark (a mark
    touching the span from outside counts, and so does a mark left open at a paragraph end);
    mixed: it holds a mark but is not direct; indirect: no mark at all.
    """
    s, e = start, end
    while s < e and text[s] in _TRIM:
        s += 1
    while e > s and text[e - 1] in _TRIM:
        e -= 1
    if s >= e:
        return "indirect"
    # a mark touching the span from outside counts, also past trimmed punctuation ("We won." + ")
    opens = is_mark(text, s) or (s > 0 and is_mark(text, s - 1)) or (start > 0 and is_mark(text, start - 1))
    closes = is_mark(text, e - 1) or (e < len(text) and is_mark(text, e)) or (end < len(text) and is_mark(text, end))
    at_paragraph_end = text[e:].lstrip(_TRIM.replace("\n", "")).startswith("\n") or not text[e:].strip()
    if opens and (closes or at_paragraph_end):
        inner = [i for i in range(s + 1, e - 1) if is_mark(text, i)]
        # a closing mark in the middle followed by unquoted words would make it mixed
        if not inner or len(inner) % 2 == 0:
            return "direct"
    if any(is_mark(text, i) for i in range(max(0, start - 1), min(len(text), end + 1))):
        return "mixed"
    return "indirect"
