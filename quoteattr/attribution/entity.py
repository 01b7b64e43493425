"""One speaker entity of a document, as the entity pass (`entities.py`) builds it: its name, its
mentions' texts, the roles written for it and what they say (gender, the head nouns later
descriptions refer by)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from quoteattr.attribution.lexicon import LINK_WORDS, word_gender
from quoteattr.schema import Span
from quoteattr.text import NAME_WORD, head_word


class RoleSource(Protocol):
    """Where the entity pass finds the roles written next to a mention or a name (`roles.RoleFinder`)."""

    def near(self, start: int, end: int) -> list[Span]: ...

    def of_name(self, name: str) -> list[Span]: ...

    def phrase(self, start: int, end: int) -> Span | None: ...


@dataclass(eq=False)
class Entity:
    """One speaker of a document: its name, the mentions' texts, and the roles found for it."""

    name: str
    aliases: list[str] = field(default_factory=list)
    roles: dict[tuple[int, int], Span] = field(default_factory=dict)  # by offsets: each role once, in order
    # the role phrases of descriptions that resolved to this entity after it was known (*the Republican
    # nominee said*): candidates of the learned role linker, not roles of the rules
    descriptions: dict[tuple[int, int], Span] = field(default_factory=dict)
    heads: set[str] = field(default_factory=set)
    singular: bool = True  # one person, as opposed to a group or an unnamed plural (*officials*)
    roles_gathered_for: str = ""  # the name whose every occurrence has been searched for roles
    gender: str | None = None  # "m" or "f" once a title, role or pronoun has said so

    def add_roles(self, roles: Sequence[Span]) -> None:
        for role in roles:
            if (role.start, role.end) not in self.roles:
                self.roles[(role.start, role.end)] = role
                self.heads.add(head_key(role.text))
                self.learn_gender(role.text)

    def learn_gender(self, phrase: str) -> None:
        """Take the gender its first word or head says (*Mrs. Berg*, *Mr. Hussein's brother*) if
        none is known yet."""
        words = phrase.split()
        if self.gender is None and words:
            self.gender = word_gender(words[0]) or word_gender(head_word(phrase))

    def may_be(self, gender: str | None) -> bool:
        return gender is None or self.gender in (None, gender)

    @property
    def person_like(self) -> bool:
        """Written with a full name or given a role: likely a person rather than a place, a body or
        a thing described (*the family*, *the ministry*)."""
        words = self.name.split()
        full_name = len(words) >= 2 and all(NAME_WORD.fullmatch(w.strip(",")) or w in LINK_WORDS for w in words)
        return full_name or bool(self.roles)


def head_key(text: str) -> str:
    """A phrase's head word as descriptions are matched by: lower case, a plural -s dropped."""
    word = head_word(text).lower()
    return word[:-1] if word.endswith("s") and len(word) > 3 and not word.endswith("ss") else word
