"""Names as English news writes them: the type of a mention, the name inside it, full names in the text.

Rules over the words of a mention, shared by the passes that find speaker mentions and resolve
them to entities (and by the learned scorers' features); no pass state here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence

from quoteattr.attribution.lexicon import (
    AFFILIATIONS,
    BODY_LINKS,
    GENERATION_SUFFIXES,
    LINK_WORDS,
    NOT_GIVEN_NAMES,
    PRONOUNS,
    SENTENCE_OPENERS,
    TITLES,
)
from quoteattr.text import ARTICLES, DASHES, NAME_WORD, head_word

MAX_NAME_WORDS = 5  # words of a name written after a description (see apposition_name)
POSSESSIVE_SUFFIXES = ("'s", "’s")  # *Obama's*, *Obama’s*
MAX_NAME_OCCURRENCES = 100  # occurrences of a name searched (for roles, for the rest of the name): titles come early
_LINKS = "|".join(sorted(LINK_WORDS - {"&"}))
_SUFFIXES = frozenset(suffix.lower() for suffix in GENERATION_SUFFIXES)
# two to five name words (particles allowed inside): *Rosa Alvarez*, *Ruben del Campo*
FULL_NAME = re.compile(rf"(?:{NAME_WORD.pattern})(?:[ \t]+(?:{NAME_WORD.pattern}|{_LINKS})){{1,4}}(?![\w’'])")


def mention_type(text: str) -> str:
    """`pronoun`, `name` or `nominal` for a speaker mention's text."""
    words = text.split()
    if not words:
        return "nominal"
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return "pronoun"
    if apposition_name(text) is not None:
        return "name"
    head = head_word(text)
    return "name" if head[:1].isupper() or head[:1].isdigit() else "nominal"


def apposition_name(text: str) -> int | None:
    """Where the name starts in a mention that describes before it names (*Spain's prime minister,
    Pedro Sanchez,*; *The study's lead author, Dr. Helen Fricker of Scripps*); None for other mentions.

    The words after the first comma must open with a name, which ends the mention or is followed
    by a comma or an affiliation (*of*, *from*, *at*).
    """
    description, comma, rest = text.partition(",")
    words = rest.split()
    if not comma or not description.split() or mention_type(description) != "nominal":
        return None
    run = 0
    while run < len(words) and run < MAX_NAME_WORDS:
        word = words[run]
        if not (NAME_WORD.fullmatch(word.rstrip(",")) or (run and word in LINK_WORDS)):
            break
        run += 1
        if word.endswith(","):
            break
    if not run or words[run - 1].rstrip(",") in LINK_WORDS:
        return None
    after = words[run] if run < len(words) else ""
    if after and not words[run - 1].endswith(",") and after not in AFFILIATIONS:
        return None
    return len(description) + 1 + len(rest) - len(rest.lstrip())


def person_name(text: str) -> str:
    """The name inside a named mention: leading titles, roles and lowercase words removed, and what
    follows a comma or a dash or opens a parenthesis (*Sen. Lindsey Graham (R-S.C.)* → *Lindsey Graham*)."""
    words = text.split()
    for index, word in enumerate(words):  # an apposition after a comma or dash, or a parenthesis, is no part of it
        if index and (word.startswith("(") or word in DASHES):
            words = words[:index]
            break
        if word.endswith(","):
            words = [*words[:index], word.rstrip(",")]
            break
    body = body_name(words)
    if body is not None:
        return body
    while len(words) > 1 and (
        words[0].lower().strip(",") in TITLES | SENTENCE_OPENERS
        or not words[0][:1].isupper()
        or words[0].lower() in ARTICLES
    ):
        words = words[1:]
    for index in range(2, len(words)):  # *Jonathan Bamber of the University of Bristol*: the affiliation is not
        if words[index] in AFFILIATIONS and all(personal_name_word(w) for w in words[index - 2 : index]):
            words = words[:index]
            break
    # keep the trailing run of capitalised words (with linking words such as "and", "de")
    keep: list[str] = []
    for word in reversed(words):
        if personal_name_word(word) or (word.lower() in LINK_WORDS and keep):
            keep.insert(0, word)
        else:
            break
    while keep and keep[0].lower() in LINK_WORDS:
        keep = keep[1:]
    return " ".join(keep) if keep else " ".join(words)


def without_suffix(words: Sequence[str]) -> list[str]:
    """A name's words without a generation suffix at the end (*Brent Bozell III* → *Brent Bozell*), in any case."""
    kept = list(words)
    while len(kept) > 1 and kept[-1].lower() in _SUFFIXES:
        kept.pop()
    return kept


def surname_of(name: str) -> str:
    """The last word of a name that is no generation suffix (*Roberts* of *John G. Roberts Jr.*)."""
    words = without_suffix(name.split())
    return words[-1] if words else name


def without_possessive(text: str) -> str:
    """A name or word without its possessive ending (*Obama's* → *Obama*)."""
    return text[:-2] if text.endswith(POSSESSIVE_SUFFIXES) else text


def body_name(words: Sequence[str]) -> str | None:
    """The name of a body written after *the*, its linking words kept (*the Committee to Protect
    Journalists*, *the Federal Bureau of Prisons*); None for any other mention. A person named with
    an affiliation (*Jonathan Bamber of the University of Bristol*) has no *the* before the name."""
    if len(words) < 4 or words[0].lower() != "the" or words[1].lower().strip(".,") in TITLES:
        return None
    name = words[1:]
    if not (personal_name_word(name[0]) and personal_name_word(without_possessive(name[-1]))):
        return None
    if any(w.endswith(POSSESSIVE_SUFFIXES) for w in name[:-1]):
        return None
    if not all(personal_name_word(w) or w in BODY_LINKS for w in name) or not set(name) & BODY_LINKS:
        return None
    return " ".join(name)


def personal_name_word(word: str) -> bool:
    """A capitalised word that is no title: part of a person's own name."""
    return bool(NAME_WORD.fullmatch(word)) and word.lower() not in TITLES


def full_names(text: str, surname: str, name_of: Callable[[int, int], str] | None = None) -> list[tuple[int, str]]:
    """Where a 'First [Middle] Surname [Jr.]' with this surname is written, and that full name, in text order.

    `name_of` takes the name out of each capitalised run ending in the surname (by its offsets);
    by default `person_name` does.
    """
    pattern = (
        rf"((?:{NAME_WORD.pattern})[ \t]+(?:(?:{NAME_WORD.pattern})[ \t]+){{0,2}}){re.escape(surname)}\b"
        rf"(?:[ \t]+(?:{'|'.join(re.escape(suffix) for suffix in GENERATION_SUFFIXES)})(?![\w.]))?"
    )
    found = (
        (match.start(), person_name(match.group(0)) if name_of is None else name_of(match.start(), match.end()))
        for match in re.finditer(pattern, text)
    )
    return [(start, name) for start, name in found if len(name.split()) >= 2]


def widen_surname(name: str, written: Sequence[tuple[int, str]], position: int = 0) -> str:
    """A one-word name widened to a full name `written` in the document (see `full_names`).

    Where several full names share the surname (Bill and Hillary Clinton), the one written last
    before `position` wins, else the first one after it.
    """
    if " " in name or not name[:1].isupper() or not written:
        return name
    index = bisect_left([start for start, _ in written], position)
    return written[index - 1][1] if index else written[0][1]


def other_given_name(text: str, surname_start: int, own_names: Sequence[str]) -> bool:
    """Whether the word right before a surname is someone else's given name (not one of `own_names`,
    not a title, not the end of the previous sentence)."""
    before = text[max(0, surname_start - 40) : surname_start]
    words = before.split()
    if not words or not before.endswith((" ", "\t")) or before.rstrip().endswith((",", ".", ";", ":")):
        return False
    word = words[-1]
    return bool(NAME_WORD.fullmatch(word)) and word not in own_names and word.lower() not in NOT_GIVEN_NAMES
