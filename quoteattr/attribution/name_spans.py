"""Mentions → names, learned: which words of a named mention, or of a full name written before a
surname, are the person's (or body's) own name.

A region of the text (a name-type speaker mention after its description, or the capitalised run
written before a surname that `names.full_names` finds) is cut into words, and every run of up to
MAX_NAME_WORDS consecutive words is a candidate name. A candidate is described by sparse features
of its first and last words and their neighbours (shape, case, lower-case form, whether a title,
a linking word or punctuation), of the words inside it, and of the document: whether the same words
are written elsewhere standing alone, whether the words dropped before it are, and whether its
first word is written elsewhere in lower case (*Rival*, *State*). The features are hashed into a
fixed-size weight vector, trained listwise on the gold entity names of the news and seed corpora
(`training/names.py`) and saved beside the model as safetensors; the highest-scoring candidate is
the name, and none when every candidate scores below 0 (an unnamed speaker's description, such as
*Experts on North Korea*, then stands). Without the file the rules of `names.person_name` and
`names.full_names` choose.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice

from quoteattr.attribution import sparse
from quoteattr.attribution.lexicon import AFFILIATIONS, LINK_WORDS, SENTENCE_OPENERS, TITLES
from quoteattr.attribution.names import MAX_NAME_OCCURRENCES, POSSESSIVE_SUFFIXES, person_name, without_possessive
from quoteattr.text import ARTICLES, NAME_WORD

WEIGHTS_FILE = "names.safetensors"
DIMENSIONS = 1 << 16
MAX_NAME_WORDS = 8  # words of a candidate name (*National Association for the Advancement of Colored People*)
MAX_REGION_WORDS = 24  # words of a region whose runs are candidates (a long mention's tail is no name)
_EDGES = ' ,;:()[]"“”‘’—–-'  # stripped from a chosen name's ends
Word = tuple[int, int]  # a whitespace-separated word's offsets in the text


def words_of(text: str, start: int, end: int) -> list[Word]:
    """The whitespace-separated words of `text[start:end]`, as offsets (at most MAX_REGION_WORDS)."""
    found = ((m.start() + start, m.end() + start) for m in re.finditer(r"\S+", text[start:end]))
    return list(islice(found, MAX_REGION_WORDS))


def kind(word: str) -> str:
    """What a word is to a name: a title, a linking word, an article, an opener, punctuation, or its case."""
    bare = word.strip(_EDGES + ".").lower()
    if not bare:
        return "punct"
    if word.startswith("("):
        return "paren"
    if bare in TITLES:
        return "title"
    if bare in AFFILIATIONS:
        return "of"
    if bare in LINK_WORDS:
        return "link"
    if bare in ARTICLES:
        return "article"
    if bare in SENTENCE_OPENERS and word[:1].isupper():
        return "opener"
    if NAME_WORD.fullmatch(word.strip(_EDGES)):
        return "caps" if word.strip(_EDGES).isupper() and len(bare) > 1 else "name"
    return "upper" if word[:1].isupper() else "digit" if word[:1].isdigit() else "lower"


def shape(word: str) -> str:
    """A word's shape: X for a capital, x for lower case, d for a digit, runs collapsed."""
    mapped = re.sub(r"[A-Z]", "X", re.sub(r"[a-zà-ÿ]", "x", re.sub(r"\d", "d", word[:12])))
    return re.sub(r"(.)\1+", r"\1\1", mapped)


@dataclass
class WrittenText:
    """A document, with what the features ask of it counted once per phrase."""

    text: str
    _alone: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    _lowered: dict[str, bool] = field(default_factory=dict)

    def alone(self, phrase: str, before: str, after: str) -> bool:
        """Whether `phrase` is written somewhere not right after `before` nor right before `after`
        (both empty for no constraint): the words stand on their own there."""
        key = (phrase, before, after)
        if key not in self._alone:
            found = islice(_occurrences(self.text, phrase, "’'-"), MAX_NAME_OCCURRENCES)
            self._alone[key] = any(
                not (before and self.text[max(0, start - 60) : start].rstrip().endswith(before))
                and not (after and self.text[start + len(phrase) : start + len(phrase) + 60].lstrip().startswith(after))
                for start in found
            )
        return self._alone[key]

    def lowered(self, word: str) -> bool:
        """Whether a capitalised word is also written in lower case (a common word, not a name)."""
        if word not in self._lowered:
            bare = word.strip(_EDGES + ".")
            lower = next(_occurrences(self.text, bare.lower(), ""), None) if bare else None
            self._lowered[word] = bool(bare[:1].isupper()) and lower is not None
        return self._lowered[word]


def _occurrences(text: str, phrase: str, joiners: str) -> Iterator[int]:
    """Where `phrase` is written in `text` with no word character (nor one of `joiners`) on either side."""

    def joined(char: str) -> bool:
        return char.isalnum() or char == "_" or char in joiners

    start = text.find(phrase)
    while start != -1:
        end = start + len(phrase)
        if not (start and joined(text[start - 1])) and not (end < len(text) and joined(text[end])):
            yield start
        start = text.find(phrase, start + 1)


_NO_EDGE = frozenset({"lower", "article", "punct", "paren", "of"})  # *of*, *from*, *at*


def candidates(text: str, words: list[Word]) -> list[tuple[int, int]]:
    """Every run of up to MAX_NAME_WORDS words that opens and closes with a word a name may open
    or close with (no lower-case word), as (first, last) word indices."""
    kinds = [kind(text[start:end]) for start, end in words]
    return [
        (i, j)
        for i in range(len(words))
        for j in range(i, min(len(words), i + MAX_NAME_WORDS))
        if kinds[i] not in _NO_EDGE and kinds[j] not in _NO_EDGE and kinds[j] != "link"
    ]


def _neighbour(written: WrittenText, words: list[Word], index: int, step: int, limit: int) -> str:
    """The word next to `words[index]` (inside the region, else the text's), or empty at the text's end."""
    if 0 <= index + step < len(words):
        start, end = words[index + step]
        return written.text[start:end]
    text = written.text
    if step < 0:
        found = text[max(0, words[index][0] - limit) : words[index][0]].split()
        return found[-1] if found else ""
    found = text[words[index][1] : words[index][1] + limit].split()
    return found[0] if found else ""


def rule_name(text: str, start: int, end: int, region: str) -> str:
    """The name the rules take out of a region: `person_name`'s, and for a `widen` region that
    keeps fewer than two words, the surname alone (no full name)."""
    name = person_name(text[start:end].strip(" ,"))
    return name.split()[-1] if region == "widen" and len(name.split()) < 2 else name


def candidate_features(written: WrittenText, words: list[Word], region: str) -> list[tuple[tuple[int, int], list[str]]]:
    """Each candidate name of a region's words (`candidates`), as (first, last) word indices, with
    its features; the rules' name (`rule_name`) is a feature where it is one of the candidates."""
    found = candidates(written.text, words)
    rule = rule_name(written.text, words[0][0], words[-1][1], region)
    if not any(chosen_name(written, words, i, j) == rule for i, j in found):
        rule = ""
    return [((i, j), span_features(written, words, i, j, region, rule)) for i, j in found]


def span_features(written: WrittenText, words: list[Word], first: int, last: int, region: str, rule: str) -> list[str]:
    """The sparse features of the candidate name `words[first..last]` of a `region` (`mention` or
    `widen`) whose rules' name among its candidates is `rule` ('' when it is none of them)."""
    text = written.text
    start, end = words[first][0], words[last][1]
    head, tail = text[slice(*words[first])], text[slice(*words[last])]
    before, after = _neighbour(written, words, first, -1, 40), _neighbour(written, words, last, 1, 40)
    inside = [text[slice(*w)] for w in words[first : last + 1]]
    kinds = [kind(w) for w in inside]
    phrase = text[start:end].strip(_EDGES)
    dropped = text[words[0][0] : words[first][0]].strip(_EDGES) if first else ""
    features = [
        f"bias={region}",
        f"rule={region}:{chosen_name(written, words, first, last) == rule if rule else 'none'}",
        f"first={head.strip(_EDGES).lower()}",
        f"first_kind={region}:{kind(head)}",
        f"first_shape={shape(head)}",
        f"first_lowered={written.lowered(head)}",
        f"before={before.lower()}",
        f"before_kind={kind(before) if before else 'none'}",
        f"before_lowered={written.lowered(before) if before else 'none'}",
        f"dropped_kinds={':'.join(sorted({kind(text[slice(*w)]) for w in words[:first]}))}",
        f"before_ends={before[-1:] if before and not before[-1].isalnum() else 'word'}",
        f"before_possessive={before.endswith(POSSESSIVE_SUFFIXES)}",
        f"glued={start > 0 and not text[start - 1].isspace()}",  # *U.N. Vasily*: the run starts inside a word
        f"possessive_inside={any(w.endswith(POSSESSIVE_SUFFIXES) for w in inside[:-1])}",
        f"edges_first={kind(before) if before else 'none'}:{kind(head)}",
        f"first_at={region}:{first == 0}",
        f"last={tail.strip(_EDGES).lower()}",
        f"last_kind={region}:{kind(tail)}",
        f"last_shape={shape(tail)}",
        f"last_comma={tail.endswith(',')}",
        f"after={after.lower()}",
        f"after_kind={kind(after) if after else 'none'}",
        f"edges_last={kind(tail)}:{kind(after) if after else 'none'}",
        f"last_at={region}:{last == len(words) - 1}",
        f"length={region}:{min(len(inside), 6)}",
        f"kinds={':'.join(sorted(set(kinds)))}",
        f"comma_inside={any(w.endswith(',') for w in inside[:-1])}",
        f"alone={phrase != '' and written.alone(phrase, before, after)}",
        f"dropped_alone={bool(dropped) and written.alone(dropped, '', head.strip(_EDGES))}",
    ]
    features += [f"inside_kind={k}" for k in kinds[1:-1]]
    return features


def chosen_name(written: WrittenText, words: list[Word], first: int, last: int) -> str:
    """The name a candidate stands for: its words without the punctuation at its ends or a possessive."""
    name = written.text[words[first][0] : words[last][1]].strip(_EDGES)
    return without_possessive(name)


def hashed(features: list[str]) -> list[int]:
    """Feature indices in this scorer's hashed weights."""
    return sparse.hashed(features, DIMENSIONS)


class NameScorer(sparse.HashedScorer):
    """A trained candidate-name scorer: `name` picks the words of a region that are the name."""

    weights_file = WEIGHTS_FILE
    dimensions = DIMENSIONS

    def best_run(self, written: WrittenText, words: list[Word], region: str) -> tuple[int, int] | None:
        """The highest-scoring candidate of a region's words, as (first, last) word indices; None
        when no candidate scores above 0 (the region names no one)."""
        scored = [(self.score(features), -i, -j) for (i, j), features in candidate_features(written, words, region)]
        score, first, last = max(scored, default=(0.0, 0, 0))
        return (-first, -last) if score > 0 else None

    def name(self, written: WrittenText, start: int, end: int, region: str) -> str:
        """The name written in `written.text[start:end]` (a `mention` or `widen` region), or ''
        when it names no one (the rules then take the name out, or keep the description)."""
        words = words_of(written.text, start, end)
        chosen = self.best_run(written, words, region) if words else None
        return "" if chosen is None else chosen_name(written, words, *chosen)
