"""The word lists the attribution rules still use, each with what it is for.

Only closed classes and what the corpora are too small to teach: pronouns, honorifics, name
particles, the nouns that head a role, words that say a person's gender. The grammar words a
head word is found by (prepositions, articles) live with `quoteattr.text.head_word`.
"""

from __future__ import annotations

from quoteattr.text import ARTICLES, PREPOSITIONS

# A mention that is one of these words is a pronoun (`names.mention_type`); none starts a name.
PRONOUNS = frozenset(
    {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "his", "her", "their", "its", "him"}
    | {"them", "us", "one", "this", "these", "those"}
)
# Pronouns that refer to one person: they resolve to a singular entity of their gender.
SINGULAR_PRONOUNS = frozenset({"he", "she", "his", "her", "him"})
# The gender a pronoun says, so that *she* skips a more recent man.
PRONOUN_GENDERS = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}
# Owners of a document that speaks for them (*their letter*) and words that open no role (*his*).
POSSESSIVES = frozenset({"his", "her", "their", "its", "our", "my", "your"})
# Pronouns the tagger sometimes takes along at the end of a description (*One investor, who*).
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whose"})

# Words that open a mention before the name itself; a name starts after them (*Sen. Marco Rubio*).
HONORIFICS = frozenset(
    {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sen", "sen.", "rep", "rep.", "gov", "gov.", "gen", "gen."}
    | {"lt", "lt.", "col", "col.", "adm", "adm.", "prof", "prof.", "sir", "dame"}
)
# Nouns that head a role phrase (*spokesman* in *Pentagon spokesman*), with `AGENT_ENDINGS` for
# the open-ended rest; a phrase is a role only when one of them heads it (`is_role_noun`).
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
# Endings of agent nouns that head a role without being listed (*negotiator*, *activist*).
AGENT_ENDINGS = ("man", "woman", "person", "ist", "ent", "ary", "or", "er")
# Words with an agent ending that are no role (*order*, *government*) or kin (*brother*), not a title.
NOT_ROLES = frozenset(
    {"order", "number", "matter", "letter", "paper", "other", "another", "year", "after", "water", "border"}
    | {"government", "statement", "department", "parliament", "movement", "agreement", "comment", "moment"}
    | {"document", "amendment", "investment", "environment", "management", "incident", "sector", "corridor"}
    | {"brother", "sister", "mother", "father", "daughter", "grandmother", "grandfather"}
)
# Words before a name that describe the person too (*former President*, *Prime Minister*).
TITLES = HONORIFICS | ROLE_NOUNS | {"former", "acting", "vice", "prime"}
# Titles a name may follow in an apposition (*The study's lead author, Dr. Helen Fricker*).
TITLE_WORDS = HONORIFICS | ROLE_NOUNS
# Prepositions after a title whose object is a place or body, not the person (*Ambassador to North Korea*).
TITLE_PREPOSITIONS = frozenset({"to", "for", "of", "at"})
# Government departments after *Secretary of*: never the first word of a person's name.
TITLE_OBJECTS = frozenset(
    {"state", "defense", "defence", "staff", "homeland", "security", "treasury", "energy", "commerce", "labor"}
    | {"health", "human", "services", "education", "justice", "agriculture", "interior", "transportation", "veterans"}
)

# Name particles and the *and* of two names: they stay inside a name (*Ruben del Campo*).
LINK_WORDS = frozenset(
    {"and", "&", "de", "del", "della", "di", "da", "do", "dos", "du", "van", "von", "der", "den", "ter", "ten"}
    | {"al", "el", "bin", "ibn", "la", "le"}
)
# An affiliation after a name is not part of it (*Jonathan Bamber of the University of Bristol*).
AFFILIATIONS = frozenset({"of", "from", "at"})
# Capitalised only because they open a sentence: never the start of a name (*But Megan Hester*).
SENTENCE_OPENERS = frozenset(
    {"but", "and", "so", "yet", "even", "also", "then", "still", "now", "meanwhile", "however", "only", "while"}
    | {"when", "as", "if", "though", "although", "because", "after", "before", "instead", "later", "earlier"}
)
# Capitalised words that start a sentence or clause, never a name a cue is written with (*In Washington*).
NOT_NAMES = SENTENCE_OPENERS | PRONOUNS | PREPOSITIONS | ARTICLES | {"by", "asked"}
# Words before a surname that name no one (*the*, *Senator*): the surname has no other given name.
NOT_GIVEN_NAMES = TITLES | SENTENCE_OPENERS | ARTICLES

# Texts that speak for their owner (*their letter continued*).
DOCUMENTS = frozenset(
    {"letter", "statement", "report", "book", "memoir", "tweet", "post", "memo", "speech", "email", "message"}
    | {"op-ed", "column", "essay", "article", "lawsuit", "complaint", "filing", "ruling", "opinion", "decision"}
)
# A content span that is only one of these opens the content after it (*told a briefing that | China …*).
COMPLEMENTIZERS = frozenset({"that", "whether", "if"})
# Determiners of a description that refers back (*the spokesperson*) or introduces someone new (*a spokesperson*).
DEFINITE = frozenset({"the", "this", "that"})
INDEFINITE = frozenset({"a", "an"})

# Cues, conjunctions and the like: a title before a name never reaches back over them (*said Transport Secretary*).
STOP = frozenset(
    {"said", "says", "told", "added", "by", "with", "and", "but", "that", "as", "from", "when", "while", "who"}
    | {"according", "urged", "noted", "stated", "wrote", "asked", "announced", "in", "on", "its", "his", "her"}
)
# Words a role phrase never ends with (*spokesperson for the* White House …: a longer name is cut).
DANGLING = ARTICLES | frozenset({"of", "for", "to", "at", "on", "in", "with", "from", "and", "or", "by"})
# Words that open no role phrase: determiners, possessives, the *to* of *According to*.
NOT_ROLE_STARTS = DANGLING | POSSESSIVES
# Words that are no part of a lead description before its head (*Two Republican senators have …*).
NOT_MODIFIERS = STOP | DANGLING
# Openers of a lead description that introduces people before naming them (*Two Republican senators*).
LEAD_OPENERS = ("a", "an", "two", "three", "four", "five", "six", "several", "some", "many")
# Words that end an apposition after a name: a cue, a relative clause, a place (*an analyst based in Berlin*).
APPOSITION_ENDS = (" said", " told", " says", " who ", " whose ", " which ", " that ", " based ")

# Words in a mention or role that say whether a person is a man or a woman, and title endings that do.
GENDERED_WORDS = {
    **dict.fromkeys(("mr", "mr.", "sir", "king", "prince", "husband", "father", "son", "brother", "uncle"), "m"),
    **dict.fromkeys(("mrs", "mrs.", "ms", "ms.", "miss", "dame", "queen", "princess", "wife", "mother"), "f"),
    **dict.fromkeys(("daughter", "sister", "aunt", "widow", "grandmother", "actress"), "f"),
}
MALE_TITLE_ENDINGS = ("spokesman", "chairman", "congressman", "councilman", "assemblyman", "businessman", "policeman")


def is_role_noun(word: str) -> bool:
    """Whether a word can head a role phrase (*spokesman*, *coordinator*, *Secretary*)."""
    plain = word.strip(",.;:'’\"()").lower()
    if plain in ROLE_NOUNS:
        return True
    return len(plain) > 5 and plain not in NOT_ROLES and plain.isalpha() and plain.endswith(AGENT_ENDINGS)


def word_gender(word: str) -> str | None:
    """The gender a word says (*Mr.*, *chairwoman*, *wife*): "m", "f" or None."""
    plain = word.strip(",;:()'’\"").lower()
    if plain in GENDERED_WORDS:
        return GENDERED_WORDS[plain]
    if plain.endswith(("woman", "women")):
        return "f"
    return "m" if plain.endswith(MALE_TITLE_ENDINGS) else None
