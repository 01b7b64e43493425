"""The one place for what a text is made of: quotation marks, paragraphs, sentences and head words.

- Quotation marks: which characters count (`DOUBLE_MARKS`, `SINGLE_MARKS`; an apostrophe is no
  mark, see `is_mark`), the kind of a quotation (`quote_kind`) and a span without its marks and
  punctuation (`trimmed`).
- A paragraph is a line: `paragraph_bounds` gives the line holding an index, `previous_paragraph`
  the last line before it with something on it, `paragraphs` every such line.
- A sentence ends at `.`, `!` or `?` (a closing mark may follow) before whitespace and a capital
  or an opening mark (`SENTENCE_END`, `sentence_start`).
- The head of a noun phrase: `head_word`.
- The period of an initialism is part of it, also where it ends a sentence (*the U.N.*):
  `initialism_end`.
"""

from __future__ import annotations

import re

from quoteattr.schema import QuoteKind

DOUBLE_MARKS = frozenset('"“”„‟«»〝〞＂')
SINGLE_MARKS = frozenset("‘’‚‛‹›")
OPENING_MARKS = frozenset("“„‟«〝‘‚‛‹")
CLOSING_MARKS = frozenset("”»〞’›")  # anything else that is a mark (straight quotes) opens or closes by context
# whitespace and punctuation around a quotation that say nothing about its marks
PUNCTUATION = " \t\r\n\xa0.,;:!?-—–()[]"
DASHES = frozenset({"-", "--", "—", "–"})  # a dash written as a word of its own opens or closes an aside
# ... and with the marks themselves (and the grave accent some corpora open a quotation with)
_EDGE = PUNCTUATION + "".join(sorted(DOUBLE_MARKS | SINGLE_MARKS)) + "'`"
SINGLE_QUOTE_REACH = 600  # characters: a single quotation is never open for longer than this

# a capitalised word, with one inner capital allowed (McConnell, DeSantis, LoPachin) and hyphenated parts,
# or an acronym (IG Metall; also II, III)
NAME_WORD = re.compile(
    r"(?:O['’])?[A-Z][a-zà-ÿ'’]+(?:[A-Z][a-zà-ÿ'’]+)?(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]{2,}|[A-Z]\.|Jr\.|Sr\."
)
# the grammar words a head word is found by: a phrase's head comes before its prepositional phrase
PREPOSITIONS = frozenset({"for", "of", "at", "from", "with", "in", "to", "on"})
ARTICLES = frozenset({"the", "a", "an"})

INITIALISM = re.compile(r"\b(?:[A-Za-z]\.)+[A-Za-z]\Z")  # U.N, U.S, D.C, without their last period
SENTENCE_END = re.compile(r"[.!?][\"”’']?\s+(?=[A-Z\"“‘'])")
PARAGRAPH = re.compile(r"[^\n]*\S[^\n]*")  # a line with something on it


def _single_open_before(text: str, index: int) -> bool:
    """Whether a single quotation opened earlier in the paragraph of `index` is still open there."""
    depth = 0
    for j in range(max(paragraph_bounds(text, index)[0], index - SINGLE_QUOTE_REACH), index):
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


_PUNCTUATION_IN_LINE = PUNCTUATION.replace("\n", "")


def _ends_paragraph(text: str, at: int) -> bool:
    """Whether only punctuation stands between `at` and a line break, or only white space between
    `at` and the end of the text (read forward from `at`, never copying the rest of the text)."""
    after = at
    while after < len(text) and text[after] in _PUNCTUATION_IN_LINE:
        after += 1
    if after < len(text) and text[after] == "\n":
        return True
    while at < len(text) and text[at].isspace():
        at += 1
    return at == len(text)


def quote_kind(text: str, start: int, end: int) -> QuoteKind:
    """Classify a quotation span by its quotation marks, as the PolNeAR conversion does.

    direct: once whitespace and punctuation are trimmed, it opens and closes with a mark (a mark
    touching the span from outside counts, and so does a mark left open at a paragraph end);
    mixed: it holds a mark but is not direct; indirect: no mark at all.
    """
    s, e = start, end
    while s < e and text[s] in PUNCTUATION:
        s += 1
    while e > s and text[e - 1] in PUNCTUATION:
        e -= 1
    if s >= e:
        return "indirect"
    # a mark touching the span from outside counts, also past trimmed punctuation ("We won." + ")
    opens = is_mark(text, s) or (s > 0 and is_mark(text, s - 1)) or (start > 0 and is_mark(text, start - 1))
    closes = is_mark(text, e - 1) or (e < len(text) and is_mark(text, e)) or (end < len(text) and is_mark(text, end))
    at_paragraph_end = _ends_paragraph(text, e)
    if opens and (closes or at_paragraph_end):
        inner = [i for i in range(s + 1, e - 1) if is_mark(text, i)]
        # a closing mark in the middle followed by unquoted words would make it mixed
        if not inner or len(inner) % 2 == 0:
            return "direct"
    if any(is_mark(text, i) for i in range(max(0, start - 1), min(len(text), end + 1))):
        return "mixed"
    return "indirect"


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without surrounding whitespace, quotation marks and punctuation."""
    while start < end and text[start] in _EDGE:
        start += 1
    while end > start and text[end - 1] in _EDGE:
        end -= 1
    return start, end


def paragraph_bounds(text: str, index: int) -> tuple[int, int]:
    """The `[start, end)` of the line (paragraph) holding `index`."""
    return text.rfind("\n", 0, index) + 1, (text.find("\n", index) + 1 or len(text) + 1) - 1


def previous_paragraph(text: str, index: int) -> tuple[int, int] | None:
    """Bounds of the last non-blank paragraph before the one holding `index`."""
    first, _ = paragraph_bounds(text, index)
    end = first - 1
    while end > 0:
        start, stop = paragraph_bounds(text, end - 1)
        if text[start:stop].strip():
            return start, stop
        end = start - 1
    return None


def paragraphs(text: str) -> list[tuple[int, int]]:
    """`[start, end)` of each paragraph with something on it, without its leading and trailing whitespace."""
    bounds = []
    for match in PARAGRAPH.finditer(text):
        line = match.group()
        bounds.append((match.start() + len(line) - len(line.lstrip()), match.start() + len(line.rstrip())))
    return bounds


def sentence_start(text: str, index: int, reach: int) -> int | None:
    """Where the sentence holding `index` starts: after the last sentence end or paragraph break
    before it; None when neither is within `reach` characters."""
    low = max(0, index - reach)
    line_start = paragraph_bounds(text, index)[0]
    ends = [match.end() for match in SENTENCE_END.finditer(text, max(low, line_start), index)]
    if ends:
        return ends[-1]
    return line_start if line_start >= low else None


def head_word(phrase: str) -> str:
    """The head of a noun phrase, without the punctuation and marks around it.

    An apposition after a comma or a dash does not count (*Jung Pak, deputy …* → *Pak*), nor does a
    parenthesis (*Sen. Lindsey Graham (R-S.C.)* → *Graham*). A phrase ending in
    a name whose preceding word is not a preposition or article ends in its head (*coordinator for
    communications John Kirby* → *Kirby*); otherwise the head is the last word before a preposition
    (*a spokesperson for the State Department* → *spokesperson*; *analyst at Compass Point Research
    & Trading* → *analyst*), else the last word.
    """
    words = phrase.split()
    for index, word in enumerate(words):
        if index and (word.startswith("(") or word in DASHES):
            words = words[:index]
            break
        if word.endswith(","):
            words = words[: index + 1]
            break
    clean = [w.strip(",.;:'’\"") for w in words]
    if not clean:
        return ""
    run = len(clean)  # the trailing run of name words, with the *and* or *&* between them
    while run > 0 and (NAME_WORD.fullmatch(clean[run - 1]) or (run < len(clean) and clean[run - 1] in {"and", "&"})):
        run -= 1
    if run < len(clean) and (run == 0 or clean[run - 1].lower() not in PREPOSITIONS | ARTICLES):
        return clean[-1]
    for index, word in enumerate(clean):
        if index and word.lower() in PREPOSITIONS:
            return clean[index - 1]
    return clean[-1]


def initialism_end(text: str, end: int) -> int:
    """`end`, or one past it where the period there closes an initialism that ends at `end` (*the
    U.N.*, *Washington, D.C.*), which a sentence's own period does not double."""
    if end < len(text) and text[end] == "." and INITIALISM.search(text, max(0, end - 16), end):
        return end + 1
    return end
