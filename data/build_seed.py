#!/usr/bin/env python3
"""Build the quoteattr gold seed dataset from the five seed articles.

The annotation is written below as *anchor strings*; offsets are always
computed with ``str.find`` and every anchor must resolve to exactly one
position (or to the explicitly requested occurrence).  Any missing or
ambiguous anchor raises ``AnchorError``.

Helpers (bound to one document's text by ``Doc``):

* ``d.s(needle, ctx=None, occ=None)`` -- span of ``needle``.  Without ``ctx``
  the needle must be unique in the document (or ``occ`` picks the 0-based
  occurrence).  With ``ctx`` the context string must be unique in the
  document and the needle must be unique inside the context.
* ``d.r(first, last, ctx=None)`` -- span from the unique occurrence of
  ``first`` to the end of the first occurrence of ``last`` after it
  (inclusive).  The span must stay inside one paragraph unless
  ``multi_para=True``.

Output: data/train.jsonl, data/dev.jsonl, data/test.jsonl (document-level
splits from data/splits.json; together they hold every document once).  A
validation pass runs before writing and again on the files written.

The seed articles are read from ``../shared/seeds`` relative to the repository
root (a sibling folder of the repository), found from this script's location.

Usage:  python data/build_seed.py [--seeds DIR] [--out DIR]
"""
import argparse
import json
import os
import sys
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SEEDS = REPO_ROOT.parent / "shared" / "seeds"
SPLITS = ("train", "dev", "test")
CORPUS = "quoteattr-seed"

PRONOUNS = {"he", "she", "it", "they", "their", "his", "her", "its", "them", "we"}
DETERMINERS = {"a", "an", "the", "two"}
QUOTE_MARKS = '"\u201c\u201d\u2018\u2019'
KINDS = {"direct", "mixed", "indirect"}
MENTION_TYPES = {"name", "pronoun", "nominal"}
ENTITY_TYPES = {"person", "organization", "group"}


class AnchorError(ValueError):
    pass


def find_all(hay, needle):
    out, i = [], hay.find(needle)
    while i != -1:
        out.append(i)
        i = hay.find(needle, i + 1)
    return out


class Doc:
    """Annotation builder for one document."""

    def __init__(self, doc_id, text):
        self.id = doc_id
        self.text = text
        self.entities = {}  # key -> dict
        self.entity_order = []
        self.quotes = []

    # ---------------------------------------------------------------- spans
    def _unique(self, needle, occ=None, lo=0, hi=None, what="anchor"):
        hi = len(self.text) if hi is None else hi
        hits = [lo + i for i in find_all(self.text[lo:hi], needle)]
        if not hits:
            raise AnchorError(f"{self.id}: {what} not found: {needle!r}")
        if occ is None:
            if len(hits) > 1:
                raise AnchorError(
                    f"{self.id}: {what} ambiguous ({len(hits)} hits): {needle!r}")
            return hits[0]
        if occ >= len(hits):
            raise AnchorError(
                f"{self.id}: {what} occurrence {occ} missing ({len(hits)} hits): {needle!r}")
        return hits[occ]

    def s(self, needle, ctx=None, occ=None):
        if ctx is None:
            start = self._unique(needle, occ)
        else:
            c = self._unique(ctx, occ, what="context")
            if needle not in ctx:
                raise AnchorError(f"{self.id}: {needle!r} not inside context {ctx!r}")
            start = self._unique(needle, None, c, c + len(ctx), what="needle-in-context")
        return (start, start + len(needle))

    def r(self, first, last, ctx=None, multi_para=False):
        a, _ = self.s(first, ctx=ctx)
        j = self.text.find(last, a + len(first) if last != first else a)
        if j == -1:
            raise AnchorError(f"{self.id}: range end {last!r} not found after {first!r}")
        b = j + len(last)
        if not multi_para and "\n" in self.text[a:b]:
            raise AnchorError(f"{self.id}: range {first!r}..{last!r} crosses a paragraph")
        return (a, b)

    def span(self, sp):
        a, b = sp
        return {"start": a, "end": b, "text": self.text[a:b]}

    # ------------------------------------------------------------- entities
    def entity(self, key, name, etype, aliases=(), roles=(), mentions=(),
               primary_role=None):
        """roles: list of spans; mentions: list of (span, type-or-None)."""
        if key in self.entities:
            raise ValueError(f"{self.id}: duplicate entity key {key}")
        ent = {"key": key, "name": name, "type": etype, "aliases": list(aliases),
               "roles": [], "mentions": [], "primary_role": primary_role}
        self.entities[key] = ent
        self.entity_order.append(key)
        for sp in roles:
            self.add_role(key, sp)
        for sp, mtype in mentions:
            self.add_mention(key, sp, mtype)
        return ent

    def add_role(self, key, sp):
        ent = self.entities[key]
        if sp not in [(r["start"], r["end"]) for r in ent["roles"]]:
            ent["roles"].append(self.span(sp))

    def mention_type(self, sp):
        t = self.text[sp[0]:sp[1]]
        first = t.split()[0]
        if t.lower() in PRONOUNS:
            return "pronoun"
        if first.lower() in DETERMINERS or first[0].islower():
            return "nominal"
        return "name"

    def add_mention(self, key, sp, mtype=None):
        ent = self.entities[key]
        mtype = mtype or self.mention_type(sp)
        for m in ent["mentions"]:
            if (m["start"], m["end"]) == sp:
                if m["type"] != mtype:
                    raise ValueError(f"{self.id}: mention type clash at {sp}")
                return
        m = self.span(sp)
        m["type"] = mtype
        ent["mentions"].append(m)

    # --------------------------------------------------------------- quotes
    def quote(self, kind, sp, who=None, mention=None, mtype=None, cue=None,
              unclosed=False):
        """who: entity key (None = no entity); mention: span of the speaker
        mention (None = no speaker written for this quote)."""
        if who is not None and mention is not None:
            self.add_mention(who, mention, mtype)
        self.quotes.append({"kind": kind, "span": sp, "who": who,
                            "mention": mention, "cue": cue, "unclosed": unclosed})

    # --------------------------------------------------------------- output
    def role_text(self, ent):
        if not ent["roles"]:
            return None
        if ent["primary_role"] is not None:
            hits = [r for r in ent["roles"] if r["text"] == ent["primary_role"]]
            if not hits:
                raise ValueError(f"{self.id}: primary role {ent['primary_role']!r} not a role span")
            return hits[0]["text"]
        # most specific = longest role text; ties -> first written
        best = sorted(ent["roles"], key=lambda r: (-len(r["text"]), r["start"]))[0]
        return best["text"]

    def aliases(self, ent):
        out = []
        for a in list(ent["aliases"]) + [m["text"] for m in sorted(ent["mentions"], key=lambda m: m["start"]) if m["type"] != "pronoun"]:
            if a != ent["name"] and a not in out:
                out.append(a)
        return out

    def record(self, source_file):
        ents = []
        for key in self.entity_order:
            e = self.entities[key]
            ents.append({
                "name": e["name"], "type": e["type"], "aliases": self.aliases(e),
                "roles": sorted(e["roles"], key=lambda r: r["start"]),
                "mentions": sorted(e["mentions"], key=lambda m: m["start"]),
            })
        quotes = []
        for q in sorted(self.quotes, key=lambda q: q["span"][0]):
            e = self.entities[q["who"]] if q["who"] else None
            rec = self.span(q["span"])
            rec["kind"] = q["kind"]
            rec["speaker"] = self.span(q["mention"]) if q["mention"] else None
            rec["speaker_name"] = e["name"] if e else None
            rec["speaker_aliases"] = [e["name"]] + self.aliases(e) if e else []
            rec["role"] = self.role_text(e) if e else None
            rec["cue"] = self.span(q["cue"]) if q["cue"] else None
            quotes.append(rec)
        return {"id": self.id, "text": self.text,
                "meta": {"corpus": CORPUS, "source_file": source_file},
                "quotes": quotes, "entities": ents}


# =========================================================================
# Annotation, one function per document.
# =========================================================================

def doc_000(d):
    """VOA: Senators Urge Biden to Increase Pressure on North Korea."""
    # --- entities ---------------------------------------------------------
    d.entity("rh", "Marco Rubio and Bill Hagerty", "group",
             roles=[d.s("Republican senators"),
                    d.s("Senators", ctx="Senators Marco Rubio"),
                    d.s("senators", ctx="The senators sent")],
             mentions=[(d.s("Two Republican senators"), "nominal"),
                       (d.s("Marco Rubio and Bill Hagerty"), "name"),
                       (d.s("The senators", ctx="The senators sent"), "nominal")],
             primary_role="Republican senators")
    d.entity("spox", "unnamed State Department spokesperson", "person",
             roles=[d.s("spokesperson for the State Department"),
                    d.s("spokesperson", ctx="The spokesperson continued")])
    d.entity("dos", "U.S. State Department", "organization")
    d.entity("matsegora", "Alexander Matsegora", "person",
             roles=[d.s("Russian Ambassador to North Korea")],
             mentions=[(d.s("Alexander Matsegora"), "name")])
    d.entity("patel", "Vedant Patel", "person",
             roles=[d.s("deputy spokesperson at the State Department")],
             mentions=[(d.s("Vedant Patel"), "name")])
    d.entity("nebenzya", "Vasily Nebenzya", "person",
             roles=[d.s("Russian Ambassador to the U.N.")],
             mentions=[(d.s("Vasily Nebenzya"), "name")])
    d.entity("nk", "North Korea", "organization",
             aliases=["Pyongyang", "Democratic People's Republic of Korea", "DPRK"],
             mentions=[(d.s("it", ctx='" it said in the statement'), "pronoun")])

    their = d.s("their", ctx="their letter continued")
    # --- quotes -----------------------------------------------------------
    d.quote("direct", d.r('"We are troubled', 'invasion of Ukraine,"'),
            "rh", d.s("Marco Rubio and Bill Hagerty"),
            cue=d.s("said", ctx="Hagerty said in their letter"))
    # split quotation across "their letter continued": two records, one mention
    d.quote("direct", d.r('"North Korea and Russia have recently', 'seized by Russia,\u201d'),
            "rh", their, "pronoun", cue=d.s("continued", ctx="their letter continued"))
    d.quote("direct", d.r('\u201cWe also learned', 'from North Korea."'),
            "rh", their, "pronoun", cue=d.s("continued", ctx="their letter continued"))
    d.quote("mixed", d.r('"to fully enforce', 'Kim regime."'),
            "rh", d.s("Rubio and Hagerty", ctx="Rubio and Hagerty urged"), "name",
            cue=d.s("urged", ctx="Hagerty urged"))
    d.quote("mixed", d.r('"it is important', 'with the United States."'),
            "spox", d.s("a spokesperson for the State Department"), "nominal",
            cue=d.s("told", ctx="State Department told VOA"))
    d.quote("direct", d.r('"U.N. sanctions on the DPRK', 'neighbors."'),
            "spox", d.s("The spokesperson", ctx="The spokesperson continued"), "nominal",
            cue=d.s("continued", ctx="The spokesperson continued"))
    d.quote("indirect", d.r("Moscow was willing to hire", "in the Donbas region"),
            "matsegora", d.s("Alexander Matsegora"), "name",
            cue=d.s("said", ctx="Matsegora said in an interview"))
    d.quote("indirect", d.r("Russia wants to purchase rockets", "runs short on weapons"),
            "dos", d.s("U.S. State Department", ctx="According to the U.S. State Department"), "name",
            cue=d.s("According to"))
    d.quote("direct", d.r('"The Russian Ministry of Defense', 'for use in Ukraine."'),
            "patel", d.s("Vedant Patel"), "name",
            cue=d.s("said", ctx='State Department, said, "The Russian'))
    d.quote("direct", d.r('"This purchase indicates', 'and sanctions."'),
            "patel", d.s("He", ctx='He added, "This purchase'), "pronoun",
            cue=d.s("added", ctx='He added, "This purchase'))
    d.quote("mixed", d.r("the U.S. claim of Moscow's arms purchase", 'another fake,"'),
            "nebenzya", d.s("Vasily Nebenzya"), "name",
            cue=d.s("said", ctx="Nebenzya said that"))
    # KCNA statement: the country is the speaker, KCNA is only the channel
    d.quote("mixed", d.r('it has "never exported', 'export them,"'),
            "nk", d.s("North Korea", ctx="North Korea said on Thursday"), "name",
            cue=d.s("said", ctx="North Korea said on Thursday"))
    d.quote("mixed", d.r('it "never recognized"', 'vassal forces."'),
            "nk", d.s("North Korea", ctx="North Korea continued to say"), "name",
            cue=d.s("continued to say"))


def doc_001(d):
    """UPI: US and allies condemn North Korea-Russia arms transfers."""
    joint = d.s("Antony Blinken and the foreign ministers from 47 countries and the European Union")
    d.entity("joint", "Antony Blinken and the foreign ministers from 47 countries and the European Union",
             "group")
    d.entity("us", "United States", "organization", aliases=["U.S.", "Biden administration"])
    d.entity("kirby", "John Kirby", "person",
             roles=[d.s("National Security Council coordinator for strategic communications")],
             mentions=[(d.s("John Kirby"), "name")])
    d.entity("officials", "unnamed U.S. officials", "group")

    d.quote("direct", d.r("\u201cOur governments stand together", "DPRK and Russia,\u201d"),
            "joint", joint, "name", cue=d.s("said", ctx="European Union said Tuesday"))
    # stand-alone continuation paragraph of the joint statement (no cue of its own)
    d.quote("direct", d.r("\u201cWe are closely monitoring", "weapons exports.\u201d"),
            "joint", joint, "name", cue=None)
    d.quote("indirect", d.r("as the regime of Russian President", "to replenish supplies"),
            "us", d.s("Biden administration", ctx="The Biden administration has long warned"), "name",
            cue=d.s("warned", ctx="has long warned"))
    d.quote("indirect", d.r("North Korea recently transferred", "launched on Jan. 2"),
            "us", d.s("United States", ctx="Last week, the United States said"), "name",
            cue=d.s("said", ctx="United States said North Korea"))
    d.quote("indirect", d.r("Russia again launched North Korean missiles", "assessing their impact"),
            "kirby", d.s("John Kirby"), "name", cue=d.s("told reporters"))
    d.quote("indirect", d.r("the weapons transfer is a violation", "to abide by them"),
            "kirby", d.s("Kirby", ctx="statement, Kirby said"), "name",
            cue=d.s("said", ctx="Kirby said the weapons"))
    d.quote("mixed", d.r("the Biden administration will raise", "signed up to.\u201d"),
            "kirby", d.s("Kirby", ctx="Kirby also said"), "name",
            cue=d.s("said", ctx="Kirby also said"))
    kirby3 = d.s("Kirby", ctx="missiles, Kirby said they")
    d.quote("indirect", d.s("Russia had used North Korean missiles"),
            "kirby", kirby3, "name", cue=d.s("announcing"))
    d.quote("indirect", d.r("they would slap sanctions", "facilitate the transfers"),
            "kirby", kirby3, "name", cue=d.s("said", ctx="Kirby said they would"))
    d.quote("indirect", d.r("Pyongyang is seeking military assistance", "and the region"),
            "officials", d.s("officials", ctx="as officials have said"), "nominal",
            cue=d.s("said", ctx="officials have said"))
    d.quote("indirect", d.r("Putin is turning to Iran", "has occurred yet"),
            "officials", d.s("The officials", ctx="The officials also raised"), "nominal",
            cue=d.s("raised concern"))


def doc_002(d):
    """Al Jazeera: US threatens sanctions if North Korea sells arms to Russia."""
    d.entity("us", "United States", "organization", aliases=["US", "Washington"])
    d.entity("miller", "Matthew Miller", "person",
             roles=[d.s("US State Department spokesperson",
                        ctx="US State Department spokesperson Matthew Miller said on Monday")],
             mentions=[(d.s("Matthew Miller", ctx="Matthew Miller said on Monday"), "name")])
    d.entity("runk", "Russia and North Korea", "group")
    d.entity("kimputin", "Kim Jong Un and Vladimir Putin", "group")
    d.entity("nk", "North Korea", "organization", aliases=["Pyongyang"])

    d.quote("mixed", d.r("to \u201caggressively\u201d enforce", "war in Ukraine"),
            "us", d.s("United States", ctx="the United States has threatened"), "name",
            cue=d.s("threatened"))
    d.quote("mixed", d.r("the US will continue to \u201chold accountable\u201d", "campaign in Ukraine"),
            "miller", d.s("Matthew Miller", ctx="Matthew Miller said on Monday"), "name",
            cue=d.s("said", ctx="Miller said on Monday that"))
    miller_tr = d.s("Miller", ctx="Miller told reporters")
    d.quote("direct", d.r("\u201cI will remind both countries", "Security Council resolutions,\u201d"),
            "miller", miller_tr, "name", cue=d.s("told reporters"))
    # stand-alone continuation paragraph, same speaker, no cue of its own
    d.quote("direct", d.r("\u201cWe, of course,", "if appropriate.\u201d"),
            "miller", miller_tr, "name", cue=None)
    d.quote("mixed", d.r("the US is monitoring the situation", "before speculating\u201d"),
            "miller", d.s("He", ctx="He did not specify"), "pronoun",
            cue=d.s("saying", ctx="saying that the US"))
    d.quote("mixed", d.r("by turning to Kim", "\u201cstrategic failure\u201d"),
            "miller", d.s("Miller", ctx="Miller argued"), "name", cue=d.s("argued"))
    d.quote("direct", d.r("\u201cThere\u2019s no better evidence", "military assistance,\u201d"),
            "miller", d.s("Miller", ctx="Miller said on Monday."), "name",
            cue=d.s("said", ctx="Miller said on Monday."))
    d.quote("direct", d.r("\u201cWe continue to assess", "of their forces,\u201d"),
            "miller", d.s("Miller", ctx="forces,\u201d Miller said"), "name",
            cue=d.s("said", ctx="forces,\u201d Miller said"))
    d.quote("indirect", d.s("against helping Russia in its military offensive"),
            "us", d.s("US", ctx="The US, which provides"), "name",
            cue=d.s("warning", ctx="has been\u00a0warning"))
    d.quote("indirect", d.s("against selling arms to Moscow"),
            "us", d.s("Washington", ctx="Washington has repeatedly urged"), "name",
            cue=d.s("urged", ctx="repeatedly urged"))
    d.quote("mixed", d.s("it is not a \u201csocial gathering\u201d"),
            "miller", d.s("Miller", ctx="Miller responded"), "name", cue=d.s("responded"))
    d.quote("indirect", d.s("Putin and Kim are set to meet in the coming days"),
            "runk", d.s("Moscow and Pyongyang", ctx="Moscow and Pyongyang have confirmed"), "name",
            cue=d.s("confirmed"))
    d.quote("indirect", d.s("to bolster cooperation between their two countries"),
            "kimputin", d.s("Kim and Putin", ctx="Kim and Putin also\u00a0exchanged"), "name",
            cue=d.s("vowing"))
    d.quote("indirect", d.s("North Korea of\u00a0covertly shipping\u00a0artillery shells to Russia"),
            "us", d.s("US", ctx="the US also accused"), "name",
            cue=d.s("accused", ctx="the US also accused"))
    d.quote("indirect", d.r("these missile launches as a defensive response", "near the Korean Peninsula"),
            "nk", d.s("North Korea", ctx="North Korea has framed"), "name", cue=d.s("framed"))


def doc_003(d):
    """Korea Herald / Yonhap: White House urges N. Korea not to provide weapons."""
    d.entity("wh", "White House", "organization")
    d.entity("watson", "Adrienne Watson", "person",
             roles=[d.s("spokesperson for the White House National Security Council")],
             mentions=[(d.s("Adrienne Watson"), "name")])
    d.entity("nk", "North Korea", "organization",
             aliases=["Pyongyang", "Democratic People's Republic of Korea", "DPRK"])
    d.entity("skoff", "unnamed South Korean officials", "group")
    d.entity("kirby", "John Kirby", "person",
             roles=[d.s("NSC coordinator for strategic communications")],
             mentions=[(d.s("John Kirby"), "name")])
    d.entity("kjp", "Karine Jean-Pierre", "person",
             roles=[d.s("White House Press Secretary")],
             mentions=[(d.s("Karine Jean-Pierre"), "name")])
    d.entity("pak", "Jung Pak", "person",
             roles=[d.s("deputy assistant secretary of state for multilateral affairs"),
                    d.s("deputy special representative for North Korean affairs"),
                    d.s("US diplomat", ctx="The US diplomat")],
             primary_role="deputy assistant secretary of state for multilateral affairs")
    d.entity("cr", "China and Russia", "group")
    # "A state department spokesperson later reiterated ..." is followed by
    # Matthew Miller's quotes repeating the same point: coreferent with Miller.
    d.entity("miller", "Matthew Miller", "person",
             roles=[d.s("state department spokesperson", ctx="A state department spokesperson")],
             mentions=[(d.s("Matthew Miller"), "name")])

    d.quote("indirect", d.s("not to provide any weapons to Russia"),
            "wh", d.s("White House", ctx="The White House called on"), "name",
            cue=d.s("called on"))
    d.quote("indirect", d.r("the two countries will likely continue", "ongoing trip to Russia"),
            "watson", d.s("Adrienne Watson"), "name", cue=d.s("underscored"))
    d.quote("direct", d.r('"As we have warned publicly', 'trip to Russia,"'),
            "watson", d.s("Watson", ctx="Watson told Yonhap"), "name",
            cue=d.s("told", ctx="Watson told Yonhap"))
    d.quote("direct", d.r('"We urge the DPRK to abide', 'arms to Russia,"'),
            "watson", d.s("she", ctx='arms to Russia," she added'), "pronoun",
            cue=d.s("added", ctx='arms to Russia," she added'))
    d.quote("indirect", d.s("Kim will soon visit Russia at the invitation of Putin"),
            "nk", d.s("Pyongyang", ctx="Pyongyang reported earlier"), "name",
            cue=d.s("reported", ctx="Pyongyang reported earlier"))
    d.quote("indirect", d.r("a special train believed", "have left for Russia"),
            "skoff", d.s("South Korean officials", ctx="South Korean officials said"), "nominal",
            cue=d.s("said", ctx="officials said a special"))
    d.quote("indirect", d.s("was followed by a trip of some 20 Russian officials to North Korea"),
            "kirby", d.s("he", ctx="which he said was"), "pronoun",
            cue=d.s("said", ctx="which he said was"))
    d.quote("indirect", d.r("any arms deal between North Korea and Russia would directly violate",
                            "arms trade with North Korea"),
            "kjp", d.s("Karine Jean-Pierre"), "name", cue=d.s("stressed"))
    d.quote("direct", d.r('"(An) arms deal', 'Russia and the DPRK,"'),
            "kjp", d.s("Jean-Pierre", ctx="Jean-Pierre said earlier"), "name",
            cue=d.s("said", ctx="Jean-Pierre said earlier"))
    d.quote("mixed", d.r('it may be the "final step"', "weapons to Russia"),
            "pak", d.s("Jung Pak"), "name", cue=d.s("saying", ctx="saying it may be"))
    d.quote("direct", d.r('"This can only be seen', 'against Ukraine,"'),
            "pak", d.s("Pak", ctx="Pak said of a possible"), "name",
            cue=d.s("said", ctx="Pak said of a possible"))
    d.quote("direct", d.r('"Despite the DPRK', 'Korean Peninsula,"'),
            "pak", d.s("she", ctx='Peninsula," she added'), "pronoun",
            cue=d.s("added", ctx='Peninsula," she added'))
    d.quote("mixed", d.r("Beijing and Moscow are already shielding", 'in "unprecedented scale."'),
            "pak", d.s("The US diplomat"), "nominal", cue=d.s("noting"))
    d.quote("direct", d.r('"Look no further', 'central Pyongyang,"'),
            "pak", d.s("Pak", ctx="Pak told the seminar"), "name",
            cue=d.s("told", ctx="Pak told the seminar"))
    d.quote("direct", d.r('"Such public support', 'unprecedented scale,"'),
            "pak", d.s("she", ctx='scale," she added'), "pronoun",
            cue=d.s("added", ctx='scale," she added'))
    d.quote("indirect", d.r("the US of escalating tension", "South Korea and Japan"),
            "cr", d.s("China and Russia", ctx="China and Russia have vetoed"), "name",
            cue=d.s("accusing"))
    d.quote("direct", d.r('"Unlike the DPRK', 'dates and activities,"'),
            "pak", d.s("Pak", ctx="said Pak."), "name", cue=d.s("said", ctx="said Pak."))
    d.quote("indirect", d.r("any arms transfer between North Korea and Russia would be in violation",
                            "UNSC resolutions"),
            "miller", d.s("A state department spokesperson"), "nominal", cue=d.s("reiterated"))
    d.quote("direct", d.r('"So we are going to monitor', 'this meeting,"'),
            "miller", d.s("Matthew Miller"), "name",
            cue=d.s("told", ctx="Matthew Miller told"))
    d.quote("direct", d.r('"I will remind both countries', 'sanctions appropriate,"'),
            "miller", d.s("he", ctx='appropriate," he added'), "pronoun",
            cue=d.s("added", ctx='appropriate," he added'))


def doc_004(d):
    """Al Jazeera: White House warns North Korea against arms deal with Russia."""
    d.entity("wh", "White House", "organization")
    d.entity("kirby", "John Kirby", "person",
             roles=[d.s("spokesman for the White House on national security"),
                    d.s("White House spokesman", ctx="The White House spokesman declined")],
             mentions=[(d.s("The White House spokesman", ctx="The White House spokesman declined"), "nominal"),
                       (d.s("Kirby", ctx="is what Kirby called it"), "name")],
             primary_role="spokesman for the White House on national security")
    d.entity("us", "United States", "organization", aliases=["US", "Washington"])
    d.entity("kimputin", "Kim Jong Un and Vladimir Putin", "group")
    d.entity("putin", "Vladimir Putin", "person",
             roles=[d.s("Russian President", ctx="Russian President Vladimir Putin and Kim")],
             mentions=[(d.s("Vladimir Putin", ctx="Russian President Vladimir Putin and Kim"), "name")])
    d.entity("nk", "North Korea", "organization",
             aliases=["Pyongyang", "Democratic People\u2019s Republic of Korea", "DPRK"])
    d.entity("dos", "US Department of State", "organization")
    d.entity("skmil", "South Korean military", "organization")
    d.entity("kjp", "Karine Jean-Pierre", "person",
             roles=[d.s("spokeswoman for the White House")])
    d.entity("usskjp", "United States, South Korea and Japan", "group")
    d.entity("rc", "Russia and China", "group")

    d.quote("indirect", d.r("against providing weapons to Russia", "conflict in Ukraine"),
            "wh", d.s("White House", ctx="the White House has cautioned"), "name",
            cue=d.s("cautioned"))
    d.quote("indirect", d.r("the possibility of an arms deal between North Korea and Russia worries",
                            "the United States"),
            "kirby", d.s("John Kirby"), "name", cue=d.s("stated", ctx="stated on Wednesday that"))
    d.quote("direct", d.r("\u201cWe urge the DPRK", "arms to Russia,\u201d"),
            "kirby", d.s("he", ctx="Russia,\u201d he said"), "pronoun",
            cue=d.s("said", ctx="Russia,\u201d he said"))
    d.quote("indirect", d.r("When visiting North Korea and meeting", "artillery ammunition to Moscow"),
            "kirby", d.s("Kirby", ctx="Kirby continued"), "name",
            cue=d.s("continued", ctx="Kirby continued"))
    d.quote("indirect", d.s("against helping Russia in its military offensive in Ukraine"),
            "us", d.s("US", ctx="The US has been warning"), "name",
            cue=d.s("warning", ctx="has been warning"))
    d.quote("indirect", d.s("to bolster ties between their two countries"),
            "kimputin", d.s("Vladimir Putin and Kim", ctx="Russian President Vladimir Putin and Kim"), "name",
            cue=d.s("vowing"))
    # the opening quotation mark is never closed in the source text: the quote
    # runs to the end of its paragraph
    d.quote("direct", d.r("\u201cI am confident", "entire Northeast Asia."),
            "putin", d.s("Putin", ctx="Putin stated,"), "name",
            cue=d.s("stated", ctx="Putin stated,"), unclosed=True)
    d.quote("indirect", d.s("North Korea with clandestinely transporting artillery shells to Russia"),
            "us", d.s("US", ctx="The US charged"), "name", cue=d.s("charged"))
    kirby_cited = d.s("Kirby", ctx="Kirby cited")
    d.quote("mixed", d.r("\u201cnew information\u201d that", "were progressing"),
            "kirby", kirby_cited, "name", cue=d.s("cited"))
    d.quote("direct", d.r("\u201cWe remain concerned that the DPRK", "in Ukraine.\u201d"),
            "kirby", kirby_cited, "name", cue=d.s("said", ctx="and said, \u201cWe remain"))
    d.quote("direct", d.r("\u201cHigh-level discussions", "upcoming months,\u201d"),
            "kirby", d.s("he", ctx="months,\u201d he stated"), "pronoun",
            cue=d.s("stated", ctx="months,\u201d he stated"))
    d.quote("mixed", d.r("Moscow had to use force", "US-led West"),
            "nk", d.s("North Korea", ctx="North Korea has sided"), "name",
            cue=d.s("claiming", ctx="claiming that Moscow"))
    d.quote("mixed", d.r("\u201cany kind of security cooperation", "Security Council resolutions.\u201d"),
            "dos", d.s("US Department of State"), "name", cue=d.s("declared"))
    d.quote("indirect", d.s("North Korea had launched two more ballistic missiles"),
            "skmil", d.s("the South Korean military"), "nominal",
            cue=d.s("reported", ctx="military reported"))
    d.quote("indirect", d.s("Wednesday\u2019s missile launch as a danger to regional stability"),
            "kjp", d.s("Karine Jean-Pierre"), "name", cue=d.s("denounced"))
    d.quote("mixed", d.r("the exercises off the Korean Peninsula increased", "of a nuclear war\u201d"),
            "nk", d.s("North Korea", ctx="North Korea has expressed its displeasure"), "name",
            cue=d.s("claiming", ctx="claiming earlier this week"))
    d.quote("indirect", d.r("Pyongyang of violating UN resolutions", "its missile testing"),
            "us", d.s("Washington", ctx="Washington has accused"), "name",
            cue=d.s("accused", ctx="Washington has accused"))
    d.quote("indirect", d.r("to deepen security cooperation against North Korea", "data on missile launches"),
            "usskjp", d.s("US along with South Korea and Japan"), "name", cue=d.s("pledged", ctx="Japan pledged"))
    d.quote("direct", d.r("\u201cWe remain committed", "some time now,\u201d"),
            "kjp", d.s("Jean-Pierre", ctx="Jean-Pierre said on Wednesday"), "name",
            cue=d.s("said", ctx="Jean-Pierre said on Wednesday"))
    d.quote("mixed", d.r("to \u201cwork toward", "Korean Peninsula\u201d"),
            "nk", d.s("North Korea", ctx="North Korea pledged"), "name",
            cue=d.s("pledged", ctx="North Korea pledged"))
    d.quote("indirect", d.r("sanctions have not been effective", "nuclear programme"),
            "rc", d.s("Russia and China", ctx="Russia and China vetoed"), "name", cue=d.s("arguing"))


ANNOTATORS = {
    "000_204ba0aa4e36aada": doc_000,
    "001_b36d6864460f8a2a": doc_001,
    "002_fb03fb027bc92a78": doc_002,
    "003_d31118fea0c2a849": doc_003,
    "004_496e1e4217f64805": doc_004,
}


# =========================================================================
# Validation
# =========================================================================

def _check_span(errs, where, text, sp, allow_null=False):
    if sp is None:
        if not allow_null:
            errs.append(f"{where}: span is null")
        return
    a, b = sp.get("start"), sp.get("end")
    if not (isinstance(a, int) and isinstance(b, int) and 0 <= a < b <= len(text)):
        errs.append(f"{where}: offsets out of range {a}-{b}")
        return
    if text[a:b] != sp.get("text"):
        errs.append(f"{where}: text mismatch {sp.get('text')!r} != {text[a:b]!r}")
    if text[a:b] != text[a:b].strip():
        errs.append(f"{where}: span has surrounding whitespace {text[a:b]!r}")


def validate(records, seeds_dir=None):
    errs = []
    ids = set()
    for rec in records:
        did, text = rec["id"], rec["text"]
        if did in ids:
            errs.append(f"{did}: duplicate document id")
        ids.add(did)
        if seeds_dir:
            with open(os.path.join(seeds_dir, did + ".txt"), encoding="utf-8") as f:
                if f.read() != text:
                    errs.append(f"{did}: text differs from seed file")
        if rec["meta"] != {"corpus": CORPUS, "source_file": did + ".txt"}:
            errs.append(f"{did}: bad meta")
        ents = {}
        for i, e in enumerate(rec["entities"]):
            w = f"{did} entity {e.get('name')!r}"
            if e["name"] in ents:
                errs.append(f"{w}: duplicate entity name")
            ents[e["name"]] = e
            if e["type"] not in ENTITY_TYPES:
                errs.append(f"{w}: bad type {e['type']}")
            for al in e["aliases"]:
                if al not in text:
                    errs.append(f"{w}: alias {al!r} does not occur in the text")
            if e["name"] in e["aliases"] or len(set(e["aliases"])) != len(e["aliases"]):
                errs.append(f"{w}: aliases must be unique and exclude the canonical name")
            for r in e["roles"]:
                _check_span(errs, w + " role", text, r)
            for m in e["mentions"]:
                _check_span(errs, w + " mention", text, m)
                if m.get("type") not in MENTION_TYPES:
                    errs.append(f"{w}: bad mention type {m.get('type')}")
                if m["type"] != "pronoun" and m["text"] != e["name"] and m["text"] not in e["aliases"]:
                    errs.append(f"{w}: mention {m['text']!r} missing from aliases")
        prev_end, prev = -1, None
        for i, q in enumerate(rec["quotes"]):
            w = f"{did} quote #{i} {q.get('text', '')[:40]!r}"
            _check_span(errs, w, text, q)
            _check_span(errs, w + " speaker", text, q["speaker"], allow_null=True)
            _check_span(errs, w + " cue", text, q["cue"], allow_null=True)
            if q["kind"] not in KINDS:
                errs.append(f"{w}: bad kind {q['kind']}")
            if q["start"] < prev_end:
                errs.append(f"{w}: overlaps previous quote {prev!r}")
            prev_end, prev = q["end"], q["text"][:40]
            qa, qb = q["start"], q["end"]
            for part in ("speaker", "cue"):
                sp = q[part]
                if sp and sp["start"] < qb and qa < sp["end"]:
                    errs.append(f"{w}: {part} overlaps the quote span")
            # span shape by kind
            marks = [c for c in q["text"] if c in QUOTE_MARKS and c != "\u2019"]
            if q["kind"] == "direct":
                if q["text"][0] not in '"\u201c\u2018':
                    errs.append(f"{w}: direct quote must start with a quotation mark")
                if q["text"][-1] not in '"\u201d\u2019':
                    # only allowed for a quotation mark the source never closes:
                    # the span then runs to the end of its paragraph
                    unclosed = (qb == len(text) or text[qb] == "\n") and not any(
                        c in '"\u201d' for c in q["text"][1:])
                    if not unclosed:
                        errs.append(f"{w}: direct quote must end with a quotation mark")
            elif q["kind"] == "mixed":
                if not marks:
                    errs.append(f"{w}: mixed quote without quotation marks")
            elif q["kind"] == "indirect":
                if marks:
                    errs.append(f"{w}: indirect quote contains quotation marks")
            # entity linkage
            name = q["speaker_name"]
            if name is None:
                if q["speaker"] is not None:
                    errs.append(f"{w}: speaker mention without speaker_name")
                continue
            e = ents.get(name)
            if e is None:
                errs.append(f"{w}: no entity named {name!r}")
                continue
            if q["speaker"] is not None:
                key = (q["speaker"]["start"], q["speaker"]["end"])
                if key not in {(m["start"], m["end"]) for m in e["mentions"]}:
                    errs.append(f"{w}: speaker mention not in entity mentions")
            if q["speaker_aliases"] != [e["name"]] + e["aliases"]:
                errs.append(f"{w}: speaker_aliases differ from entity")
            role_texts = [r["text"] for r in e["roles"]]
            if (q["role"] is None) != (not role_texts) or (q["role"] is not None and q["role"] not in role_texts):
                errs.append(f"{w}: role {q['role']!r} inconsistent with entity roles {role_texts}")
        # every entity should be used as a speaker
        used = {q["speaker_name"] for q in rec["quotes"]}
        for n in ents:
            if n not in used:
                errs.append(f"{did}: entity {n!r} is not the speaker of any quote")
    return errs


# =========================================================================

def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8") as f:
        for rec in records:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default=DEFAULT_SEEDS)
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args()

    records = []
    for doc_id, fn in ANNOTATORS.items():
        src = doc_id + ".txt"
        with open(os.path.join(args.seeds, src), encoding="utf-8") as f:
            text = f.read()
        d = Doc(doc_id, text)
        fn(d)
        records.append(d.record(src))

    errs = validate(records, args.seeds)
    if errs:
        print("\n".join(errs), file=sys.stderr)
        raise SystemExit(f"validation failed: {len(errs)} error(s)")

    # document-level splits: every document goes to exactly one split file
    with open(os.path.join(HERE, "splits.json"), encoding="utf-8") as f:
        splits = json.load(f)
    by_id = {r["id"]: r for r in records}
    seen = [doc_id for name in SPLITS for doc_id in splits[name]]
    assert sorted(seen) == sorted(by_id), "splits must partition the documents"
    assert sorted(f["held_out"] for f in splits["folds"]) == sorted(by_id), "one fold per document"
    paths = [os.path.join(args.out, f"{name}.jsonl") for name in SPLITS]
    for name, path in zip(SPLITS, paths):
        write_jsonl(path, [by_id[i] for i in splits[name]])

    errs = validate([r for path in paths for r in read_jsonl(path)], args.seeds)
    if errs:
        raise SystemExit("round-trip validation failed:\n" + "\n".join(errs))

    n_q = sum(len(r["quotes"]) for r in records)
    print(f"wrote {len(records)} documents, {n_q} quotes -> {', '.join(os.path.basename(p) for p in paths)}")


if __name__ == "__main__":
    main()
