"""Turn tagged spans into attributed quotations: quote → speaker mention → entity → roles.

Everything here is a pure function over character spans, so it is fast and unit-testable:
- each quotation takes the nearest speaker mention in its paragraph that no other quotation
  stands between (a cue beside the mention is taken as its cue); a quotation with none inherits
  the speaker of the quotation just before it when it continues that one (a new paragraph that
  opens with a quotation mark, or the second half of a split quotation), else a full name the
  tagger missed that is written at its cue (*said Rosa Alvarez*); a title and a name tagged as two
  touching mentions are one, and a lone *that* tagged as content joins the content after it;
- mentions become entities: names are reduced to the person's name (titles and tagged roles
  removed) and a bare surname is widened to the fullest form of that name in the document;
  pronouns go to the most recent named speaker, nominals (*the spokesperson*) to the most recent
  entity whose role or mention holds the same head noun;
- a description written before a name in one mention (*Spain's prime minister, Pedro Sanchez*)
  gives that person's role; a bare surname joins the latest person quoted with it; pronouns keep
  to a person's gender once a title, role or earlier pronoun has said it;
- an entity's roles are the role spans written next to any of its mentions anywhere in the
  document (not next to a namesake with another given name), so a role written once applies to
  all of that speaker's quotations; a bare title (*Senators*) takes the fuller description the
  lead introduced them with (*Two Republican senators*).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

from quoteattr.roles import POSSESSIVES, ROLE_NOUNS, is_role_noun, lead_description, role_phrase, roles_around
from quoteattr.schema import Quote, Span, Speaker
from quoteattr.text import is_mark, quote_kind

if TYPE_CHECKING:
    from quoteattr.attribution.speaker_links import SpeakerLinker

PRONOUNS = frozenset(
    {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "his", "her", "their", "its", "him"}
    | {"them", "us", "one", "this", "these", "those"}
)
# Words that open a mention before the name itself: honorifics, role nouns and their modifiers.
HONORIFICS = frozenset(
    {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sen", "sen.", "rep", "rep.", "gov", "gov.", "gen", "gen."}
    | {"lt", "lt.", "col", "col.", "adm", "adm.", "prof", "prof.", "sir", "dame"}
)
TITLES = HONORIFICS | ROLE_NOUNS | {"former", "acting", "vice", "prime"}
# a capitalised word, with one inner capital allowed (McConnell, DeSantis, LoPachin) and hyphenated parts,
# or an acronym (IG Metall; also II, III)
_NAME_WORD = re.compile(
    r"(?:O['’])?[A-Z][a-zà-ÿ'’]+(?:[A-Z][a-zà-ÿ'’]+)?(?:-[A-Z]?[a-zà-ÿ'’]+)*|[A-Z]{2,}|[A-Z]\.|Jr\.|Sr\."
)
_PREPOSITIONS = frozenset({"for", "of", "at", "from", "with", "in", "to", "on"})
_AFFILIATIONS = frozenset({"of", "from", "at"})  # *Jonathan Bamber of the University of Bristol*
_SINGULAR_PRONOUNS = frozenset({"he", "she", "his", "her", "him"})
_DOCUMENTS = frozenset(
    {"letter", "statement", "report", "book", "memoir", "tweet", "post", "memo", "speech", "email", "message"}
    | {"op-ed", "column", "essay", "article", "lawsuit", "complaint", "filing", "ruling", "opinion", "decision"}
)
_COMPLEMENTIZERS = frozenset({"that", "whether", "if"})
_PRONOUN_GENDERS = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}
_MALE_TITLE_ENDINGS = ("spokesman", "chairman", "congressman", "councilman", "assemblyman", "businessman", "policeman")
# words in a mention or role that say whether a person is a man or a woman
_GENDERED_WORDS = {
    **dict.fromkeys(("mr", "mr.", "sir", "king", "prince", "husband", "father", "son", "brother", "uncle"), "m"),
    **dict.fromkeys(("mrs", "mrs.", "ms", "ms.", "miss", "dame", "queen", "princess", "wife", "mother"), "f"),
    **dict.fromkeys(("daughter", "sister", "aunt", "widow", "grandmother", "actress"), "f"),
}
# capitalised only because they open a sentence: never the start of a name (*But Megan Hester*)
_SENTENCE_OPENERS = frozenset(
    {"but", "and", "so", "yet", "even", "also", "then", "still", "now", "meanwhile", "however", "only", "while"}
    | {"when", "as", "if", "though", "although", "because", "after", "before", "instead", "later", "earlier"}
)
_TITLE_PREPOSITIONS = frozenset({"to", "for", "of", "at"})  # *Ambassador to*, *Secretary of*
_TITLE_OBJECTS = frozenset(
    {"state", "defense", "defence", "staff", "homeland", "security", "treasury", "energy", "commerce", "labor"}
    | {"health", "human", "services", "education", "justice", "agriculture", "interior", "transportation", "veterans"}
)
_LINK_WORDS = frozenset(
    {"and", "&", "de", "del", "della", "di", "da", "do", "dos", "du", "van", "von", "der", "den", "ter", "ten"}
    | {"al", "el", "bin", "ibn", "la", "le"}
)
MAX_NAME_WORDS = 5  # words of a name written after a description (see apposition_name)
MAX_SPEAKER_DISTANCE = 200  # characters between a quotation and its speaker mention
MAX_ROLE_LENGTH = 200  # characters; longer tagged roles are not looked for before a name
CUE_REACH = 60  # characters between a cue and the mention (or quotation) it goes with
SENTENCE_PENALTY = 120  # a sentence end between quotation and mention counts as this many characters more
AFTER_PENALTY = 40  # a mention after the quotation counts as this many characters farther than one before it
CUE_BONUS = 60  # a mention with a cue next to it counts as this many characters nearer
MAX_NAME_OCCURRENCES = 100  # occurrences of a name searched for roles (a person's titles come early)
MAX_LOOKBACK = 200  # mentions a pronoun or description may reach back over (bounds the work per mention)
CUE_BEFORE = 5  # characters from a cue to the mention right after it (*said Kirby*)
CUE_AFTER = 40  # characters from a mention to its cue (*Kirby, the spokesman, said*)
MAX_CUE_LENGTH = 60  # characters; a longer cue before a mention is not looked for
_LINKS = "|".join(sorted(_LINK_WORDS - {"&"}))
_FULL_NAME = re.compile(rf"(?:{_NAME_WORD.pattern})(?:[ \t]+(?:{_NAME_WORD.pattern}|{_LINKS})){{1,4}}(?![\w’'])")
# capitalised words that start a sentence or clause, never a name
_NOT_NAMES = _SENTENCE_OPENERS | PRONOUNS | _PREPOSITIONS | {"the", "a", "an", "by", "asked"}
_NOT_GIVEN_NAMES = TITLES | _SENTENCE_OPENERS | {"the", "a", "an"}  # words before a surname that name no one
_TITLE_WORDS = HONORIFICS | ROLE_NOUNS  # titles a name may follow (*Dr.* Helen Fricker)
MAX_MENTION_LENGTH = 500  # characters; a tagged mention longer than this is not checked for overlap
UNTAGGED_SCORE = 0.5  # the score of a speaker mention found by `untagged_speaker`, not by the tagger
_SENTENCE_END = re.compile(r"[.!?][\"”’']?\s+(?=[A-Z\"“‘'])")


@dataclass(frozen=True)
class TaggedSpan:
    """A span the tagger found, with the model's mean probability for it."""

    start: int
    end: int
    score: float = 1.0


SpanT = TypeVar("SpanT", TaggedSpan, Span)


@dataclass
class _Entity:
    name: str
    aliases: list[str] = field(default_factory=list)
    roles: dict[tuple[int, int], Span] = field(default_factory=dict)  # by offsets: each role once, in order
    heads: set[str] = field(default_factory=set)
    singular: bool = True  # one person, as opposed to a group or an unnamed plural (*officials*)
    roles_gathered_for: str = ""  # the name whose every occurrence has been searched for roles
    gender: str | None = None  # "m" or "f" once a title, role or pronoun has said so

    def add_roles(self, roles: Sequence[Span]) -> None:
        for role in roles:
            if (role.start, role.end) not in self.roles:
                self.roles[(role.start, role.end)] = role
                self.heads.add(_head(role.text))
                self.learn_gender(role.text)

    def learn_gender(self, phrase: str) -> None:
        """Take the gender its first word or head says (*Mrs. Berg*, *a spokeswoman for Queen Mary
        University*, *Mr. Hussein's brother*) if none is known yet."""
        words = phrase.split()
        if self.gender is None and words:
            self.gender = word_gender(words[0]) or word_gender(_head_word(words))

    def may_be(self, gender: str | None) -> bool:
        return gender is None or self.gender in (None, gender)

    @property
    def person_like(self) -> bool:
        """Written with a full name or given a role: likely a person rather than a place, a body or
        a thing described (*the family*, *the ministry*)."""
        words = self.name.split()
        full_name = len(words) >= 2 and all(_NAME_WORD.fullmatch(w.strip(",")) or w in _LINK_WORDS for w in words)
        return full_name or bool(self.roles)


def word_gender(word: str) -> str | None:
    """The gender a word says (*Mr.*, *chairwoman*, *wife*): "m", "f" or None."""
    plain = word.strip(",;:()'’\"").lower()
    if plain in _GENDERED_WORDS:
        return _GENDERED_WORDS[plain]
    if plain.endswith(("woman", "women")):
        return "f"
    return "m" if plain.endswith(_MALE_TITLE_ENDINGS) else None


def paragraph_bounds(text: str, index: int) -> tuple[int, int]:
    """The `[start, end)` of the line (paragraph) holding `index`."""
    return text.rfind("\n", 0, index) + 1, (text.find("\n", index) + 1 or len(text) + 1) - 1


def mention_type(text: str) -> str:
    """`pronoun`, `name` or `nominal` for a speaker mention's text."""
    words = text.split()
    if not words:
        return "nominal"
    if len(words) == 1 and words[0].lower() in PRONOUNS:
        return "pronoun"
    if apposition_name(text) is not None:
        return "name"
    head = _head_word(words)
    return "name" if head[:1].isupper() or head[:1].isdigit() else "nominal"


def apposition_name(text: str) -> int | None:
    """Where the name starts in a mention that describes before it names (*Spain's prime minister,
    Pedro Sanchez,*; *The study's lead author, Dr. Helen Fricker of Scripps*); None for other mentions.

    The words after the first comma must open with a name (titles allowed before it), which ends
    the mention or is followed by a comma or an affiliation (*of*, *from*, *at*).
    """
    description, comma, rest = text.partition(",")
    words = rest.split()
    if not comma or not description.split() or mention_type(description) != "nominal":
        return None
    index = 0
    while index < len(words) - 1 and words[index].lower() in _TITLE_WORDS:
        index += 1
    run = 0
    while index + run < len(words) and run < MAX_NAME_WORDS:
        word = words[index + run]
        if not (_NAME_WORD.fullmatch(word.rstrip(",")) or (run and word in _LINK_WORDS)):
            break
        run += 1
        if word.endswith(","):
            break
    if not run or words[index + run - 1].rstrip(",") in _LINK_WORDS:
        return None
    after = words[index + run] if index + run < len(words) else ""
    if after and not words[index + run - 1].endswith(",") and after not in _AFFILIATIONS:
        return None
    return len(description) + 1 + len(rest) - len(rest.lstrip())


def _head_word(words: Sequence[str]) -> str:
    """The head of a noun phrase.

    An apposition after a comma does not count (*Jung Pak, deputy …* → *Pak*). A phrase ending in
    a name whose preceding word is not a preposition or article ends in its head (*coordinator for
    communications John Kirby* → *Kirby*); otherwise the head is the last word before a preposition
    (*a spokesperson for the State Department* → *spokesperson*).
    """
    for index, word in enumerate(words):
        if word.endswith(","):
            words = words[: index + 1]
            break
    clean = [w.strip(",.;:'’\"") for w in words]
    run = len(clean)
    while run > 0 and _NAME_WORD.fullmatch(clean[run - 1]):
        run -= 1
    if run < len(clean) and (run == 0 or clean[run - 1].lower() not in _PREPOSITIONS | {"the", "a", "an"}):
        return clean[-1]
    for index, word in enumerate(clean):
        if index and word.lower() in _PREPOSITIONS:
            return clean[index - 1]
    return clean[-1]


def _head(text: str) -> str:
    word = _head_word(text.split()).lower() if text.split() else ""
    return word[:-1] if word.endswith("s") and len(word) > 3 and not word.endswith("ss") else word


def person_name(text: str) -> str:
    """The name inside a named mention: leading titles, roles and lowercase words removed."""
    words = text.split()
    for index, word in enumerate(words):  # an apposition after a comma is not part of the name
        if word.endswith(","):
            words = [*words[:index], word.rstrip(",")]
            break
    while len(words) > 1 and (
        words[0].lower().strip(",") in TITLES | _SENTENCE_OPENERS
        or not words[0][:1].isupper()
        or words[0] in {"The", "A", "An"}
    ):
        words = words[1:]
    for index in range(2, len(words)):  # *Jonathan Bamber of the University of Bristol*: the affiliation is not
        if words[index] in _AFFILIATIONS and all(_personal_name_word(w) for w in words[index - 2 : index]):
            words = words[:index]
            break
    # keep the trailing run of capitalised words (with linking words such as "and", "de")
    keep: list[str] = []
    for word in reversed(words):
        # a title word ends a name only as the surname after a given name (*Stephanie Pope*, *Larry King*)
        surname = not keep and len(words) > 1 and _personal_name_word(words[-2])
        if (_NAME_WORD.fullmatch(word) and (word.lower() not in TITLES or surname)) or (
            word.lower() in _LINK_WORDS and keep
        ):
            keep.insert(0, word)
        else:
            break
    while keep and keep[0].lower() in _LINK_WORDS:
        keep = keep[1:]
    return " ".join(keep) if keep else " ".join(words)


def _personal_name_word(word: str) -> bool:
    return bool(_NAME_WORD.fullmatch(word)) and word.lower() not in TITLES


def full_names(text: str, surname: str) -> list[tuple[int, str]]:
    """Where a 'First [Middle] Surname' with this surname is written, and that full name, in text order."""
    pattern = rf"((?:{_NAME_WORD.pattern})[ \t]+(?:(?:{_NAME_WORD.pattern})[ \t]+){{0,2}}){re.escape(surname)}\b"
    found = (
        (match.start(), person_name(match.group(0)))
        for match in re.finditer(pattern, text)
        if not _title_case(text, match.start())  # *Clinton Breaks With Obama* is a headline, not a name
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


def joined_complementizers(text: str, quotes: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """Sorted quotations with a lone *that* (*whether*, *if*) joined to the quotation right after it:
    the tagger sometimes opens the content twice (*told a briefing that | China would …*)."""
    return _joined(text, quotes, lambda quote: text[quote.start : quote.end].lower() in _COMPLEMENTIZERS)


def joined_mentions(text: str, speakers: Sequence[TaggedSpan]) -> list[TaggedSpan]:
    """Sorted speaker mentions with those that touch across one space joined into one: a title
    and the name after it (*Senators* | *Marco Rubio and Bill Hagerty*) are one mention."""
    return _joined(text, speakers, lambda _: True)


def _joined(text: str, spans: Sequence[TaggedSpan], joins_next: Callable[[TaggedSpan], bool]) -> list[TaggedSpan]:
    """Sorted spans, each that `joins_next` accepts merged with the span touching it across at most one space."""
    joined: list[TaggedSpan] = []
    for span in spans:
        last = joined[-1] if joined else None
        if (
            last is not None
            and span.start - last.end <= 1
            and text[last.end : span.start] in ("", " ")
            and joins_next(last)
        ):
            joined[-1] = TaggedSpan(last.start, max(last.end, span.end), min(last.score, span.score))
        else:
            joined.append(span)
    return joined


def starting_within(spans: Sequence[SpanT], starts: Sequence[int], low: int, high: int) -> Sequence[SpanT]:
    """The spans (sorted by start, `starts` their starts) that start in `[low, high]`."""
    return spans[bisect_left(starts, low) : bisect_right(starts, high)]


def choose_speaker(
    text: str,
    quotes: Sequence[TaggedSpan],
    index: int,
    speakers: Sequence[TaggedSpan],
    starts: Sequence[int],
    cued: Callable[[TaggedSpan], bool],
) -> TaggedSpan | None:
    """The nearest speaker mention in the quotation's paragraph(s) with no other quotation in between.

    Nearness is in characters, adjusted for what English news does: a sentence end between the
    two adds SENTENCE_PENALTY; a mention after the quotation adds AFTER_PENALTY, since reported
    speech follows its speaker (*Japan branded North Korea an "outlaw nation"*) and only direct
    quotations often come first; a mention with a cue next to it (`cued`: *Kirby said*, *said
    Kirby*) subtracts CUE_BONUS, since a person merely named near a quotation is not its speaker.
    `quotes` are sorted and disjoint, so only the neighbouring quotations can stand in between;
    `speakers` are sorted by start, and `starts` lists their starts for the range search.
    """
    quote = quotes[index]
    first, _ = paragraph_bounds(text, quote.start)
    _, last = paragraph_bounds(text, max(quote.start, quote.end - 1))
    reach = MAX_SPEAKER_DISTANCE + SENTENCE_PENALTY
    neighbours = [quotes[i] for i in (index - 1, index + 1) if 0 <= i < len(quotes)]
    best, best_distance = None, float("inf")
    for speaker in starting_within(speakers, starts, max(first, quote.start - reach), quote.end + reach):
        if speaker.start < first or speaker.end > last or (speaker.start < quote.end and speaker.end > quote.start):
            continue
        gap = (speaker.end, quote.start) if speaker.end <= quote.start else (quote.end, speaker.start)
        if any(q.start < gap[1] and q.end > gap[0] for q in neighbours):
            continue
        distance = gap[1] - gap[0] + SENTENCE_PENALTY * bool(_SENTENCE_END.search(text, gap[0], gap[1] + 1))
        if distance > reach:
            continue
        distance += AFTER_PENALTY * (speaker.start >= quote.end) - CUE_BONUS * cued(speaker)
        if distance < best_distance:
            best, best_distance = speaker, distance
    return best


def cue_next_to(cues: Sequence[TaggedSpan], starts: Sequence[int]) -> Callable[[TaggedSpan], bool]:
    """Whether a speaker mention has a cue right before it (*said Kirby*) or soon after it (*Kirby, 45, said*)."""

    def cued(speaker: TaggedSpan) -> bool:
        nearby = starting_within(cues, starts, speaker.start - CUE_BEFORE - MAX_CUE_LENGTH, speaker.end + CUE_AFTER)
        return any(
            0 <= speaker.start - cue.end <= CUE_BEFORE or 0 <= cue.start - speaker.end <= CUE_AFTER for cue in nearby
        )

    return cued


def choose_cue(
    quote: TaggedSpan, speaker: TaggedSpan | None, cues: Sequence[TaggedSpan], starts: Sequence[int]
) -> TaggedSpan | None:
    """The cue between the quotation and its speaker (the one nearest the quotation where several
    are: *a spokeswoman, who asked not to be named, said …*), else the cue within CUE_REACH of the
    speaker, or of the quotation when it has no speaker.

    `cues` are sorted by start and `starts` lists their starts.
    """
    anchor = speaker or quote
    best, best_key = None, (2, 0)
    low = min(quote.start, anchor.start) - CUE_REACH - 40
    for cue in starting_within(cues, starts, low, max(quote.end, anchor.end) + CUE_REACH):
        if cue.start < quote.end and cue.end > quote.start:
            continue
        between = (
            speaker is not None
            and min(quote.end, speaker.end) <= cue.start
            and cue.end <= max(quote.start, speaker.start)
        )
        if between:
            key = (0, min(abs(cue.start - quote.end), abs(quote.start - cue.end)))
        else:
            key = (1, min(abs(cue.start - anchor.end), abs(anchor.start - cue.end)))
            if key[1] >= CUE_REACH:
                continue
        if key < best_key:
            best, best_key = cue, key
    return best


def untagged_speaker(
    text: str, cue: TaggedSpan | None, speakers: Sequence[TaggedSpan], starts: Sequence[int]
) -> TaggedSpan | None:
    """A full name the tagger missed, written right at the quotation's cue: after it (*said Rosa
    Alvarez*) or before it, alone or with an apposition set off by commas (*The union's vice
    president, Jackson Potter, said*). None where the name overlaps a tagged mention (linking
    turned that one down) or no such name is written. `speakers` are sorted, `starts` their starts."""
    if cue is None or _title_case(text, cue.start):
        return None
    found = None
    after = _FULL_NAME.match(text, cue.end + 1) if text[cue.end : cue.end + 1] == " " else None
    if after is not None:
        found = _name_span(text, after.start(), after.end())
    else:
        start = max(0, cue.start - MAX_SPEAKER_DISTANCE, text.rfind("\n", 0, cue.start) + 1)
        opening = max((m.end() for m in _SENTENCE_END.finditer(text, start, cue.start)), default=start)
        names = list(_FULL_NAME.finditer(text, opening, cue.start))
        between = text[names[-1].end() : cue.start].strip() if names else ""
        if names and (between in ("", ",") or _is_apposition(between)):
            found = _name_span(text, names[-1].start(), names[-1].end())
    if found is None:
        return None
    nearby = starting_within(speakers, starts, found.start - MAX_MENTION_LENGTH, found.end)
    return None if any(s.start < found.end and found.start < s.end for s in nearby) else found


def _is_apposition(between: str) -> bool:
    """*, 41,* or *, the union's vice president,*: an age or a role set off by commas."""
    inner = between[1:-1].strip() if len(between) > 1 and between[0] == between[-1] == "," else ""
    return bool(inner) and "," not in inner and (inner.isdigit() or any(is_role_noun(w) for w in inner.split()))


def _title_case(text: str, index: int) -> bool:
    """Whether the line holding `index` is written in title case (a headline), where capitals mark no names."""
    start, end = paragraph_bounds(text, index)
    words = [w for w in text[max(start, index - 200) : min(end, index + 200)].split() if w[:1].isalpha()]
    return len(words) >= 4 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _name_span(text: str, start: int, end: int) -> TaggedSpan | None:
    """The span of a run of capitalised words without the sentence openers and pronouns that begin
    it (*In Washington*, *But Jane Doe*), if at least two words are left."""
    words = list(re.finditer(r"\S+", text[start:end]))
    while words and words[0].group().lower() in _NOT_NAMES:
        words = words[1:]
    if len(words) < 2 or words[-1].group() in _LINK_WORDS:
        return None
    return TaggedSpan(start + words[0].start(), end, UNTAGGED_SCORE)


def _previous_paragraph(text: str, start: int) -> tuple[int, int] | None:
    """Bounds of the last non-blank paragraph before the one holding `start`."""
    first, _ = paragraph_bounds(text, start)
    end = first - 1
    while end > 0:
        p_start, p_end = paragraph_bounds(text, end - 1)
        if text[p_start:p_end].strip():
            return p_start, p_end
        end = p_start - 1
    return None


def inherited_speaker(
    text: str,
    quote: TaggedSpan,
    previous: TaggedSpan | None,
    previous_speaker: TaggedSpan | None,
    speakers: Sequence[TaggedSpan],
) -> TaggedSpan | None:
    """The speaker of a quotation that has none of its own in its paragraph.

    - after a paragraph that ends with a colon, the last speaker mention of that paragraph;
    - the second half of a split quotation (same paragraph) keeps the previous speaker;
    - a paragraph opening with a quotation mark continues the quotation of the paragraph before.
    """
    before = _previous_paragraph(text, quote.start)
    if before is not None and text[before[0] : before[1]].rstrip().endswith(":"):
        inside = [s for s in speakers if before[0] <= s.start and s.end <= before[1]]
        if inside:
            return inside[-1]
    if previous is None or previous_speaker is None:
        return None
    first, _ = paragraph_bounds(text, quote.start)
    if previous.end > first:
        return previous_speaker
    opens_paragraph = is_mark(text, quote.start) and not text[first : quote.start].strip()
    if opens_paragraph and before is not None and previous.end > before[0]:
        return previous_speaker
    return None


class EntityResolver:
    """Maps speaker mentions of one document to canonical entities, in reading order."""

    def __init__(self, text: str, roles: Sequence[TaggedSpan]) -> None:
        self.text = text
        self.roles = sorted((Span.of(text, r.start, r.end) for r in roles), key=lambda r: r.start)
        self.role_starts = [r.start for r in self.roles]
        self.entities: dict[str, _Entity] = {}
        self.history: list[_Entity] = []
        self._full_names: dict[str, list[tuple[int, str]]] = {}  # by surname: each searched for once
        self._title_objects_dropped: dict[str, str] = {}  # by name, see _without_title_object

    def _roles_near(self, start: int, end: int) -> list[Span]:
        """Role spans inside `[start, end)`, just before it, or in apposition just after it."""
        found = []
        for role in starting_within(self.roles, self.role_starts, start - MAX_ROLE_LENGTH, end + 6):
            inside = role.start >= start and role.end <= end
            before = 0 <= start - role.end <= 2
            after = 0 <= role.start - end <= 6 and self.text[end : role.start].strip(" ,").lower() in {
                "",
                "the",
                "a",
                "an",
            }
            if inside or before or after:
                found.append(role)
        return found

    def _without_title_object(self, name: str, mention: Span) -> str:
        """*Russian Ambassador to North Korea Alexander Matsegora*: after a title's preposition, the
        leading capitalised words name a place or body, not the person. Drops leading words (keeping
        two) that the document also writes without the rest of the name after them, or that name a
        government department (*Secretary of State*)."""
        at = self.text.find(name, mention.start, mention.end)
        before = self.text[max(0, at - 40) : at].split() if at > 0 else []
        if not before or before[-1].lower() not in _TITLE_PREPOSITIONS:
            return name
        if name not in self._title_objects_dropped:  # once per name: linear in mentions
            words = name.split()
            while len(words) > 2:
                rest = " " + " ".join(words[1:])
                occurrences = re.finditer(rf"\b{re.escape(words[0])}\b", self.text)
                known = words[0].lower() in _TITLE_OBJECTS
                if not known and all(
                    self.text.startswith(rest, m.end()) for m in islice(occurrences, MAX_NAME_OCCURRENCES)
                ):
                    break
                words = words[1:]
            self._title_objects_dropped[name] = " ".join(words)
        return self._title_objects_dropped[name]

    def _named(self, mention: Span) -> _Entity:
        near = self._roles_near(mention.start, mention.end)
        name_start = mention.start + (apposition_name(mention.text) or 0)
        if name_start > mention.start:  # the description before the name is a role when a role noun heads it
            described = role_phrase(self.text, mention.start, name_start - 1)
            near += [described] if described else []
        inside_roles = [r for r in near if r.start >= name_start and r.end <= mention.end]
        raw = self.text[name_start : mention.end]
        for role in sorted(inside_roles, key=lambda r: -r.start):
            raw = raw[: role.start - name_start] + " " + raw[role.end - name_start :]
        if not raw.strip(" ,"):  # the whole mention was tagged as a role: it names the speaker all the same
            raw = mention.text
        name = person_name(raw.strip(" ,"))
        if " " not in name and name[:1].isupper():
            name = self._widened(name, mention.start)
        if " " not in name and name.isupper() and len(name) > 2:  # *SHAPIRO:* in a transcript is Josh Shapiro
            written = self._widened(name.title(), mention.start)
            name = written if " " in written else name
        name = self._without_title_object(name, mention)
        key = name.lower()
        # a shorter form (*Kirby*, *Rubio and Hagerty*) joins the most recent entity whose name holds its words in order
        key = next((k for k in reversed(self.entities) if _is_subsequence(key.split(), k.split())), key)
        entity = self.entities.get(key)
        if entity is None:
            entity = self.entities[key] = _Entity(name, singular=" and " not in name)
        elif len(name) > len(entity.name):
            entity.name = name
        for alias in (mention.text, name, *([name.split()[-1]] if " " in name else [])):
            if alias not in entity.aliases:
                entity.aliases.append(alias)
        if entity.roles_gathered_for != entity.name:  # once per name, not per mention: linear in mentions
            entity.roles_gathered_for = entity.name
            surname = entity.name.split()[-1] if entity.name.split() else entity.name
            for match in islice(re.finditer(rf"\b{re.escape(surname)}\b", self.text), MAX_NAME_OCCURRENCES):
                start, end = match.start(), match.end()
                if self.text[start - len(entity.name) + len(surname) : end] == entity.name:
                    start = end - len(entity.name)  # the full name is written here
                elif _other_given_name(self.text, start, entity.name.split()):
                    continue  # *Ali Hussein* is not *Kareem Hussein*
                entity.add_roles(self._roles_near(start, end))
                entity.add_roles(roles_around(self.text, start, end))
        entity.add_roles(near)
        entity.learn_gender(mention.text)
        return entity

    def _widened(self, surname: str, position: int) -> str:
        """A bare surname: the full name of the latest person so named among recent mentions, else
        the full name written in the document (see `widen_surname`). Known speakers come first, so
        a name inside a quotation (*"Too Late Powell is at it again"*) does not rename one."""
        known = self._recent(lambda e: e.singular and len(e.name.split()) > 1 and e.name.split()[-1] == surname)
        if known is not None:
            return known.name
        if surname not in self._full_names:
            self._full_names[surname] = full_names(self.text, surname)
        return widen_surname(surname, self._full_names[surname], position)

    def _recent(self, wanted: Callable[[_Entity], bool]) -> _Entity | None:
        """The entity of the latest of the last MAX_LOOKBACK mentions that `wanted` accepts."""
        return next((e for e in islice(reversed(self.history), MAX_LOOKBACK) if wanted(e)), None)

    def resolve(self, mention: Span) -> _Entity:
        """The entity a mention refers to (creating it for a new name or an unresolvable mention)."""
        kind = mention_type(mention.text)
        entity: _Entity | None = None
        if kind == "name":
            entity = self._named(mention)
        elif kind == "pronoun" or _possessed_document(mention.text):
            pronoun = mention.text.split()[0].lower()  # *their letter continued*: the letter speaks for them
            if pronoun in _SINGULAR_PRONOUNS:
                gender = _PRONOUN_GENDERS[pronoun]
                entity = (
                    self._recent(lambda e: e.singular and e.person_like and e.may_be(gender))
                    or self._recent(lambda e: e.singular and e.may_be(gender))
                    or self._recent(lambda e: e.singular)
                )
                if entity is not None and entity.gender is None:
                    entity.gender = gender
            else:
                entity = self._recent(lambda e: True)
        elif kind == "nominal":
            head = _head(mention.text)
            determiner = mention.text.split()[0].lower()
            definite = determiner in {"the", "this", "that"}
            # an indefinite nominal (*a spokesperson*) introduces someone new
            entity = None if determiner in {"a", "an"} else self._recent(lambda e: head in e.heads)
            if entity is None and definite and is_role_noun(head) and not head.endswith("s"):
                entity = self._recent(lambda e: e.singular and e.person_like)  # *the official*, not *the ministry*
        if entity is None:
            entity = _Entity(_description_name(mention.text), [mention.text], heads={_head(mention.text)})
            entity.learn_gender(mention.text)
            entity.add_roles(self._roles_near(mention.start, mention.end))
            described = role_phrase(self.text, mention.start, mention.end) if kind == "nominal" else None
            entity.add_roles([described] if described else [])
            entity.singular = kind != "pronoun" and not _head_word(mention.text.split()).lower().endswith("s")
        elif mention.text not in entity.aliases:
            entity.aliases.append(mention.text)
        self.history.append(entity)
        return entity


def _description_name(text: str) -> str:
    """A mention as the name of the speaker it describes, without the relative pronoun the tagger
    sometimes takes along (*One investor, who* → *One investor*)."""
    words = text.rstrip(" ,").split()
    if len(words) > 1 and words[-1].lower() in {"who", "which", "that", "whose"}:
        words = words[:-1]
    return " ".join(words).rstrip(",") or text


def _possessed_document(text: str) -> bool:
    """*their letter*, *his statement*: a text that speaks for its owner."""
    words = text.lower().split()
    return len(words) == 2 and words[0] in POSSESSIVES and words[1] in _DOCUMENTS


def _other_given_name(text: str, surname_start: int, own_names: Sequence[str]) -> bool:
    """Whether the word right before a surname is someone else's given name (not one of `own_names`,
    not a title, not the end of the previous sentence)."""
    before = text[max(0, surname_start - 40) : surname_start]
    words = before.split()
    if not words or not before.endswith((" ", "\t")) or before.rstrip().endswith((",", ".", ";", ":")):
        return False
    word = words[-1]
    return bool(_NAME_WORD.fullmatch(word)) and word not in own_names and word.lower() not in _NOT_GIVEN_NAMES


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    """Whether the words of `short` appear in `long` in the same order, the last words aligned."""
    if not short or len(short) > len(long) or short[-1] != long[-1]:
        return False
    words = iter(long)
    return all(word in words for word in short)


def best_role(roles: Sequence[Span]) -> str | None:
    """The most specific (longest) role written for an entity."""
    return max(roles, key=lambda r: (len(r.text), -r.start)).text if roles else None


def _add_lead_descriptions(text: str, entity_of: dict[tuple[int, int], _Entity]) -> None:
    """Give each entity whose best role is a bare title the lead's fuller description (`lead_description`)."""
    first_mention: dict[int, int] = {}
    entities: dict[int, _Entity] = {}
    for (start, _), entity in sorted(entity_of.items()):
        first_mention.setdefault(id(entity), start)
        entities[id(entity)] = entity
    for key, entity in entities.items():
        role = best_role(list(entity.roles.values()))
        fuller = lead_description(text, role, first_mention[key]) if role and " " not in role else None
        entity.add_roles([fuller] if fuller else [])


def attribute(
    text: str,
    quotes: Sequence[TaggedSpan],
    speakers: Sequence[TaggedSpan],
    cues: Sequence[TaggedSpan],
    roles: Sequence[TaggedSpan],
    linker: SpeakerLinker | None = None,
) -> list[Quote]:
    """Link tagged spans of one document into attributed quotations, in text order.

    `linker`, a learned quotation → mention scorer, chooses the speaker mentions where given;
    otherwise the nearest-mention rule of `choose_speaker` does.
    """
    ordered = joined_complementizers(text, sorted(quotes, key=lambda q: q.start))
    speakers = joined_mentions(text, sorted(speakers, key=lambda s: s.start))
    starts = [s.start for s in speakers]
    cues = sorted(cues, key=lambda c: c.start)
    cue_starts = [c.start for c in cues]
    resolver = EntityResolver(text, roles)
    cued = cue_next_to(cues, cue_starts)
    mention_of: list[TaggedSpan | None] = [
        choose_speaker(text, ordered, i, speakers, starts, cued) for i in range(len(ordered))
    ]
    if linker is not None:  # the rule's choice is one of the linker's features
        mention_of = [linker.choose(text, ordered, i, speakers, starts, cues, m) for i, m in enumerate(mention_of)]
    for i, quote in enumerate(ordered):
        if mention_of[i] is None:
            previous = ordered[i - 1] if i else None
            mention_of[i] = inherited_speaker(text, quote, previous, mention_of[i - 1] if i else None, speakers)
        if mention_of[i] is None:
            mention_of[i] = untagged_speaker(text, choose_cue(quote, None, cues, cue_starts), speakers, starts)
    # every tagged mention is resolved in reading order, not only the chosen ones: a pronoun refers to
    # the last person written before it, whether or not that person's own words were quoted
    entity_of: dict[tuple[int, int], _Entity] = {}
    for found in sorted(set(speakers) | {m for m in mention_of if m is not None}, key=lambda m: m.start):
        entity_of[(found.start, found.end)] = resolver.resolve(Span.of(text, found.start, found.end))
    _add_lead_descriptions(text, entity_of)
    results = []
    for quote, mention in zip(ordered, mention_of):
        speaker, role, score = None, None, quote.score
        if mention is not None:
            entity = entity_of[(mention.start, mention.end)]
            speaker = Speaker(entity.name, Span.of(text, mention.start, mention.end), tuple(entity.aliases))
            role = best_role(list(entity.roles.values()))
            score = (quote.score * mention.score) ** 0.5
        cue = choose_cue(quote, mention, cues, cue_starts)
        results.append(
            Quote(
                text=text[quote.start : quote.end],
                start=quote.start,
                end=quote.end,
                kind=quote_kind(text, quote.start, quote.end),
                speaker=speaker,
                role=role,
                cue=Span.of(text, cue.start, cue.end) if cue else None,
                score=round(min(1.0, max(0.0, score)), 4),
            )
        )
    return results
