"""Entities → roles: roles around mentions and names, lead descriptions, one role per speaker."""

from __future__ import annotations

import pytest

from quoteattr.attribution.entities import resolve_entities
from quoteattr.attribution.lexicon import is_role_noun
from quoteattr.attribution.roles import RoleFinder, entity_roles
from tests.tagged import Fragment, link, spans, who


def test_a_role_written_after_the_name_applies_to_every_quote_of_that_person() -> None:
    text = (
        "Olga Petrenko, Ukraine's envoy to the OSCE, said the talks had failed.\n\n"
        '"There is nothing left to discuss," Petrenko told reporters.'
    )
    first, second = link(
        text,
        ["the talks had failed", '"There is nothing left to discuss,"'],
        ["Olga Petrenko", ("Petrenko", 1)],
        ["said", "told"],
        ["Ukraine's envoy to the OSCE"],
    )
    assert who(first) == ("Olga Petrenko", "Olga Petrenko")
    assert who(second) == ("Olga Petrenko", "Petrenko")
    assert first.role == second.role == "Ukraine's envoy to the OSCE"
    assert first.kind == "indirect" and second.kind == "direct"


@pytest.mark.parametrize("mention", ["Lena Hartwell", "Treasury Department spokeswoman Lena Hartwell"])
def test_a_role_written_before_the_name_applies_to_every_quote_of_that_person(mention: str) -> None:
    text = (
        "Treasury Department spokeswoman Lena Hartwell said the figures were final.\n\n"
        '"We stand by the numbers," Hartwell added.'
    )
    first, second = link(
        text,
        ["the figures were final", '"We stand by the numbers,"'],
        [mention, ("Hartwell", 1)],
        ["said", "added"],
        ["Treasury Department spokeswoman"],
    )
    assert who(first) == ("Lena Hartwell", mention)
    assert who(second) == ("Lena Hartwell", "Hartwell")
    assert first.role == second.role == "Treasury Department spokeswoman"


def test_a_role_next_to_a_mention_that_is_not_a_speaker_still_counts() -> None:
    text = (
        "Olga Petrenko, Ukraine's envoy, arrived on Monday.\n\n"
        '"Nothing is left," Petrenko said. Carl Dunn said it went on.'
    )
    first, second = link(
        text,
        ['"Nothing is left,"', "it went on"],
        [("Petrenko", 1), "Carl Dunn"],
        ["said", ("said", 1)],
        ["Ukraine's envoy"],
    )
    assert who(first) == ("Olga Petrenko", "Petrenko")
    assert first.role == "Ukraine's envoy"
    assert who(second) == ("Carl Dunn", "Carl Dunn")
    assert second.role is None  # a role never leaks to another person


def test_an_unresolvable_nominal_is_its_own_speaker_and_describes_the_role() -> None:
    text = "A senior diplomat said the deal was dead."
    (quote,) = link(text, ["the deal was dead"], ["A senior diplomat"], ["said"])
    assert who(quote) == ("A senior diplomat", "A senior diplomat")
    assert quote.role == "senior diplomat"


def test_a_nominal_without_a_role_noun_has_no_role() -> None:
    text = "A passer-by said the deal was dead."
    (quote,) = link(text, ["the deal was dead"], ["A passer-by"], ["said"])
    assert quote.role is None


def test_an_organisation_named_inside_a_title_does_not_take_the_title() -> None:
    text = (
        '"We are watching," said Ann Berg, spokesperson for the White House National Security Council.\n\n'
        "The White House urged restraint."
    )
    (quote,) = link(text, ['"We are watching,"'], ["Ann Berg"], ["said"])
    assert who(quote) == ("Ann Berg", "Ann Berg")
    assert quote.role == "spokesperson for the White House National Security Council"
    (organisation,) = link(text, ["restraint"], ["The White House"], ["urged"])
    assert organisation.role is None  # not "spokesperson for the", the words before "White House"


def test_roles_are_gathered_once_per_name_not_once_per_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    import quoteattr.attribution.roles as roles

    calls = []
    real = roles.roles_around
    monkeypatch.setattr(roles, "roles_around", lambda *args: calls.append(args) or real(*args))
    repeats = 60
    text = '"Taxes will fall," Mayor Anna Berg said. Carl Dunn met her. ' * repeats
    names: list[Fragment] = [(name, i) for i in range(repeats) for name in ("Mayor Anna Berg", "Carl Dunn")]
    quotes = link(text, [('"Taxes will fall,"', i) for i in range(repeats)], names)
    assert {who(q)[0] for q in quotes} == {"Anna Berg"} and {q.role for q in quotes} == {"Mayor"}
    # each name's occurrences are searched once: linear, where once per mention would be 2 * repeats ** 2
    assert len(calls) <= 2 * repeats


@pytest.mark.parametrize(
    ("mention", "name", "role"),
    [
        ("Spain's prime minister, Pedro Sanchez,", "Pedro Sanchez", "Spain's prime minister"),
        ("A spokesperson for the Kremlin, Dmitry Peskov,", "Dmitry Peskov", "spokesperson for the Kremlin"),
        ("The regional president, Carlos Mazon,", "Carlos Mazon", "regional president"),
    ],
)
def test_a_description_before_a_name_is_the_role_and_the_name_the_speaker(mention: str, name: str, role: str) -> None:
    text = f"Carlos Martinez, a shop owner, said the water came fast.\n\n{mention} said the rain was unforeseeable."
    first, second = link(text, ["the water came fast", "the rain was unforeseeable"], ["Carlos Martinez", mention])
    assert who(first) == ("Carlos Martinez", "Carlos Martinez")
    assert who(second) == (name, mention)  # a new person, not the last one quoted
    assert second.role == role


def test_a_namesake_with_another_given_name_does_not_share_roles() -> None:
    text = (
        "Ali Hussein, the militia's political chief, vowed revenge.\n\n"
        'His brother, Kareem Hussein, a member of parliament, urged calm. "Stay home," Kareem Hussein said.'
    )
    (quote,) = link(text, ['"Stay home,"'], [("Kareem Hussein", 1)], ["said"])
    assert who(quote)[0] == "Kareem Hussein"
    assert quote.role == "member of parliament"


@pytest.mark.parametrize(
    ("text", "mention", "role"),
    [
        (
            "According to NATO Secretary General Mark Rutte, allies pledged more.",
            "Mark Rutte",
            "NATO Secretary General",
        ),
        ("Maria Lopez, a firefighter who has worked all week, said allies pledged more.", "Maria Lopez", "firefighter"),
        ("KYIV — President Volodymyr Zelensky said allies pledged more.", "Volodymyr Zelensky", "President"),
        ("Arsenal coach Mikel Arteta said allies pledged more.", "Mikel Arteta", "Arsenal coach"),
        ("City Councilor Ed Flynn said allies pledged more.", "City Councilor Ed Flynn", "City Councilor"),
        (
            "Matthias Schmidt, an auto analyst based in Berlin, said allies pledged more.",
            "Matthias Schmidt",
            "auto analyst",
        ),
        ('"Senator Maria Cantwell will run" was said: allies pledged more.', "Maria Cantwell", "Senator"),
        ("After meeting the minister, Kuleba, 48, said allies pledged more.", "Kuleba", None),
        ("Boeing chief executive Stephanie Pope said allies pledged more.", "Stephanie Pope", "Boeing chief executive"),
        (
            "His chief of staff, Andriy Yermak, said allies pledged more.",
            "His chief of staff, Andriy Yermak,",
            "chief of staff",
        ),
        # an adverb has an agent ending but heads no role
        ("Nadia Petrova, however, said allies pledged more.", "Nadia Petrova", None),
        # the period of an initialism stays, the comma after it goes
        ("Ivan Orlov, ambassador to the U.N., said allies pledged more.", "Ivan Orlov", "ambassador to the U.N."),
    ],
)
def test_roles_around_a_name_ignore_what_is_not_part_of_them(text: str, mention: str, role: str | None) -> None:
    (quote,) = link(text, ["allies pledged more"], [mention])
    assert quote.role == role
    assert quote.speaker is not None and (role or "-") not in quote.speaker.name  # the role is not part of the name


def test_a_bare_title_takes_the_fuller_description_of_the_lead() -> None:
    text = (
        "Two Republican senators have expressed concern about the talks.\n\n"
        '"We are troubled," Senators Marco Rubio and Bill Hagerty said in their letter.\n\n'
        '"Russia is buying shells," their letter continued.'
    )
    first, second = link(
        text,
        ['"We are troubled,"', '"Russia is buying shells,"'],
        ["Senators", "Marco Rubio and Bill Hagerty", ("their letter", 1)],
        ["said", "continued"],
    )
    assert who(first) == ("Marco Rubio and Bill Hagerty", "Senators Marco Rubio and Bill Hagerty")  # joined
    assert who(second) == ("Marco Rubio and Bill Hagerty", "their letter")  # the letter speaks for them
    assert first.role == second.role == "Republican senators"


@pytest.mark.parametrize(
    "lead",
    [
        "Two senators have expressed concern about the talks.",  # nothing more specific than the title
        "Two Republican senators, Ted Cruz and Mike Lee, have expressed concern.",  # a title of other people
    ],
)
def test_a_lead_description_needs_modifiers_and_no_name_after_it(lead: str) -> None:
    text = f'{lead}\n\n"We are troubled," Senators Marco Rubio and Bill Hagerty said.'
    (quote,) = link(text, ['"We are troubled,"'], ["Senators Marco Rubio and Bill Hagerty"], ["said"])
    assert quote.role == "Senators"


def test_a_spokesman_for_a_named_person_is_not_that_person() -> None:
    text = '"We disagree," said Marco Rubio. A spokesman for Sen. Marco Rubio said the letter was sent.'
    first, second = link(
        text, ['"We disagree,"', "the letter was sent"], ["Marco Rubio", "A spokesman for Sen. Marco Rubio"]
    )
    assert who(first)[0] == "Marco Rubio"
    assert who(second)[0] == "A spokesman for Sen. Marco Rubio"
    assert second.role == "spokesman for Sen. Marco Rubio"


def test_each_entity_takes_its_most_specific_role_or_the_leads_fuller_description() -> None:
    text = (
        "Two Republican senators have expressed concern.\n\n"
        "Senators Marco Rubio and Bill Hagerty wrote. Ann Lee, the mayor of Springfield, agreed. The mayor left."
    )
    tagged = spans(text, ["Senators Marco Rubio and Bill Hagerty", "Ann Lee", "The mayor"])
    finder = RoleFinder(text, spans(text, ["Senators"]))
    entity_of = resolve_entities(text, tagged, finder)
    senators, lee, mayor = (entity_of[(m.start, m.end)] for m in tagged)
    assert lee is mayor
    assert entity_roles(text, entity_of) == {senators: "Republican senators", lee: "mayor of Springfield"}


def test_tagged_roles_count_inside_before_or_in_apposition_after_a_mention() -> None:
    text = "Pentagon spokesman John Kirby, the admiral, and the aide Jo Bell spoke."
    finder = RoleFinder(text, spans(text, ["Pentagon spokesman", "admiral", "aide"]))
    kirby = text.index("John Kirby")
    assert [r.text for r in finder.near(kirby, kirby + len("John Kirby"))] == ["Pentagon spokesman", "admiral"]
    bell = text.index("Jo Bell")
    assert [r.text for r in finder.near(bell, bell + len("Jo Bell"))] == ["aide"]


@pytest.mark.parametrize("word", ["negotiator", "activist", "resident", "President", "spokeswoman"])
def test_agent_nouns_head_roles(word: str) -> None:
    assert is_role_noun(word)


@pytest.mark.parametrize("word", ["however", "earlier", "whether", "treatment", "settlement", "Government"])
def test_adverbs_and_nouns_in_ment_head_no_role(word: str) -> None:
    assert not is_role_noun(word)


def test_a_tagged_role_ending_a_sentence_on_an_initialism_keeps_its_period() -> None:
    text = '"This is another fake," said Vasily Nebenzya, Russia\'s ambassador to the U.N. He left.'
    (quote,) = link(
        text,
        ['"This is another fake,"'],
        ["Vasily Nebenzya"],
        ["said"],
        ["Russia's ambassador to the U.N"],
    )
    assert quote.role == "Russia's ambassador to the U.N."
