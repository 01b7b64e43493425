"""The word lists the attribution rules still use, each with what it is for and what it earns.

Only closed classes and what the corpora are too small to teach: pronouns, honorifics, name
particles, the nouns that head a role, words that say a person's gender. The grammar words a
head word is found by (prepositions, articles) live with `quoteattr.text.head_word`.

Each list's comment gives what removing it costs on dev with the shipped model (the ablation
table in `training/README.md`, "Rules that stay, and what each earns"): news dev attributed F1,
speaker and role accuracy, canonical names and roles taken exactly, role precision (a role given
where the gold has the same one), PolNeAR dev direct+mixed attributed F1 and speaker accuracy,
and the seed corpus. A list whose removal cost nothing was removed.
"""

from __future__ import annotations

from quoteattr.text import ARTICLES

# A mention that is one of these words is a pronoun (`names.mention_type`); none starts a name.
# removing it: news attributed F1 −0.009, role accuracy −0.074, name exact −0.167; PolNeAR d+m attributed F1 −0.005
PRONOUNS = frozenset(
    {"he", "she", "they", "it", "we", "i", "you", "who", "which", "that", "his", "her", "their", "its", "him"}
    | {"them", "us", "one", "this", "these", "those"}
)
# Pronouns that refer to one person: they resolve to a singular entity of their gender.
# removing it: news role accuracy −0.006, role precision −0.006
SINGULAR_PRONOUNS = frozenset({"he", "she", "his", "her", "him"})
# The gender a pronoun says, so that *she* skips a more recent man.
# removing it: news role precision −0.003 (name exact +0.002); nothing with the candidate ROLE head
PRONOUN_GENDERS = {"he": "m", "his": "m", "him": "m", "she": "f", "her": "f"}
# Owners of a document that speaks for them (*their letter*) and words that open no role (*his*).
# removing it: news role exact −0.002, seed role accuracy −0.028
POSSESSIVES = frozenset({"his", "her", "their", "its", "our", "my", "your"})
# Pronouns the tagger sometimes takes along at the end of a description (*One investor, who*).
# removing it: PolNeAR name exact −0.001 (and 14 PolNeAR dev speakers named *someone who* and the like)
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whose"})

# Words that open a mention before the name itself; a name starts after them (*Sen. Marco Rubio*).
# removing it: news name exact −0.0015, PolNeAR name exact −0.003
HONORIFICS = frozenset(
    {"mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "sen", "sen.", "rep", "rep.", "gov", "gov.", "gen", "gen."}
    | {"lt", "lt.", "col", "col.", "adm", "adm.", "prof", "prof.", "sir", "dame"}
)
# Written after a surname, part of the full name (*John G. Roberts Jr.*, *Brent Bozell III*), never the surname.
# removing it: news dev canonical speaker accuracy −0.003; news train canonical −0.008, role accuracy −0.011
GENERATION_SUFFIXES = ("Jr.", "Sr.", "II", "III", "IV")
# Nouns that head a role phrase (*spokesman* in *Pentagon spokesman*), with `AGENT_ENDINGS` for
# the open-ended rest; a phrase is a role only when one of them heads it (`is_role_noun`).
# removing it: news role accuracy −0.209, attributed F1 −0.004, name exact −0.103; seed role accuracy −0.132
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
# removing it: news role accuracy −0.057, role exact −0.024 (attributed F1 +0.001)
AGENT_ENDINGS = ("man", "woman", "person", "ist", "ent", "ary", "or", "er")
# Words with an agent ending that are no role (*order*, *incident*), kin (*brother*), or adverbs and
# determiners (*however*, *earlier*), not a title; nor is any noun in *-ment* (*government*, *treatment*).
# removing it: news role precision −0.016, role accuracy −0.002 (the adverbs and *-ment*: no dev score,
# but *however* and *endorsement of Senator* return as roles in the outputs)
NOT_ROLES = frozenset(
    {"order", "number", "matter", "letter", "paper", "other", "another", "year", "after", "water", "border"}
    | {"incident", "sector", "corridor"}
    | {"brother", "sister", "mother", "father", "daughter", "grandmother", "grandfather"}
    | {"however", "moreover", "whatever", "whenever", "wherever", "whoever", "together", "rather", "further"}
    | {"either", "neither", "whether", "earlier", "later", "former", "latter"}
)
# Words before a name that describe the person too (*President*, *Sen.*); never a given name.
# removing it: news role accuracy −0.172, attributed F1 −0.004, name exact −0.099; seed role accuracy −0.111
TITLES = HONORIFICS | ROLE_NOUNS
# Prepositions after a title whose object is a place or body, not the person (*Ambassador to North Korea*).
# removing it: news role accuracy −0.008, name exact −0.006 (nothing with the candidate ROLE head)
TITLE_PREPOSITIONS = frozenset({"to", "for", "of", "at"})
# Government departments after *Secretary of*: never the first word of a person's name.
# removing it: news role accuracy −0.008, name exact −0.006 (nothing with the candidate ROLE head)
TITLE_OBJECTS = frozenset(
    {"state", "defense", "defence", "staff", "homeland", "security", "treasury", "energy", "commerce", "labor"}
    | {"health", "human", "services", "education", "justice", "agriculture", "interior", "transportation", "veterans"}
)

# Name particles and the *and* of two names: they stay inside a name (*Ruben del Campo*).
# removing it: news role accuracy −0.012, name exact −0.011; seed role accuracy −0.056
LINK_WORDS = frozenset(
    {"and", "&", "de", "del", "della", "di", "da", "do", "dos", "du", "van", "von", "der", "den", "ter", "ten"}
    | {"al", "el", "bin", "ibn", "la", "le"}
)
# The lower-case words inside a body's name written after *the* (*the Committee to Protect Journalists*).
# removing it (and with it `names.body_name`): news canonical speaker accuracy −0.003, rules' mention names −0.011
BODY_LINKS = frozenset({"of", "for", "on", "to", "the", "a", "and", "&", "at"})
# An affiliation after a name is not part of it (*Jonathan Bamber of the University of Bristol*).
# removing it: news role accuracy −0.004, name exact −0.003; PolNeAR name exact −0.003
AFFILIATIONS = frozenset({"of", "from", "at"})
# Capitalised only because they open a sentence: never the start of a name (*But Megan Hester*).
# removing it: news name exact −0.005, PolNeAR name exact −0.003
SENTENCE_OPENERS = frozenset(
    {"but", "and", "so", "yet", "even", "also", "then", "still", "now", "meanwhile", "however", "only", "while"}
    | {"when", "as", "if", "though", "although", "because", "after", "before", "instead", "later", "earlier"}
)
# Words before a surname that name no one (*the*, *Senator*): the surname has no other given name.
# removing it: news role accuracy −0.037, role precision −0.015
NOT_GIVEN_NAMES = TITLES | SENTENCE_OPENERS | ARTICLES

# Texts that speak for their owner (*their letter continued*).
# removing it: seed role accuracy −0.028 (nothing on news or PolNeAR dev)
DOCUMENTS = frozenset(
    {"letter", "statement", "report", "book", "memoir", "tweet", "post", "memo", "speech", "email", "message"}
    | {"op-ed", "column", "essay", "article", "lawsuit", "complaint", "filing", "ruling", "opinion", "decision"}
)
# Determiners of a description that refers back (*the spokesperson*) or introduces someone new (*a spokesperson*).
# removing DEFINITE: news name exact −0.021, role precision −0.027, attributed F1 −0.001 (role accuracy +0.008)
# removing INDEFINITE: news role accuracy −0.004, PolNeAR name exact −0.005, seed role accuracy −0.021
DEFINITE = frozenset({"the", "this", "that"})
INDEFINITE = frozenset({"a", "an"})

# Cues, conjunctions and the like: a title before a name never reaches back over them (*said Transport Secretary*).
# removing it: news role exact −0.027, role accuracy −0.008, d+m attributed F1 −0.002
STOP = frozenset(
    {"said", "says", "told", "added", "by", "with", "and", "but", "that", "as", "from", "when", "while", "who"}
    | {"according", "urged", "noted", "stated", "wrote", "asked", "announced", "in", "on", "its", "his", "her"}
)
# Words a role phrase never ends with (*spokesperson for the* White House …: a longer name is cut).
# removing it: news role precision −0.063, role exact −0.004 (role accuracy +0.008)
DANGLING = ARTICLES | frozenset({"of", "for", "to", "at", "on", "in", "with", "from", "and", "or", "by"})
# Words that open no role phrase: determiners, possessives, the *to* of *According to*.
# removing it: news role exact −0.006
NOT_ROLE_STARTS = DANGLING | POSSESSIVES
# Openers of a lead description that introduces people before naming them (*Two Republican senators*).
# removing the lead-description rule (`roles.lead_description`): seed role accuracy −0.056; nothing on dev
LEAD_OPENERS = ("a", "an", "two", "three", "four", "five", "six", "several", "some", "many")
# Words that end an apposition after a name: a cue, a relative clause, a place (*an analyst based in Berlin*).
# removing it: news role exact −0.010 (role accuracy +0.008); nothing with the candidate ROLE head
APPOSITION_ENDS = (" said", " told", " says", " who ", " whose ", " which ", " that ", " based ")

# Words in a mention or role that say whether a person is a man or a woman.
# removing it: news dev canonical speaker accuracy −0.006 (*Mr. Obama* widened to the first lady's
# full name, `EntityResolver._widened`); PolNeAR name exact −0.002 with the candidate ROLE head
GENDERED_WORDS = {
    **dict.fromkeys(("mr", "mr.", "sir", "king", "prince", "husband", "father", "son", "brother", "uncle"), "m"),
    **dict.fromkeys(("mrs", "mrs.", "ms", "ms.", "miss", "dame", "queen", "princess", "wife", "mother"), "f"),
    **dict.fromkeys(("daughter", "sister", "aunt", "widow", "grandmother", "actress", "lady"), "f"),
}


def is_role_noun(word: str) -> bool:
    """Whether a word can head a role phrase (*spokesman*, *coordinator*, *Secretary*)."""
    plain = word.strip(",.;:'’\"()").lower()
    if plain in ROLE_NOUNS:
        return True
    if len(plain) <= 5 or plain in NOT_ROLES or not plain.isalpha() or plain.endswith("ment"):
        return False
    return plain.endswith(AGENT_ENDINGS)


def word_gender(word: str) -> str | None:
    """The gender a word says (*Mr.*, *Queen*, *wife*): "m", "f" or None."""
    return GENDERED_WORDS.get(word.strip(",;:()'’\"").lower())
