"""Mentions → entities: which person (or body) each speaker mention refers to, in reading order.

- Names are reduced to the person's name (titles removed); a bare surname is
  widened to the latest person quoted with it, else to the fullest form of that name in the
  document; a shorter form joins the entity whose name holds its words in order.
- Pronouns go to the most recent entity, keeping to a person's gender once a title, role or
  earlier pronoun has said it; *their letter* speaks for its owner.
- Descriptions (*the spokesperson*) go to the most recent entity whose role or mention holds the
  same head noun; an indefinite one (*a spokesperson*) introduces someone new.

Every tagged mention is resolved, not only the chosen speakers: a pronoun refers to the last
person written before it, whether or not that person's own words were quoted. The roles written
next to each entity's mentions and name are gathered as it is resolved (`Entity.roles`), since
a role says a person's gender and the head noun later descriptions refer by.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import islice
from typing import TYPE_CHECKING

from quoteattr.attribution.entity import Entity, RoleSource, head_key
from quoteattr.attribution.lexicon import (
    DEFINITE,
    DOCUMENTS,
    INDEFINITE,
    POSSESSIVES,
    PRONOUN_GENDERS,
    RELATIVE_PRONOUNS,
    SINGULAR_PRONOUNS,
    TITLE_OBJECTS,
    TITLE_PREPOSITIONS,
    is_role_noun,
    word_gender,
)
from quoteattr.attribution.name_spans import WrittenText
from quoteattr.attribution.names import (
    MAX_NAME_OCCURRENCES,
    apposition_name,
    full_names,
    mention_type,
    person_name,
    surname_of,
    widen_surname,
    without_suffix,
)
from quoteattr.attribution.spans import TaggedSpan
from quoteattr.schema import Span
from quoteattr.text import head_word

if TYPE_CHECKING:
    from quoteattr.attribution.coreference import Referents
    from quoteattr.attribution.name_spans import NameScorer

MAX_LOOKBACK = 200  # mentions a pronoun or description may reach back over (bounds the work per mention)


def resolve_entities(
    text: str,
    mentions: Sequence[TaggedSpan],
    roles: RoleSource,
    namer: NameScorer | None = None,
    coreference: Referents | None = None,
) -> dict[tuple[int, int], Entity]:
    """The entity of each mention (sorted by start), by its offsets; `namer`, a learned name scorer,
    takes the names out of named mentions where given (else the rules of `names.person_name` do), and
    `coreference`, a learned resolver, the referents of pronouns and descriptions (else the rules)."""
    resolver = EntityResolver(text, roles, namer, coreference)
    return {(m.start, m.end): resolver.resolve(Span.of(text, m.start, m.end)) for m in mentions}


class EntityResolver:
    """Maps speaker mentions of one document to canonical entities, in reading order."""

    def __init__(
        self,
        text: str,
        roles: RoleSource,
        namer: NameScorer | None = None,
        coreference: Referents | None = None,
    ) -> None:
        self.text = text
        self.roles = roles
        self.namer = namer
        self.coreference = coreference
        self.written = WrittenText(text)  # what the name scorer asks of the text, counted once
        self.entities: dict[str, Entity] = {}
        self.history: list[Entity] = []
        self.spans: list[Span] = []  # the mention of each entity of `history`
        self._full_names: dict[str, list[tuple[int, str]]] = {}  # by surname: each searched for once
        self._surname_genders: dict[str, str | None] = {}  # by surname: `_written_gender`
        self._title_objects_dropped: dict[str, str] = {}  # by name, see _without_title_object

    def _without_title_object(self, name: str, mention: Span) -> str:
        """*Russian Ambassador to North Korea Alexander Matsegora*: after a title's preposition, the
        leading capitalised words name a place or body, not the person. Drops leading words (keeping
        two) that the document also writes without the rest of the name after them, or that name a
        government department (*Secretary of State*)."""
        at = self.text.find(name, mention.start, mention.end)
        before = self.text[max(0, at - 40) : at].split() if at > 0 else []
        if not before or before[-1].lower() not in TITLE_PREPOSITIONS:
            return name
        if name not in self._title_objects_dropped:  # once per name: linear in mentions
            words = name.split()
            while len(words) > 2:
                rest = " " + " ".join(words[1:])
                occurrences = re.finditer(rf"\b{re.escape(words[0])}\b", self.text)
                known = words[0].lower() in TITLE_OBJECTS
                if not known and all(
                    self.text.startswith(rest, m.end()) for m in islice(occurrences, MAX_NAME_OCCURRENCES)
                ):
                    break
                words = words[1:]
            self._title_objects_dropped[name] = " ".join(words)
        return self._title_objects_dropped[name]

    def _named(self, mention: Span) -> Entity:
        near = self.roles.near(mention.start, mention.end)
        name_start = mention.start + (apposition_name(mention.text) or 0)
        if name_start > mention.start:  # the description before the name is a role when a role noun heads it
            described = self.roles.phrase(mention.start, name_start - 1)
            near += [described] if described else []
        name = self._name_in(name_start, mention.end)
        if " " not in name and name[:1].isupper():
            name = self._widened(name, mention.start, word_gender(mention.text.split()[0]))
        if self.namer is None:  # the learned scorer reads the title's object itself: with it, mention names
            name = self._without_title_object(name, mention)  # held out of train are right 0.963 without, 0.961 with
        key = name.lower()
        # a shorter form (*Kirby*, *Rubio and Hagerty*) joins the most recent entity whose name holds its
        # words in order, a name, not a description that ends with one (*A spokeswoman for Hillary Clinton*)
        key = next(
            (
                k
                for k in reversed(self.entities)
                if _is_subsequence(key.split(), k.split()) and mention_type(self.entities[k].name) == "name"
            ),
            key,
        )
        entity = self.entities.get(key)
        if entity is None:
            entity = self.entities[key] = Entity(name, singular=" and " not in name)
        elif len(name) > len(entity.name):
            entity.name = name
        for alias in (mention.text, name, *([surname_of(name)] if " " in name else [])):
            if alias not in entity.aliases:
                entity.aliases.append(alias)
        if entity.roles_gathered_for != entity.name:  # once per name, not per mention: linear in mentions
            entity.roles_gathered_for = entity.name
            entity.add_roles(self.roles.of_name(entity.name))
        entity.add_roles(near)
        entity.learn_gender(mention.text)
        return entity

    def _name_in(self, start: int, end: int) -> str:
        """The name written in a mention from `start` (after any description) to `end`."""
        rules = person_name(self.text[start:end].strip(" ,"))
        return rules if self.namer is None else self.namer.name(self.written, start, end, "mention") or rules

    def _widened(self, surname: str, position: int, gender: str | None = None) -> str:
        """A bare surname: the full name of the latest person so named among recent mentions, else
        the full name written in the document (see `widen_surname`). Known speakers come first, so
        a name inside a quotation (*"Too Late Powell is at it again"*) does not rename one. A surname
        in capitals (a transcript's *WALLACE*) is looked for as running text writes it (*Wallace*).
        A `gender` the mention says (*Mr. Obama*), or else the one the document's honorifics before the
        surname all say, rules out a person of the other gender: a known one, or a full name written
        after a word that says it (*the first lady, Michelle Obama*)."""
        in_text = surname.title() if surname.isupper() and len(surname) > 1 else surname
        gender = gender or self._written_gender(in_text)
        known = self._recent(
            lambda e: (
                e.singular
                and len(e.name.split()) > 1
                and surname_of(e.name) == in_text
                and e.may_be(gender)
                and mention_type(e.name) == "name"
            )
        )
        if known is not None:
            return known.name
        if in_text not in self._full_names:
            namer = self.namer
            name_of = None if namer is None else lambda start, end: namer.name(self.written, start, end, "widen")
            self._full_names[in_text] = full_names(self.text, in_text, name_of)
        written = [(start, name) for start, name in self._full_names[in_text] if self._full_name_may_be(start, gender)]
        widened = widen_surname(in_text, written, position)
        return surname if widened == in_text else widened

    def _written_gender(self, surname: str) -> str | None:
        """The gender of the words written right before `surname` in the document (*Mr.* Obama),
        where they say one and only one."""
        if surname not in self._surname_genders:
            before = re.finditer(rf"(\S+)[ \t]+{re.escape(surname)}\b", self.text)
            said = {word_gender(match.group(1)) for match in islice(before, MAX_NAME_OCCURRENCES)} - {None}
            self._surname_genders[surname] = next(iter(said)) if len(said) == 1 else None
        return self._surname_genders[surname]

    def _full_name_may_be(self, start: int, gender: str | None) -> bool:
        """Whether the full name written at `start` may be of `gender`: none of the three words
        before it says another."""
        if gender is None:
            return True
        said = {word_gender(word) for word in self.text[max(0, start - 40) : start].split()[-3:]} - {None}
        return not said or gender in said

    def _recent(self, wanted: Callable[[Entity], bool]) -> Entity | None:
        """The entity of the latest of the last MAX_LOOKBACK mentions that `wanted` accepts."""
        return next((e for e in islice(reversed(self.history), MAX_LOOKBACK) if wanted(e)), None)

    def resolve(self, mention: Span) -> Entity:
        """The entity a mention refers to (creating it for a new name or an unresolvable mention)."""
        kind = mention_type(mention.text)
        entity = self._named(mention) if kind == "name" else self._referent(mention, kind)
        described = self.roles.phrase(mention.start, mention.end) if kind == "nominal" else None
        if entity is None:
            entity = Entity(_description_name(mention.text), [mention.text], heads={head_key(mention.text)})
            entity.learn_gender(mention.text)
            entity.add_roles(self.roles.near(mention.start, mention.end))
            entity.add_roles([described] if described else [])
            entity.singular = kind != "pronoun" and not head_word(mention.text).lower().endswith("s")
        else:
            if mention.text not in entity.aliases:
                entity.aliases.append(mention.text)
            if described is not None:
                entity.descriptions.setdefault((described.start, described.end), described)
        self.history.append(entity)
        self.spans.append(mention)
        return entity

    def _referent(self, mention: Span, kind: str) -> Entity | None:
        """The known entity a pronoun or description refers to, or None for someone new: the rules'
        choice, or the learned resolver's where given. A singular pronoun says its referent's gender."""
        pronoun = mention.text.split()[0].lower()  # *their letter continued*: the letter speaks for them
        referring = "pronoun" if kind == "pronoun" or _possessed_document(mention.text) else kind
        rule = self._rule_referent(mention, referring)
        entity = rule if self.coreference is None else self.coreference.choose(self, mention, referring, rule)
        if referring == "pronoun" and entity is not None and entity.gender is None:
            entity.gender = PRONOUN_GENDERS.get(pronoun)
        return entity

    def _rule_referent(self, mention: Span, kind: str) -> Entity | None:
        """The rules' referent of a pronoun (gender first, then number) or a description (its head noun)."""
        if kind == "pronoun":
            pronoun = mention.text.split()[0].lower()
            if pronoun not in SINGULAR_PRONOUNS:
                return self._recent(lambda e: True)
            gender = PRONOUN_GENDERS[pronoun]
            return (
                self._recent(lambda e: e.singular and e.person_like and e.may_be(gender))
                or self._recent(lambda e: e.singular and e.may_be(gender))
                or self._recent(lambda e: e.singular)
            )
        head = head_key(mention.text)
        determiner = mention.text.split()[0].lower()
        # an indefinite nominal (*a spokesperson*) introduces someone new
        entity = None if determiner in INDEFINITE else self._recent(lambda e: head in e.heads)
        if entity is None and determiner in DEFINITE and is_role_noun(head) and not head.endswith("s"):
            entity = self._recent(lambda e: e.singular and e.person_like)  # *the official*, not *the ministry*
        return entity


def _description_name(text: str) -> str:
    """A mention as the name of the speaker it describes, without the relative pronoun the tagger
    sometimes takes along (*One investor, who* → *One investor*)."""
    words = text.rstrip(" ,").split()
    if len(words) > 1 and words[-1].lower() in RELATIVE_PRONOUNS:
        words = words[:-1]
    return " ".join(words).rstrip(",") or text


def _possessed_document(text: str) -> bool:
    """*their letter*, *his statement*: a text that speaks for its owner."""
    words = text.lower().split()
    return len(words) == 2 and words[0] in POSSESSIVES and words[1] in DOCUMENTS


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    """Whether the words of `short` appear in `long` in the same order, the last words aligned (a
    generation suffix aside: *bozell* in *brent bozell iii*)."""
    short, long = without_suffix(short), without_suffix(long)
    if not short or len(short) > len(long) or short[-1] != long[-1]:
        return False
    words = iter(long)
    return all(word in words for word in short)
