"""Entities → roles: the roles written next to a speaker's mentions and name, and each entity's role.

Roles come from the tagger's ROLE spans next to a mention (inside it, just before it, or in
apposition just after it) and from rules for the two ways English news mostly writes a role:
- before the name, as a title (*Transport Secretary Alan Brooks*, *Russian Ambassador to the U.N.
  Vasily Nebenzya*, *White House national security spokesman John Kirby*);
- after the name, in apposition (*Maria Delgado, president of the union, said*).
A phrase counts as a role only when a role noun heads it (`lexicon.is_role_noun`).

`RoleFinder` finds them over the text and the tagger's ROLE spans; the entity pass gathers those
of each entity's mentions and name as it resolves them (a role says a person's gender and the
head a later *the spokesperson* refers by), and `entity_roles` chooses each entity's role: the
most specific one, or for a bare title (*Senators*) the fuller description the lead introduced
them with (*Two Republican senators*). A role written once applies to all of that speaker's
quotations.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from quoteattr.attribution.lexicon import APPOSITION_ENDS, DANGLING, LEAD_OPENERS, NOT_ROLE_STARTS, STOP, is_role_noun
from quoteattr.attribution.names import MAX_NAME_OCCURRENCES, other_given_name
from quoteattr.attribution.role_links import RoleContext, RoleLinker
from quoteattr.attribution.spans import TaggedSpan, starting_within
from quoteattr.schema import Span
from quoteattr.text import ARTICLES, DOUBLE_MARKS, OPENING_MARKS, head_word, initialism_end, paragraph_bounds

if TYPE_CHECKING:
    from quoteattr.attribution.entity import Entity

MAX_ROLE_WORDS = 20
MAX_ROLE_LENGTH = 200  # characters; longer tagged roles are not looked for before a name
LEAD_REACH = 1500  # characters before a person's first mention searched for the description that introduced them
_TOKEN = re.compile(r"\S+")
_LEAD_OPENER = "|".join(LEAD_OPENERS)


class RoleFinder:
    """The roles written in one document: the tagger's ROLE spans and those the rules find."""

    def __init__(self, text: str, roles: Sequence[TaggedSpan]) -> None:
        self.text = text
        self.roles = sorted((Span.of(text, r.start, r.end) for r in roles), key=lambda r: r.start)
        self.role_starts = [r.start for r in self.roles]

    def near(self, start: int, end: int) -> list[Span]:
        """Tagged role spans inside `[start, end)`, just before it, or in apposition just after it."""
        found = []
        for role in starting_within(self.roles, self.role_starts, start - MAX_ROLE_LENGTH, end + 6):
            inside = role.start >= start and role.end <= end
            before = 0 <= start - role.end <= 2
            between = self.text[end : role.start].strip(" ,").lower()
            after = 0 <= role.start - end <= 6 and (not between or between in ARTICLES)
            if inside or before or after:
                found.append(role)
        return found

    def of_name(self, name: str) -> list[Span]:
        """The roles written around the first MAX_NAME_OCCURRENCES occurrences of a person's name or
        surname, in text order (not those of a namesake with another given name)."""
        found: list[Span] = []
        surname = name.split()[-1] if name.split() else name
        for match in islice(re.finditer(rf"\b{re.escape(surname)}\b", self.text), MAX_NAME_OCCURRENCES):
            start, end = match.start(), match.end()
            if self.text[start - len(name) + len(surname) : end] == name:
                start = end - len(name)  # the full name is written here
            elif other_given_name(self.text, start, name.split()):
                continue  # *Ali Hussein* is not *Kareem Hussein*
            found += self.near(start, end)
            found += roles_around(self.text, start, end)
        return found

    def phrase(self, start: int, end: int) -> Span | None:
        """`[start, end)` as a role, if a role noun heads it (see `role_phrase`)."""
        return role_phrase(self.text, start, end)


def entity_roles(
    text: str,
    entity_of: Mapping[tuple[int, int], Entity],
    linker: RoleLinker | None = None,
    tagged: Sequence[TaggedSpan] = (),
) -> dict[Entity, str | None]:
    """The role of each entity (keyed by its mentions' offsets): by the rules (`rule_role`), or,
    with a learned `linker`, the candidate it scores highest among those gathered for the entity,
    the lead's description and the `tagged` role spans (the rules' choice, and the tagger's
    probability of each tagged span, are among its features)."""
    first_mention: dict[Entity, int] = {}
    for (start, _), entity in sorted(entity_of.items()):
        first_mention.setdefault(entity, start)
    context = RoleContext.of(text, tagged, entity_of) if linker is not None else None
    chosen: dict[Entity, str | None] = {}
    for entity, first in first_mention.items():
        role, fuller = rule_role(text, entity, first)
        chosen[entity] = role if linker is None or context is None else linker.choose(entity, context, role, fuller)
    return chosen


def rule_role(text: str, entity: Entity, first: int) -> tuple[str | None, Span | None]:
    """The rules' role for an entity first mentioned at `first`: the most specific role found for it,
    a bare title widened to the lead's fuller description (`lead_description`), which is also returned."""
    roles = list(entity.roles.values())
    role = best_role(roles)
    fuller = lead_description(text, role, first) if role and " " not in role else None
    return (best_role([*roles, fuller]) if fuller else role), fuller


def best_role(roles: Sequence[Span]) -> str | None:
    """The most specific (longest) role written for an entity."""
    return max(roles, key=lambda r: (len(r.text), -r.start)).text if roles else None


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(start + m.start(), start + m.end(), m.group()) for m in _TOKEN.finditer(text[start:end])]


def role_phrase(text: str, start: int, end: int) -> Span | None:
    """The phrase without leading determiners and surrounding punctuation, if a role noun heads it."""
    words = _words(text, start, end)
    while words and (words[0][2].lower() in NOT_ROLE_STARTS or not words[0][2].strip(",;:")):
        words = words[1:]  # *the*, *his*, or the *to* of *According to NATO Secretary General Mark Rutte*
    if not words or len(words) > MAX_ROLE_WORDS:
        return None
    first, last = words[0][0], words[-1][1]
    while first < last and (text[first] in OPENING_MARKS or text[first] in "\"'("):  # *"Senator* Cantwell …
        first += 1
    while last > first and text[last - 1] in ",.;:" and initialism_end(text, last - 1) == last - 1:
        last -= 1  # a period that closes an initialism stays (*ambassador to the U.N.*)
    phrase = [w for _, _, w in words]
    if phrase[-1].lower() in DANGLING:  # *spokesperson for the* (White House …): the name is part of a longer one
        return None
    return Span.of(text, first, last) if last > first and is_role_noun(head_word(" ".join(phrase))) else None


def role_before(text: str, name_start: int) -> Span | None:
    """A title written right before a name, in the same clause (*Transport Secretary Alan Brooks*)."""
    line_start, _ = paragraph_bounds(text, name_start)
    words = _words(text, max(line_start, name_start - 160), name_start)
    if not words or text[words[-1][1] : name_start].strip():
        return None
    chosen: int | None = None
    for index in range(len(words) - 1, -1, -1):
        word = words[index][2]
        if (
            word.lower() in STOP
            or word[-1:] in ",;:—–"
            or word[-1:] in DOUBLE_MARKS
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

    A relative clause or a place ends it (*Maria Lopez, a firefighter who has worked …*; *an
    analyst based in Berlin*).
    """
    if text[name_end : name_end + 2] != ", ":
        return None
    start = name_end + 2
    stop = len(text)
    for mark in (",", ";", "\n", ". ", *APPOSITION_ENDS):
        found = text.find(mark, start, start + 200)
        if found != -1:
            stop = min(stop, found)
    if stop == len(text) or text[start : start + 4].lower().startswith(("who ", "whi", "and ")):
        return None
    return role_phrase(text, start, stop)


def roles_around(text: str, name_start: int, name_end: int) -> list[Span]:
    """The roles written before and after one occurrence of a name."""
    found = (role_before(text, name_start), role_after(text, name_end))
    return [role for role in found if role is not None]


def lead_description(text: str, title: str, before: int) -> Span | None:
    """A fuller role for a bare title (*Senators* Marco Rubio and Bill Hagerty): the indefinite
    description with the same head noun that introduced them earlier (*Two Republican senators have
    expressed concern …*), the way a news lead describes people before it names them.

    Only a description with modifiers before its head counts, written at most LEAD_REACH characters
    before the first mention, and not one followed by a name (that would be the title of someone else).
    The first such description is taken.
    """
    head = title.strip(",.;:").lower()
    if not head.isalpha():
        return None
    pattern = re.compile(rf"\b(?i:{_LEAD_OPENER})\s+((?:[\w’'.-]+\s+){{1,3}}(?i:{re.escape(head)}))\b(?!,?\s+[A-Z])")
    match = pattern.search(text, max(0, before - LEAD_REACH), before)
    return role_phrase(text, match.start(1), match.end(1)) if match else None
