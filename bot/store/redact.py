"""Strip personal details from a parent's message before any of it is written down.

Order matters: the most specific patterns run first, so an NHS number is not mistaken for a phone
number and a date is not mistaken for a digit run. Placeholders are [EMAIL], [PHONE], [POSTCODE],
[NHS], [DATE], [NAME] and, for any other long run of digits (reference numbers), [NUMBER].
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Callable

import phonenumbers

from ..normalise import STOPWORDS

PLACEHOLDERS = ("[EMAIL]", "[PHONE]", "[POSTCODE]", "[NHS]", "[DATE]", "[NAME]", "[NUMBER]")

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
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?[\s-]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.I)
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
    "finding having getting doing being told given offered refused moving".split())


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
    base = low[:-2] if low.endswith("'s") else low
    forms = {base, base.rstrip("s"), base[:-2] if base.endswith("es") else base, base[:-2] if base.endswith("ed") else base,
             base[:-1] if base.endswith("ed") else base, base[:-3] if base.endswith("ing") else base,
             base[:-3] + "e" if base.endswith("ing") else base, base[:-2] if base.endswith("ly") else base,
             base[:-3] + "y" if base.endswith("ies") else base}
    words = common_words()
    return any(f in words or f in NOT_NAMES for f in forms if f)


def _capitalised(word: str) -> bool:
    """A capital first letter: in typed messages, the strongest hint of a name."""
    return word[:1].isupper()


# -- the passes ---------------------------------------------------------------
def _nhs_valid(digits: str) -> bool:
    """The NHS number check digit: weights 10..2, modulus 11."""
    if len(digits) != 10 or not digits.isdigit() or len(set(digits)) == 1:
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _nhs(text: str) -> str:
    """Replace 10-digit numbers that pass the NHS check (or follow the words "NHS number")."""
    def swap(m: re.Match[str]) -> str:
        """An NHS placeholder only for a real NHS number, or one called that."""
        digits = "".join(m.groups())
        if _nhs_valid(digits) or _NHS_CONTEXT.search(text[max(0, m.start() - 25): m.start()]):
            return "[NHS]"
        return m.group(0)

    return _NHS_SHAPE.sub(swap, text)


def _dates(text: str) -> str:
    """Replace full dates, and month-year or day-month ones next to words about birth."""
    for pattern in _DATE_PATTERNS:  # a date followed by "deadline" is the law's, not the family's
        text = pattern.sub(lambda m: m.group(0) if _DEADLINE.match(m.string, m.end()) else "[DATE]", text)
    return _BIRTH_DATE.sub(lambda m: m.group(1) + "[DATE]", text)


def _phones(text: str) -> str:
    """Replace UK phone numbers in any format, as the phonenumbers library reads them."""
    spans: list[tuple[int, int]] = []
    for m in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.POSSIBLE):
        digits = sum(ch.isdigit() for ch in m.raw_string)
        if phonenumbers.is_valid_number(m.number) or (m.raw_string.lstrip("(")[:1] in "0+" and digits >= 10):
            spans.append((m.start, m.end))
    for start, end in reversed(spans):
        text = text[:start] + "[PHONE]" + text[end:]
    return text


def _digits(text: str) -> str:
    """Replace any other long digit run: case references, UPNs, benefit numbers."""
    def spaced(m: re.Match[str]) -> str:
        """Spaced digit groups, but not a range of years like 2024-2025."""
        groups = re.split(r"[ \-.]", m.group(0))
        if sum(len(g) for g in groups) < 8 or all(len(g) == 4 and _YEAR.fullmatch(g) for g in groups):
            return m.group(0)
        return "[NUMBER]"

    return _DIGIT_RUN.sub("[NUMBER]", _SPACED_DIGITS.sub(spaced, text))


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


def _names(text: str) -> str:
    """Replace names introduced by "is called", "my son X", "I'm X", "Mrs X" and sign-offs."""
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
        if _capitalised(w) and not _is_common(w):
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
    return _replace(text, spans, "[NAME]")


def _replace(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    """Put one placeholder over each span, merging overlaps."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        if "[" in text[start:end]:  # never rewrite inside a placeholder
            continue
        text = text[:start] + placeholder + text[end:]
    return text


_PASSES: tuple[Callable[[str], str], ...] = (
    lambda t: _EMAIL.sub("[EMAIL]", t),
    lambda t: _EMAIL_SPOKEN.sub("[EMAIL]", t),
    _nhs,
    _dates,
    lambda t: _POSTCODE.sub("[POSTCODE]", t),
    lambda t: _OUTCODE.sub("[POSTCODE]", t),
    _phones,
    _digits,
    _names,
)
_REPEATS = re.compile(r"(\[(?:EMAIL|PHONE|POSTCODE|NHS|DATE|NAME|NUMBER)\])(?:[\s,]*\1)+")


def redact(text: str | None) -> str:
    """The message with personal details replaced by placeholders; safe to store."""
    if not text:
        return ""
    out = unicodedata.normalize("NFKC", text)
    for step in _PASSES:
        out = step(out)
    return _REPEATS.sub(r"\1", out)
