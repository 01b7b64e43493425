"""Roles and titles written next to a speaker's name, found by rules over the text.

The tagger's ROLE family is learned from the small seed corpus alone, so these rules back it up
with the three ways English news writes a role:
- before the name, as a title (*Transport Secretary Alan Brooks*, *Russian Ambassador to the U.N.
  Vasily Nebenzya*, *White House national security spokesman John Kirby*);
- after the name, in apposition (*Maria Delgado, president of the union, said*);
- inside a speaker mention that holds both (*Jung Pak, deputy assistant secretary of state, …*).
A phrase counts as a role only when its head noun is a role noun (a closed list of common
titles and occupations, plus agent-noun endings such as *-man*, *-person*, *-or*, *-ist*).
"""

from __future__ import annotations

import re

from quoteattr.schema import Span

ROLE_NOUNS = frozenset(
    {"president", "secretary", "minister", "ambassador", "spokesman", "spokeswoman", "spokesperson", "director"}
    | {"coordinator", "adviser", "advisor", "official", "representative", "envoy", "senator", "governor", "mayor"}
    | {"chairman", "chairwoman", "chair", "chief", "head", "leader", "member", "commander", "general", "diplomat"}
    | {"lawmaker", "congressman", "congresswoman", "professor", "economist", "analyst", "researcher", "expert"}
    | {"attorney", "lawyer", "judge", "justice", "prosecutor", "candidate", "nominee", "founder", "ceo", "executive"}
    | {"manager", "owner", "editor", "correspondent", "reporter", "author", "strategist", "consultant", "aide"}
    | {"deputy", "counsel", "chancellor", "premier", "king", "queen", "prince", "pope", "bishop", "officer"}
    | {"administrator", "commissioner", "inspector", "auditor", "treasurer", "speaker", "whip", "delegate"}
    | {"senators", "officials", "ministers", "lawmakers", "leaders", "members", "representatives", "diplomats"}
    | {"coach", "captain", "sergeant", "lieutenant", "colonel", "admiral", "sheriff", "nurse", "surgeon", "pilot"}
    | {"advocate", "chef", "priest", "rabbi", "imam", "cardinal", "archbishop", "dean", "principal", "cfo"}
    | {"cto", "coo"}
    | {"councilor", "councillor", "councilman", "councilwoman", "alderman", "supervisor", "comptroller", "trustee"}
    | {"superintendent", "assemblyman", "assemblywoman", "assemblymember", "legislator", "magistrate", "marshal"}
    | {"detective", "investigator", "solicitor", "barrister", "ombudsman", "undersecretary", "secretary-general"}
)
_AGENT_ENDINGS = ("man", "woman", "person", "ist", "ent", "ary", "or", "er")
_NOT_ROLES = frozenset(
    {"order", "number", "matter", "letter", "paper", "other", "another", "year", "after", "water", "border"}
    | {"government", "statement", "department", "parliament", "movement", "agreement", "comment", "moment"}
    | {"document", "amendment", "investment", "environment", "management", "incident", "sector", "corridor"}
    | {"brother", "sister", "mother", "father", "daughter", "grandmother", "grandfather"}  # kin, not roles
)
_STOP = frozenset(
    {"said", "says", "told", "added", "by", "with", "and", "but", "that", "as", "from", "when", "while", "who"}
    | {"according", "urged", "noted", "stated", "wrote", "asked", "announced", "in", "on", "its", "his", "her"}
)
POSSESSIVES = frozenset({"his", "her", "their", "its", "our", "my", "your"})
_DANGLING = frozenset({"the", "a", "an", "of", "for", "to", "at", "on", "in", "with", "from", "and", "or", "by"})
_NOT_ROLE_STARTS = _DANGLING | POSSESSIVES  # *the*, *his*, the *to* of *According to*
_NOT_MODIFIERS = _STOP | _DANGLING  # words that are no part of a lead description before its head
_TOKEN = re.compile(r"\S+")
_OPENING_MARKS = "\"“‘'«„("
_AGE = re.compile(r"\d{1,3}, ")
_INDEFINITE = "a|an|two|three|four|five|six|several|some|many"  # openers of a lead description
_SENTENCE_START = re.compile(r"(?:^|\n|[.!?][\"”’']?\s+)", re.M)
MAX_ROLE_WORDS = 20
LEAD_REACH = 1500  # characters before a person's first mention searched for the description that introduced them


def is_role_noun(word: str) -> bool:
    """Whether a word can head a role phrase (*spokesman*, *coordinator*, *Secretary*)."""
    plain = word.strip(",.;:'’\"()").lower()
    if plain in ROLE_NOUNS:
        return True
    return len(plain) > 5 and plain not in _NOT_ROLES and plain.isalpha() and plain.endswith(_AGENT_ENDINGS)


def role_head(words: list[str]) -> str:
    """The head of a role phrase: its last word before a preposition, else its last word."""
    for index, word in enumerate(words):
        if index and word.lower() in {"of", "for", "to", "at", "on", "in", "with"}:
            return words[index - 1]
    return words[-1] if words else ""


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(start + m.start(), start + m.end(), m.group()) for m in _TOKEN.finditer(text[start:end])]


def role_phrase(text: str, start: int, end: int) -> Span | None:
    """The phrase without leading determiners and surrounding punctuation, if a role noun heads it."""
    words = _words(text, start, end)
    while words and (words[0][2].lower() in _NOT_ROLE_STARTS or not words[0][2].strip(",;:")):
        words = words[1:]  # *the*, *his*, or the *to* of *According to NATO Secretary General Mark Rutte*
    if not words or len(words) > MAX_ROLE_WORDS:
        return None
    first, last = words[0][0], words[-1][1]
    while first < last and text[first] in _OPENING_MARKS:  # *"Senator* Cantwell is focused …"
        first += 1
    while last > first and text[last - 1] in ",.;:":
        last -= 1
    if text[last - 3 : last] in {"U.N", "U.S"}:  # keep the full stop of an abbreviation
        last += 1
    phrase = [w for _, _, w in words]
    if phrase[-1].lower() in _DANGLING:  # *spokesperson for the* (White House …): the name is part of a longer one
        return None
    return Span.of(text, first, last) if last > first and is_role_noun(role_head(phrase)) else None


def role_before(text: str, name_start: int) -> Span | None:
    """A title written right before a name, in the same clause (*Transport Secretary Alan Brooks*)."""
    line_start = text.rfind("\n", 0, name_start) + 1
    words = _words(text, max(line_start, name_start - 160), name_start)
    if not words or text[words[-1][1] : name_start].strip():
        return None
    chosen: int | None = None
    for index in range(len(words) - 1, -1, -1):
        word = words[index][2]
        if (
            word.lower() in _STOP
            or word[-1:] in ',;:"“”—–'
            or word in {"-", "--"}
            or (word.endswith(".") and len(word) > 4)
        ):
            break
        chosen = index
    if chosen is None:
        return None
    return role_phrase(text, words[chosen][0], words[-1][1])


def role_after(text: str, name_end: int) -> Span | None:
    """An apposition right after a name (*Maria Delgado, president of the union, said*).

    An age before it is skipped (*Carlos Martinez, 54, a shop owner*), and a relative clause or a
    place ends it (*Maria Lopez, a firefighter who has worked …*; *an analyst based in Berlin*).
    """
    if text[name_end : name_end + 2] != ", ":
        return None
    start = name_end + 2
    age = _AGE.match(text, start)
    if age:
        start = age.end()
    stop = len(text)
    for mark in (",", ";", "\n", ". ", " said", " told", " says", " who ", " whose ", " which ", " that ", " based "):
        found = text.find(mark, start, start + 200)
        if found != -1:
            stop = min(stop, found)
    if stop == len(text) or text[start : start + 4].lower().startswith(("who ", "whi", "and ")):
        return None
    return role_phrase(text, start, stop)


def description_before(text: str, name_start: int, name_end: int) -> Span | None:
    """A description that opens the sentence and is set off by commas before the name (*A spokesman
    for the Sackler family, Daniel Connolly, said*; *Purdue's chief executive, Craig Landau, was*)."""
    comma = text.rfind(",", max(0, name_start - 200), name_start)
    if comma == -1 or text[comma + 1 : name_start].strip() or text[name_end : name_end + 1] != ",":
        return None
    opening = max((m.end() for m in _SENTENCE_START.finditer(text, max(0, comma - 200), comma)), default=None)
    if opening is None:
        return None
    words = text[opening:comma].split()
    if not words or not (words[0].lower() in {"a", "an", "the"} or words[0].endswith(("'s", "’s"))):
        return None
    return role_phrase(text, opening, comma)


def roles_around(text: str, name_start: int, name_end: int) -> list[Span]:
    """The roles written before and after one occurrence of a name."""
    found = (role_before(text, name_start), description_before(text, name_start, name_end), role_after(text, name_end))
    return [role for role in found if role is not None]


def lead_description(text: str, title: str, before: int) -> Span | None:
    """A fuller role for a bare title (*Senators* Marco Rubio and Bill Hagerty): the indefinite
    description with the same head noun that introduced them earlier (*Two Republican senators have
    expressed concern …*), the way a news lead describes people before it names them.

    Only a description with modifiers before its head counts, written at most LEAD_REACH characters
    before the first mention, and not one followed by a name (that would be the title of someone else).
    """
    head = title.strip(",.;:").lower()
    if not head.isalpha():
        return None
    pattern = re.compile(rf"\b(?i:{_INDEFINITE})\s+((?:[\w’'.-]+\s+){{1,3}}(?i:{re.escape(head)}))\b(?!,?\s+[A-Z])")
    for match in pattern.finditer(text, max(0, before - LEAD_REACH), before):
        words = match.group(1).split()
        if not any(w.lower() in _NOT_MODIFIERS for w in words):
            return role_phrase(text, match.start(1), match.end(1))
    return None
