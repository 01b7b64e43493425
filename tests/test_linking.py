"""Linking tagged spans into attributed quotations: speakers, continuation, entities and roles (no model)."""

from __future__ import annotations

import pytest

from quoteattr.linking import TaggedSpan, attribute
from quoteattr.schema import Quote


def at(text: str, fragment: str, occurrence: int = 0, score: float = 1.0) -> TaggedSpan:
    """The span of the `occurrence`-th (0-based) appearance of `fragment` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(fragment, start + 1)
    return TaggedSpan(start, start + len(fragment), score)


Fragment = str | tuple[str, int]


def spans(text: str, fragments: list[Fragment]) -> list[TaggedSpan]:
    return [at(text, f) if isinstance(f, str) else at(text, *f) for f in fragments]


def link(
    text: str,
    quotes: list[Fragment],
    speakers: list[Fragment] = [],  # noqa: B006 - never mutated
    cues: list[Fragment] = [],  # noqa: B006
    roles: list[Fragment] = [],  # noqa: B006
) -> list[Quote]:
    result = attribute(text, spans(text, quotes), spans(text, speakers), spans(text, cues), spans(text, roles))
    check_offsets(text, result)
    return result


def check_offsets(text: str, quotes: list[Quote]) -> None:
    """Every span of the output covers exactly the text it claims."""
    for quote in quotes:
        assert text[quote.start : quote.end] == quote.text
        for span in (quote.cue, quote.speaker.mention if quote.speaker else None, *quote.fragments):
            if span is not None:
                assert text[span.start : span.end] == span.text


def who(quote: Quote) -> tuple[str, str] | None:
    """(canonical name, mention text) of a quotation's speaker."""
    if quote.speaker is None:
        return None
    assert quote.speaker.mention is not None
    return quote.speaker.name, quote.speaker.mention.text


def test_each_quote_takes_the_nearest_speaker_of_its_paragraph() -> None:
    text = '"We will win," said Anna Berg, while Carl Dunn replied: "We will see."'
    first, second = link(text, ['"We will win,"', '"We will see."'], ["Anna Berg", "Carl Dunn"], ["said", "replied"])
    assert who(first) == ("Anna Berg", "Anna Berg")
    assert who(second) == ("Carl Dunn", "Carl Dunn")
    assert first.cue is not None and first.cue.text == "said"
    assert second.cue is not None and second.cue.text == "replied"
    assert first.kind == second.kind == "direct"


def test_a_mention_with_a_cue_beats_a_nearer_one_without() -> None:
    text = 'Anna Berg said the plan, which Carl Dunn drafted, was "a disgrace".'
    (quote,) = link(text, ['"a disgrace"'], ["Anna Berg", "Carl Dunn"], ["said"])
    assert who(quote) == ("Anna Berg", "Anna Berg")
    (uncued,) = link(text, ['"a disgrace"'], ["Anna Berg", "Carl Dunn"])
    assert who(uncued) == ("Carl Dunn", "Carl Dunn")  # without the cue, the nearer mention


def test_reported_speech_prefers_the_mention_before_it() -> None:
    text = 'Anna Berg thinks the plan "is a disgrace" for Carl Dunn.'
    (quote,) = link(text, ['"is a disgrace"'], ["Anna Berg", "Carl Dunn"])
    assert who(quote) == ("Anna Berg", "Anna Berg")
    text = 'Anna Berg thinks the new tax plan, the one passed in a hurry on Friday, "is a disgrace" for Carl Dunn.'
    (far,) = link(text, ['"is a disgrace"'], ["Anna Berg", "Carl Dunn"])
    assert who(far) == ("Carl Dunn", "Carl Dunn")  # a preference, not a rule


def test_a_speaker_in_another_paragraph_is_not_taken() -> None:
    text = "Anna Berg spoke on Monday.\n\nThe plan would fail, according to a memo."
    (quote,) = link(text, ["The plan would fail"], ["Anna Berg"])
    assert quote.speaker is None and quote.kind == "indirect" and quote.role is None


def test_no_speaker_across_another_quotation() -> None:
    text = 'Anna Berg spoke first. "The plan is sound." Then "the plan is a disaster," said Carl Dunn.'
    first, second = link(text, ['"The plan is sound."', '"the plan is a disaster,"'], ["Anna Berg", "Carl Dunn"])
    # Carl Dunn is nearer to the first quotation, but the second quotation stands between them
    assert who(first) == ("Anna Berg", "Anna Berg")
    assert who(second) == ("Carl Dunn", "Carl Dunn")


def test_adjacent_quotes_do_not_reach_past_each_other() -> None:
    text = '"Prices will fall," "wages will rise," Anna Berg said.'
    first, second = link(text, ['"Prices will fall,"', '"wages will rise,"'], ["Anna Berg"])
    assert first.speaker is None
    assert who(second) == ("Anna Berg", "Anna Berg")


def test_a_paragraph_opening_with_a_mark_inherits_the_previous_speaker() -> None:
    text = (
        '"We will not give up," Anna Berg said on Monday.\n\n'
        '"We will fight until the end. Nobody can stop us."\n\n'
        "The plan would fail, according to a memo."
    )
    first, second, third = link(
        text,
        ['"We will not give up,"', '"We will fight until the end. Nobody can stop us."', "The plan would fail"],
        ["Anna Berg"],
        ["said"],
    )
    assert who(first) == who(second) == ("Anna Berg", "Anna Berg")
    assert second.kind == "direct"
    assert third.speaker is None  # a new paragraph without a mark does not continue the quotation


def test_a_quotation_after_a_paragraph_ending_with_a_colon_takes_its_speaker() -> None:
    text = 'Carl Dunn, asked about the budget, told reporters:\n\n"We will cut nothing."'
    (quote,) = link(text, ['"We will cut nothing."'], ["Carl Dunn"], ["told"])
    assert who(quote) == ("Carl Dunn", "Carl Dunn")


def test_both_halves_of_a_split_quote_share_the_speaker() -> None:
    text = 'Nobody expected it. "We will win," Anna Berg said, "and we will win soon." The crowd cheered.'
    first, second = link(text, ['"We will win,"', '"and we will win soon."'], ["Anna Berg"], ["said"])
    assert who(first) == who(second) == ("Anna Berg", "Anna Berg")
    assert first.cue == second.cue and first.cue is not None and first.cue.text == "said"


def test_split_quote_second_half_inherits_when_its_speaker_is_out_of_reach() -> None:
    filler = "and we will keep going " * 12
    text = f'"We will win," Anna Berg said, "{filler.strip()}."'
    first, second = link(text, ['"We will win,"', f'"{filler.strip()}."'], ["Anna Berg"])
    assert who(first) == ("Anna Berg", "Anna Berg")
    assert who(second) == ("Anna Berg", "Anna Berg")


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


def test_an_unresolvable_nominal_is_its_own_speaker_and_describes_the_role() -> None:
    text = "A senior diplomat said the deal was dead."
    (quote,) = link(text, ["the deal was dead"], ["A senior diplomat"], ["said"])
    assert who(quote) == ("A senior diplomat", "A senior diplomat")
    assert quote.role == "senior diplomat"


def test_a_nominal_without_a_role_noun_has_no_role() -> None:
    text = "A passer-by said the deal was dead."
    (quote,) = link(text, ["the deal was dead"], ["A passer-by"], ["said"])
    assert quote.role is None


def test_a_speaker_in_the_next_sentence_loses_to_the_speaker_of_the_same_sentence() -> None:
    text = (
        "Lena Hartwell, a Treasury spokeswoman, said the figures were final. General Omar Reyes said troops were ready."
    )
    first, second = link(
        text,
        ["the figures were final", "troops were ready"],
        ["Lena Hartwell", "General Omar Reyes"],
        ["said", ("said", 1)],
    )
    assert who(second) == ("Omar Reyes", "General Omar Reyes")
    assert who(first) == ("Lena Hartwell", "Lena Hartwell")


def test_output_is_in_text_order_with_combined_scores() -> None:
    text = '"We will see," Carl Dunn said. Anna Berg said the vote was close.'
    quotes = [at(text, "the vote was close", score=0.5), at(text, '"We will see,"', score=0.81)]
    speakers = [at(text, "Anna Berg", score=0.98), at(text, "Carl Dunn", score=0.64)]
    cues = [at(text, "said", 1), at(text, "said")]
    result = attribute(text, quotes, speakers, cues, [])
    check_offsets(text, result)
    assert [q.text for q in result] == ['"We will see,"', "the vote was close"]
    assert result[0].score == 0.72  # sqrt(0.81 * 0.64)
    assert result[1].score == 0.7  # sqrt(0.5 * 0.98)
    assert [q.cue.start if q.cue else None for q in result] == [cues[1].start, cues[0].start]
    alone = attribute(text, [at(text, "the vote was close", score=0.37)], [], [], [])
    assert alone[0].score == 0.37 and alone[0].speaker is None and alone[0].cue is None


def test_no_quotes_no_output() -> None:
    assert attribute("Anna Berg said nothing.", [], [TaggedSpan(0, 9)], [TaggedSpan(10, 14)], []) == []
    assert attribute("", [], [], [], []) == []


def test_every_span_matches_the_text_with_crlf_and_unicode() -> None:
    text = "Café owner Zoë Ångström said:\r\n\r\n“We’re open — always.”\r\n\r\n“Même le dimanche,” she added. 🙂"
    result = link(
        text,
        ["“We’re open — always.”", "“Même le dimanche,”"],
        ["Zoë Ångström", "she"],
        ["said", "added"],
        ["Café owner"],
    )
    assert [q.kind for q in result] == ["direct", "direct"]
    assert who(result[0]) == ("Zoë Ångström", "Zoë Ångström")
    assert who(result[1]) == ("Zoë Ångström", "she")
    assert result[0].role == result[1].role == "Café owner"


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
    import quoteattr.linking as linking

    calls = []
    real = linking.roles_around
    monkeypatch.setattr(linking, "roles_around", lambda *args: calls.append(args) or real(*args))
    repeats = 60
    text = '"Taxes will fall," Mayor Anna Berg said. Carl Dunn met her. ' * repeats
    names: list[Fragment] = [(name, i) for i in range(repeats) for name in ("Mayor Anna Berg", "Carl Dunn")]
    quotes = link(text, [('"Taxes will fall,"', i) for i in range(repeats)], names)
    assert {who(q)[0] for q in quotes} == {"Anna Berg"} and {q.role for q in quotes} == {"Mayor"}
    # each name's occurrences are searched once: linear, where once per mention would be 2 * repeats ** 2
    assert len(calls) <= 2 * repeats


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


@pytest.mark.parametrize(
    ("mention", "name", "role"),
    [
        ("Spain's prime minister, Pedro Sanchez,", "Pedro Sanchez", "Spain's prime minister"),
        ("A spokesperson for the Kremlin, Dmitry Peskov,", "Dmitry Peskov", "spokesperson for the Kremlin"),
        ("The regional president, Carlos Mazon,", "Carlos Mazon", "regional president"),
        (
            "The study's lead author, Dr. Helen Fricker of the Scripps Institution,",
            "Helen Fricker",
            "study's lead author",
        ),
        ("The hospital's medical officer, Dr. Vicki LoPachin,", "Vicki LoPachin", "hospital's medical officer"),
    ],
)
def test_a_description_before_a_name_is_the_role_and_the_name_the_speaker(mention: str, name: str, role: str) -> None:
    text = f"Carlos Martinez, a shop owner, said the water came fast.\n\n{mention} said the rain was unforeseeable."
    first, second = link(text, ["the water came fast", "the rain was unforeseeable"], ["Carlos Martinez", mention])
    assert who(first) == ("Carlos Martinez", "Carlos Martinez")
    assert who(second) == (name, mention)  # a new person, not the last one quoted
    assert second.role == role


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


def test_a_namesake_with_another_given_name_does_not_share_roles() -> None:
    text = (
        "Ali Hussein, the militia's political chief, vowed revenge.\n\n"
        'His brother, Kareem Hussein, a member of parliament, urged calm. "Stay home," Kareem Hussein said.'
    )
    (quote,) = link(text, ['"Stay home,"'], [("Kareem Hussein", 1)], ["said"])
    assert who(quote)[0] == "Kareem Hussein"
    assert quote.role == "member of parliament"


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


@pytest.mark.parametrize(
    ("text", "mention", "role"),
    [
        (
            "According to NATO Secretary General Mark Rutte, allies pledged more.",
            "Mark Rutte",
            "NATO Secretary General",
        ),
        ("Carlos Martinez, 54, a shop owner, said allies pledged more.", "Carlos Martinez", "shop owner"),
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
        (
            "A spokesman for the family, Dan Connolly, said allies pledged more.",
            "Dan Connolly",
            "spokesman for the family",
        ),
        (
            "Purdue's chief executive, Craig Landau, said allies pledged more.",
            "Craig Landau",
            "Purdue's chief executive",
        ),
        ("After meeting the minister, Kuleba, 48, said allies pledged more.", "Kuleba", None),
        ("Boeing chief executive Stephanie Pope said allies pledged more.", "Stephanie Pope", "Boeing chief executive"),
        (
            "His chief of staff, Andriy Yermak, said allies pledged more.",
            "His chief of staff, Andriy Yermak,",
            "chief of staff",
        ),
    ],
)
def test_roles_around_a_name_ignore_what_is_not_part_of_them(text: str, mention: str, role: str | None) -> None:
    (quote,) = link(text, ["allies pledged more"], [mention])
    assert quote.role == role
    assert quote.speaker is not None and (role or "-") not in quote.speaker.name  # the role is not part of the name


def test_an_affiliation_after_a_name_is_not_part_of_it() -> None:
    text = "Professor Jonathan Bamber of the University of Bristol said the models were uncertain."
    (quote,) = link(text, ["the models were uncertain"], ["Professor Jonathan Bamber of the University of Bristol"])
    assert who(quote)[0] == "Jonathan Bamber"


def test_of_two_cues_between_speaker_and_quotation_the_one_nearer_the_quotation_wins() -> None:
    text = "A company spokeswoman, who asked not to be named, said the offer was fair."
    (quote,) = link(text, ["the offer was fair"], ["A company spokeswoman"], ["asked", "said"])
    assert quote.cue is not None and quote.cue.text == "said"


@pytest.mark.parametrize("introduction", ["Anna Berg, a mayor, spoke first", "Mrs. Berg spoke first"])
def test_she_skips_a_more_recent_man(introduction: str) -> None:
    text = f'{introduction}. Carl Dunn, a councilman, said it was fine.\n\n"We will not wait," she said.'
    name = introduction.split(" spoke")[0].split(",")[0]
    _, quote = link(text, ["it was fine", '"We will not wait,"'], [name, "Carl Dunn", "she"], ["said", ("said", 1)])
    assert who(quote)[0] == ("Anna Berg" if name == "Anna Berg" else "Berg")
    assert quote.role == ("mayor" if name == "Anna Berg" else None)


def test_he_skips_a_more_recent_woman() -> None:
    text = 'Carl Dunn spoke first. Anna Berg, a spokeswoman, said it was fine.\n\n"We will not wait," Dunn said.'
    text += ' "Not a day," he added.'
    *_, quote = link(
        text, ["it was fine", '"We will not wait,"', '"Not a day,"'], ["Carl Dunn", "Anna Berg", "Dunn", "he"]
    )
    assert who(quote) == ("Carl Dunn", "he")
    (alone,) = link(text, ['"Not a day,"'], ["Carl Dunn", "Anna Berg", "he"])
    assert who(alone) == ("Carl Dunn", "he")


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


def test_only_a_title_or_head_says_the_gender_not_any_word_of_a_role() -> None:
    text = 'Carl Dunn spoke first. Tim Bale, a scientist at Queen Mary University, spoke. "It feeds a story," he said.'
    (quote,) = link(text, ['"It feeds a story,"'], ["Carl Dunn", "Tim Bale", "he"], ["said"])
    assert who(quote) == ("Tim Bale", "he")


def test_a_spokesman_for_a_named_person_is_not_that_person() -> None:
    text = '"We disagree," said Marco Rubio. A spokesman for Sen. Marco Rubio said the letter was sent.'
    first, second = link(
        text, ['"We disagree,"', "the letter was sent"], ["Marco Rubio", "A spokesman for Sen. Marco Rubio"]
    )
    assert who(first)[0] == "Marco Rubio"
    assert who(second)[0] == "A spokesman for Sen. Marco Rubio"
    assert second.role == "spokesman for Sen. Marco Rubio"


def test_a_one_word_name_before_its_apposition_is_the_name() -> None:
    text = '"Europe is who we are," said Nino, a 22-year-old student who declined to give her surname.'
    (quote,) = link(text, ['"Europe is who we are,"'], ["Nino, a 22-year-old student who"], ["said"])
    assert who(quote) == ("Nino", "Nino, a 22-year-old student who")
    assert quote.role == "22-year-old student"


def test_a_lone_that_opening_the_content_joins_the_content_after_it() -> None:
    text = "Spokeswoman He Yadong told a briefing that China would take measures. She gave no details."
    (quote,) = link(text, ["that", "China would take measures"], ["Spokeswoman He Yadong", "She"], ["told"])
    assert quote.text == "that China would take measures"
    assert who(quote) == ("He Yadong", "Spokeswoman He Yadong")
    first, second = link(text, ["told", "China would take measures"], ["Spokeswoman He Yadong"])
    assert (first.text, second.text) == ("told", "China would take measures")  # only a complementizer joins


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ('"It\'s a start," said Lydia Edwards, a former councilor.', "Lydia Edwards"),
        ("The union's vice president, Jackson Potter, said members were ready.", "Jackson Potter"),
        ("Jackson Potter, 52, said members were ready.", "Jackson Potter"),
        ("Jackson Potter, the union's vice president, said members were ready.", "Jackson Potter"),
    ],
)
def test_a_name_the_tagger_missed_at_the_cue_is_the_speaker(text: str, name: str) -> None:
    quote_text = '"It\'s a start,"' if text.startswith('"') else "members were ready"
    (quote,) = link(text, [quote_text], [], ["said"])
    assert quote.speaker is not None and quote.speaker.name == name
    assert quote.score < 1.0  # the mention's lower score says the tagger did not find it


@pytest.mark.parametrize(
    "text",
    [
        "He did not say whether the US would punish North Korea, Russia or both, saying that it was too early.",
        "Clinton Breaks With Obama Saying That Lawsuits Are Fine",
        "In Washington, officials said that it was too early.",
    ],
)
def test_no_untagged_speaker_from_lists_headlines_or_places(text: str) -> None:
    cue = "saying" if "saying" in text else ("Saying" if "Saying" in text else "said")
    content = text[text.index(cue) + len(cue) + 1 :].rstrip(".")
    (quote,) = link(text, [content], [], [cue])
    assert quote.speaker is None


def test_an_acronym_is_part_of_a_name() -> None:
    text = "The German union IG Metall warned that it would fight any deal."
    (quote,) = link(text, ["it would fight any deal"], ["The German union IG Metall"], ["warned"])
    assert who(quote)[0] == "IG Metall"


def test_a_description_names_its_speaker_without_a_trailing_relative_pronoun() -> None:
    text = 'One investor, who asked not to be named, said a sale would be "the best news in years."'
    (quote,) = link(text, ['a sale would be "the best news in years."'], ["One investor, who"], ["said"])
    assert who(quote) == ("One investor", "One investor, who")


def test_a_transcript_speaker_label_in_capitals_is_the_person_named_in_the_text() -> None:
    text = "An interview with Gov. Josh Shapiro.\n\nSHAPIRO: We have a surplus.\n\nNATO: Allies agree."
    first, second = link(text, ["We have a surplus.", "Allies agree."], ["SHAPIRO", "NATO"], [":", (":", 1)])
    assert who(first) == ("Josh Shapiro", "SHAPIRO")
    assert who(second) == ("NATO", "NATO")  # no one in the text is called Nato
