"""Mentions → entities: names, surnames, pronouns and descriptions resolved to speakers."""

from __future__ import annotations

import pytest

from quoteattr.attribution.entities import resolve_entities
from quoteattr.attribution.pipeline import attribute
from quoteattr.attribution.roles import RoleFinder
from quoteattr.attribution.spans import TaggedSpan
from tests.tagged import link, spans, who


def test_a_pronoun_resolves_to_the_previous_named_speaker() -> None:
    text = (
        'Senator Anna Berg spoke at noon. "Taxes will fall," Berg said.\n\n'
        '"Wages will rise," Carl Dunn said.\n\n'
        '"Jobs will come back," he added.'
    )
    first, second, third = link(
        text,
        ['"Taxes will fall,"', '"Wages will rise,"', '"Jobs will come back,"'],
        [("Berg", 1), "Carl Dunn", "he"],
        ["said", ("said", 1), "added"],
    )
    assert who(first) == ("Anna Berg", "Berg")  # the surname widened to the full name
    assert who(second) == ("Carl Dunn", "Carl Dunn")
    assert who(third) == ("Carl Dunn", "he")
    assert third.speaker is not None and "he" in third.speaker.aliases


def test_a_pronoun_resolves_to_the_last_person_written_even_one_never_quoted() -> None:
    text = (
        '"Taxes will fall," Carl Dunn said.\n\n'
        "Anna Berg, who chairs the committee, met reporters after the vote.\n\n"
        '"Wages will rise," she said.'
    )
    first, second = link(text, ['"Taxes will fall,"', '"Wages will rise,"'], ["Carl Dunn", "Anna Berg", "she"])
    assert who(first) == ("Carl Dunn", "Carl Dunn")
    assert who(second) == ("Anna Berg", "she")


@pytest.mark.parametrize("opener", ["But", "And", "Even", "Meanwhile"])
def test_a_sentence_opener_is_not_part_of_the_name(opener: str) -> None:
    text = f'"Taxes will fall." {opener} Anna Berg said so.'
    (quote,) = link(text, ['"Taxes will fall."'], [f"{opener} Anna Berg"])
    assert who(quote) == ("Anna Berg", f"{opener} Anna Berg")


def test_a_pronoun_gets_the_canonical_full_name() -> None:
    text = '"Taxes will fall," said Mayor Anna Berg.\n\nLater she added: "Wages will rise."'
    first, second = link(text, ['"Taxes will fall,"', '"Wages will rise."'], ["Mayor Anna Berg", "she"])
    assert who(first) == ("Anna Berg", "Mayor Anna Berg")
    assert who(second) == ("Anna Berg", "she")
    assert first.speaker is not None and second.speaker is not None
    assert first.speaker.aliases == second.speaker.aliases


def test_a_surname_is_widened_to_the_full_name_written_earlier() -> None:
    text = 'Defense official Mark Tolliver briefed reporters on Tuesday.\n\n"The strikes were limited," Tolliver said.'
    (quote,) = link(text, ['"The strikes were limited,"'], [("Tolliver", 1)], ["said"])
    assert who(quote) == ("Mark Tolliver", "Tolliver")
    assert quote.speaker is not None and "Mark Tolliver" in quote.speaker.aliases


def test_a_surname_is_widened_to_the_full_name_written_later() -> None:
    text = '"We are ready," Okafor said on Friday.\n\nThe coach, Daniel Okafor, took over in May.'
    (quote,) = link(text, ['"We are ready,"'], ["Okafor"])
    assert who(quote) == ("Daniel Okafor", "Okafor")


@pytest.mark.parametrize("suffix", ["Jr.", "III"])
def test_a_generation_suffix_stays_in_the_full_name_and_the_surname_comes_before_it(suffix: str) -> None:
    text = (
        f"Chief Justice Alan Mertz {suffix} opened the session.\n\n"
        f'"The law is settled," Mertz said.\n\n'
        f'"We will hear the case," Alan Mertz {suffix} said later.\n\n'
        f'"It is done," Mertz added.'
    )
    first, second, third = link(
        text,
        ['"The law is settled,"', '"We will hear the case,"', '"It is done,"'],
        [("Mertz", 1), (f"Alan Mertz {suffix}", 1), ("Mertz", 3)],
        ["said", ("said", 1), "added"],
    )
    assert who(first) == (f"Alan Mertz {suffix}", "Mertz")  # widened with its suffix
    assert who(second) == (f"Alan Mertz {suffix}", f"Alan Mertz {suffix}")
    assert who(third) == (f"Alan Mertz {suffix}", "Mertz")  # the known speaker, by the surname before the suffix
    assert third.speaker is not None and "Mertz" in third.speaker.aliases


def test_a_surname_is_not_widened_to_a_person_of_the_other_gender() -> None:
    """*President Obama* and *Mr. Obama* are not the first lady written later, Michelle Obama: the
    document's *Mr.* before the surname says a man, and *lady* before her name says a woman."""
    text = (
        '"It is about me," President Obama said on Saturday.\n\n'
        '"Our progress is on the ballot," Mr. Obama added.\n\n'
        "The campaign will also send the first lady, Michelle Obama, to Ohio.\n\n"
        'Aides called it "Barack Obama Day."'
    )
    first, second = link(
        text, ['"It is about me,"', '"Our progress is on the ballot,"'], ["President Obama", "Mr. Obama"]
    )
    assert who(first) == ("Barack Obama", "President Obama")
    assert who(second) == ("Barack Obama", "Mr. Obama")
    without_him = text.replace('Aides called it "Barack Obama Day."', "")
    (first,) = link(without_him, ['"It is about me,"'], ["President Obama"])
    assert who(first) == ("Obama", "President Obama")  # no full name of his is written: the surname stands


def test_a_surname_is_still_widened_to_the_only_full_name_when_no_gender_is_said() -> None:
    text = '"We are ready," Okafor said.\n\nThe coach, Daniel Okafor, took over in May.\n\nMs. Grant agreed.'
    (quote,) = link(text, ['"We are ready,"'], ["Okafor"])
    assert who(quote) == ("Daniel Okafor", "Okafor")


def test_a_surname_joins_the_named_person_not_a_description_that_ends_with_the_name() -> None:
    text = (
        '"We will win," Hillary Clinton said.\n\n'
        '"She is resting," a spokeswoman for Hillary Clinton said.\n\n'
        '"I feel great," Clinton said later.'
    )
    first, second, third = link(
        text,
        ['"We will win,"', '"She is resting,"', '"I feel great,"'],
        ["Hillary Clinton", "a spokeswoman for Hillary Clinton", ("Clinton", 2)],
        ["said", ("said", 1), ("said", 2)],
    )
    assert who(first)[0] == "Hillary Clinton"
    assert who(second)[0] == "a spokeswoman for Hillary Clinton"
    assert who(third) == ("Hillary Clinton", "Clinton")


def test_a_nominal_resolves_to_the_entity_whose_role_has_its_head() -> None:
    text = (
        "Lena Hartwell, a Treasury spokeswoman, said the figures were final.\n\n"
        "General Omar Reyes, the army commander, said troops were ready.\n\n"
        "The spokeswoman added that no cuts were planned."
    )
    first, second, third = link(
        text,
        ["the figures were final", "troops were ready", "no cuts were planned"],
        ["Lena Hartwell", "General Omar Reyes", "The spokeswoman"],
        ["said", ("said", 1), "added"],
        ["Treasury spokeswoman", "army commander"],
    )
    assert who(first) == ("Lena Hartwell", "Lena Hartwell")
    assert who(second) == ("Omar Reyes", "General Omar Reyes")  # the title is not part of the name
    assert second.role == "army commander"
    # the most recent entity is Omar Reyes, but only Lena Hartwell's role has the head "spokeswoman"
    assert who(third) == ("Lena Hartwell", "The spokeswoman")
    assert third.role == "Treasury spokeswoman"


def test_a_mention_tagged_entirely_as_a_role_still_names_the_speaker() -> None:
    text = "The Spokesperson said the talks were over."
    quotes = attribute(
        text,
        [TaggedSpan(text.index("the talks"), text.index("."))],
        [TaggedSpan(0, 16)],
        [TaggedSpan(17, 21)],
        [TaggedSpan(0, 16)],
    )
    assert quotes[0].speaker is not None
    assert quotes[0].speaker.name == "Spokesperson"


def test_the_place_after_a_titles_preposition_is_not_part_of_the_name() -> None:
    text = (
        "North Korea has sent shells, officials said.\n\n"
        '"The talks went well," said Russian Ambassador to North Korea Alexander Matsegora.\n\n'
        '"We will meet again," said Secretary of State John F. Kennedy.'
    )
    first, second = link(
        text,
        ['"The talks went well,"', '"We will meet again,"'],
        ["Russian Ambassador to North Korea Alexander Matsegora", "Secretary of State John F. Kennedy"],
        ["said", ("said", 1)],
    )
    assert who(first)[0] == "Alexander Matsegora" and first.role == "Russian Ambassador to North Korea"
    assert who(second)[0] == "John F. Kennedy"  # a department after "Secretary of"


def test_a_surname_joins_the_person_already_quoted_not_a_name_inside_a_quotation() -> None:
    text = (
        '"We can wait," Fed Chair Jerome Powell said.\n\n'
        'The president was scathing: "Too Late Powell is at it again," he wrote.\n\n'
        '"We do our job," Powell said.'
    )
    first, third = link(
        text,
        ['"We can wait,"', '"We do our job,"'],
        ["Fed Chair Jerome Powell", ("Powell", 2)],
        ["said", ("said", 1)],
    )
    assert who(third) == ("Jerome Powell", "Powell")
    assert first.role == third.role == "Fed Chair"


def test_a_definite_description_of_a_body_is_not_the_last_person() -> None:
    text = (
        '"They will pay," said Ali Hussein.\n\n'
        "The Iranian foreign ministry said Washington bore full responsibility. The ministry added that it was calm."
    )
    _, second, third = link(
        text,
        ['"They will pay,"', "Washington bore full responsibility", "it was calm"],
        ["Ali Hussein", "The Iranian foreign ministry", "The ministry"],
        ["said", ("said", 1), "added"],
    )
    assert who(second) == ("The Iranian foreign ministry", "The Iranian foreign ministry")
    assert who(third)[0] == "The Iranian foreign ministry"


def test_name_particles_stay_in_the_name() -> None:
    text = "Ruben del Campo, a spokesman for the weather agency, said warnings went out early."
    (quote,) = link(
        text, ["warnings went out early"], ["Ruben del Campo, a spokesman for the weather agency,"], ["said"]
    )
    assert who(quote)[0] == "Ruben del Campo"
    assert quote.role == "spokesman for the weather agency"


def test_an_affiliation_after_a_name_is_not_part_of_it() -> None:
    text = "Professor Jonathan Bamber of the University of Bristol said the models were uncertain."
    (quote,) = link(text, ["the models were uncertain"], ["Professor Jonathan Bamber of the University of Bristol"])
    assert who(quote)[0] == "Jonathan Bamber"


@pytest.mark.parametrize(
    ("mention", "name"),
    [
        ("the Committee to Protect Journalists", "Committee to Protect Journalists"),
        ("the Federal Bureau of Prisons", "Federal Bureau of Prisons"),
        ("The Committee for a Responsible Federal Budget", "Committee for a Responsible Federal Budget"),
        ("the Rev. Jesse Jackson", "Jesse Jackson"),  # a title after *the*: a person
    ],
)
def test_a_body_named_after_the_keeps_the_linking_words_of_its_name(mention: str, name: str) -> None:
    text = f"{mention} said the deal was dead."
    (quote,) = link(text, ["the deal was dead"], [mention], ["said"])
    assert who(quote)[0] == name


@pytest.mark.parametrize(
    "label",
    ["(R-S.C.)", "(D-Newport News)", "(a view shared by his staff", "-- a lawyer by training --", "— a lawyer —"],
)
def test_a_parenthesis_or_a_dash_aside_after_a_name_is_not_part_of_it(label: str) -> None:
    text = f"Sen. Lindsey Graham {label} said the deal was dead."
    (quote,) = link(text, ["the deal was dead"], [f"Sen. Lindsey Graham {label}"], ["said"])
    assert who(quote)[0] == "Lindsey Graham"


@pytest.mark.parametrize("introduction", ["Anna Berg, a mayor, spoke first", "Mrs. Berg spoke first"])
def test_she_skips_a_more_recent_man(introduction: str) -> None:
    text = f'{introduction}. Mr. Carl Dunn said it was fine.\n\n"We will not wait," she said.'
    name = introduction.split(" spoke")[0].split(",")[0]
    _, quote = link(text, ["it was fine", '"We will not wait,"'], [name, "Mr. Carl Dunn", "she"], ["said", ("said", 1)])
    assert who(quote)[0] == ("Anna Berg" if name == "Anna Berg" else "Berg")
    assert quote.role == ("mayor" if name == "Anna Berg" else None)


def test_he_skips_a_more_recent_woman() -> None:
    text = 'Carl Dunn spoke first. Mrs. Anna Berg said it was fine.\n\n"We will not wait," Dunn said.'
    text += ' "Not a day," he added.'
    *_, quote = link(
        text, ["it was fine", '"We will not wait,"', '"Not a day,"'], ["Carl Dunn", "Mrs. Anna Berg", "Dunn", "he"]
    )
    assert who(quote) == ("Carl Dunn", "he")
    (alone,) = link(text, ['"Not a day,"'], ["Carl Dunn", "Mrs. Anna Berg", "he"])
    assert who(alone) == ("Carl Dunn", "he")


def test_only_a_title_or_head_says_the_gender_not_any_word_of_a_role() -> None:
    text = 'Carl Dunn spoke first. Tim Bale, a scientist at Queen Mary University, spoke. "It feeds a story," he said.'
    (quote,) = link(text, ['"It feeds a story,"'], ["Carl Dunn", "Tim Bale", "he"], ["said"])
    assert who(quote) == ("Tim Bale", "he")


def test_a_one_word_name_before_its_apposition_is_the_name() -> None:
    text = '"Europe is who we are," said Nino, a 22-year-old student who declined to give her surname.'
    (quote,) = link(text, ['"Europe is who we are,"'], ["Nino, a 22-year-old student who"], ["said"])
    assert who(quote) == ("Nino", "Nino, a 22-year-old student who")
    assert quote.role == "22-year-old student"


def test_an_acronym_is_part_of_a_name() -> None:
    text = "The German union IG Metall warned that it would fight any deal."
    (quote,) = link(text, ["it would fight any deal"], ["The German union IG Metall"], ["warned"])
    assert who(quote)[0] == "IG Metall"


def test_a_description_names_its_speaker_without_a_trailing_relative_pronoun() -> None:
    text = 'One investor, who asked not to be named, said a sale would be "the best news in years."'
    (quote,) = link(text, ['a sale would be "the best news in years."'], ["One investor, who"], ["said"])
    assert who(quote) == ("One investor", "One investor, who")


def test_every_mention_is_resolved_in_reading_order_with_the_roles_found_for_it() -> None:
    text = "Anna Berg, a spokeswoman, met Carl Dunn. The spokeswoman said she would stay. He left."
    mentions = spans(text, ["Anna Berg", "Carl Dunn", "The spokeswoman", "she", "He"])
    entity_of = resolve_entities(text, mentions, RoleFinder(text, []))
    berg, dunn, spokeswoman, she, he = (entity_of[(m.start, m.end)] for m in mentions)
    assert berg is spokeswoman is she and dunn is he and berg is not dunn
    assert berg.name == "Anna Berg" and berg.gender == "f" and dunn.gender == "m"
    assert [role.text for role in berg.roles.values()] == ["spokeswoman"]
    assert berg.aliases == ["Anna Berg", "Berg", "The spokeswoman", "she"]
