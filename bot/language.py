"""Which language a message is in: "en" unless there is clear evidence of one the bot has a reply for.

The languages are those Leeds families most often speak (see the tracker section on families with
English as an additional language): English, Polish, Urdu, Arabic, Romanian, Czech, Slovak, Punjabi,
Kurdish, Farsi, Somali and Tigrinya. Spanish, French, Portuguese, Italian and German are recognised too
(WESTERN), so that they get the English "I can only answer in English" reply, never another language's.

How it decides, cheapest evidence first:
1. The writing system. Ethiopic letters mean Tigrinya, Gurmukhi means Punjabi. In Arabic script,
   letters only Sorani Kurdish uses (ڕ ڵ ۆ ێ ە) mean Kurdish, letters only Urdu uses (ٹ ڈ ڑ ں ے) mean
   Urdu; otherwise lingua chooses between Arabic, Farsi and Urdu.
2. In Latin script, a message made mostly of English words stays English: the common English words
   of normalise.STOPWORDS plus, when the caller passes it, the matcher's share of topic words it knows
   (`known`, from bot.index.prepare). That keeps "wat is an ehcp", "taxi" and "EHCP?" English.
3. Spanish, French, Portuguese, Italian or German, when two of its everyday words (or a letter only it
   uses: ñ ¿ ã õ œ) agree with lingua. They come first because they share letters with the rest
   (ê is Kurmanji and French, â Romanian and Portuguese, é Czech and Spanish).
4. Letters that belong to one language (ą ł ż: Polish; ě ř ů: Czech; ľ ô ä: Slovak; ă ș ț: Romanian;
   ê û: Kurmanji Kurdish), and common words of Roman Urdu and Kurmanji, which lingua does not know.
5. Otherwise lingua (restricted to English, Polish, Romanian, Czech, Slovak, Somali and the five
   above) must be very sure, and the message must not look English.

Limits, honestly:
- lingua has no Kurdish and no Tigrinya model; both are found by letters and a short word list only.
  Ethiopic script is also used for Amharic, which is read as Tigrinya here.
- lingua's Punjabi is Gurmukhi script only. Punjabi written in Shahmukhi (Arabic script, as most
  Pakistani Punjabi speakers write it) shares Urdu's letters and is detected as Urdu; the Urdu reply is
  the nearest we have.
- Roman Urdu (and Roman Punjabi) is recognised by a list of common words; a short message with few of
  them stays English.
- One- or two-word messages without telling letters stay English unless lingua is certain.
- lingua runs in low-accuracy mode (trigram models only): about 30 MB and 0.2 s to load instead of
  about 300 MB and 2 s. On tests/language_samples.yaml it also scores better with these thresholds
  (98.6% against 93.1%), because its confidences on short messages are more decisive; the letter and
  word rules above do most of the work anyway.
- Staff can see what was detected: a non-English message gets Reply.language and reason "language".
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from .normalise import STOPWORDS, words

SUPPORTED = ("en", "pl", "ur", "ar", "ro", "cs", "sk", "pa", "ku", "fa", "so", "ti")
# Recognised so that they never get another language's reply ("hola..." once got the Romanian one); they
# get the English "I can only answer in English" reply until knowledge/translations/fallback.yaml has theirs.
WESTERN = ("es", "fr", "pt", "it", "de")
DETECTED = SUPPORTED + WESTERN
NAMES = {
    "en": "English", "pl": "Polish", "ur": "Urdu", "ar": "Arabic", "ro": "Romanian", "cs": "Czech",
    "sk": "Slovak", "pa": "Punjabi", "ku": "Kurdish", "fa": "Farsi", "so": "Somali", "ti": "Tigrinya",
    "es": "Spanish", "fr": "French", "pt": "Portuguese", "it": "Italian", "de": "German",
}

ENGLISH_ENOUGH = 0.6  # share of words that are English for a Latin-script message to stay English
LINGUA_SURE = 0.9  # lingua's confidence needed when nothing else tells the language
LINGUA_VERY_SURE = 0.97  # ...enough to overrule a few English-looking words ("are" is Romanian too)
LINGUA_SURE_ONE_WORD = 0.99
LOW_ACCURACY = True

# Letters that belong to one language among those we detect.
_LETTERS = {
    "pl": set("ąćęłńśźż"),
    "cs": set("ěřů"),
    "sk": set("ľĺŕôä"),
    "ro": set("ăâșțşţ"),
    "ku": set("êû"),
}
_CZECH_OR_SLOVAK = set("áéíýčšžťďň")
_SORANI = set("ڕڵۆێە")
_URDU = set("ٹڈڑںےۓ")
_ARABIC_ONLY = set("ةىيكأإؤ")
# Everyday Farsi words that Urdu writes differently ("ہے", "کیا", "آپ").
_FARSI_WORDS = frozenset("است هست نیست دارم دارد دارید داریم برای چطور آیا خیلی ممنون شما هستم هستید می نمی کنم کنید".split())
# Everyday words that tell Czech from Slovak when the letters do not.
_CZECH_WORDS = frozenset("moje můj jsem jsme není děkuji potřebuji chci jak dcera nevím ano taky jenom".split())
_SLOVAK_WORDS = frozenset("môj som sme ďakujem potrebujem chcem ako dcéra neviem áno tiež iba".split())

# Spanish, French, Portuguese, Italian and German: letters only one of them uses, and everyday words of
# a parent's message. They share letters with the languages above (â ê ô ä é á í), so they are looked
# for first, and need two of their words (or a letter of their own) and lingua's agreement.
_WESTERN_LETTERS = {"es": set("ñ¿¡"), "pt": set("ãõ"), "fr": set("œ")}  # ß is casefolded to "ss" with the words
_WESTERN_WORDS = {
    "es": frozenset("hola necesito ayuda ayudar hijo hija hijos niño nino niña el los las del y mi mis con para por "
                    "escuela colegio puedo pueden tiene tengo está estoy qué que cómo como gracias pero también muy no "
                    "es una un años dónde cuándo quiero saber hablo inglés buenos días me de la en".split()),
    "fr": frozenset("bonjour je j mon ma mes fils fille enfant besoin aide aider avec pour est le les des une et pas ne "
                    "école merci comment qui qu c'est mais il elle sur peux pouvez vous nous suis ai très tres parle "
                    "anglais beaucoup votre plus au aux m de la du en faire voudrais".split()),
    "pt": frozenset("olá ola preciso ajuda ajudar filho filha meu minha meus com para não nao uma escola criança "
                    "obrigado obrigada como está tem ele ela você voce pode posso muito também quero saber onde "
                    "quando anos os do da dos falo inglês alguém fazer sei aos de o em".split()),
    "it": frozenset("ciao buongiorno mio mia miei figlio figlia bisogno aiuto aiutare ho ha per non una il gli scuola "
                    "bambino bambina grazie come sono è molto anche posso potete voglio sapere dove quando anni che "
                    "della del di parlo inglese vuole andare alle mie mille la le fare".split()),
    "de": frozenset("hallo ich mein meine meinem meiner meinen sohn tochter brauche hilfe mit für nicht ist und der die "
                    "das schule kind danke wie bin sehr auch kann können helfen möchte wissen wo wann ein eine einen "
                    "hat habe mir sie spreche kein englisch geht mehr zur vielen dank ihre auf zu im den dem".split()),
}
# Letters that only the languages above use, which no western message has: their rules decide then.
_EASTERN_LETTERS = set("ąćęłńśźżěřůľĺŕășțşţ")

# Common words of Roman Urdu (Urdu in Latin letters). 'Strong' ones are rarely English words.
_ROMAN_URDU_STRONG = frozenset(
    "hai hain nahi nahin nai kya mujhe meri mera mere aap kuch bataya batain batayen chahiye karna karta "
    "karti raha rahi rahe sakte sakta sakti kaise kahan lekin bahut bohat shukriya madad hoon beti beta "
    "bachay bachon bacha humein tum apni apna apne wala wali walay ammi abbu thi tha hota hoti jata jati "
    "gaya gayi diya kiya koi yeh woh kyun kyon kab milega milegi milta chahta chahti samajh pata".split()
)
_ROMAN_URDU_WEAK = frozenset("ki ka ke ko se ne mein main aur ho hum kar par pe bhi hi na ya".split())
# Common words of Kurmanji Kurdish in Latin letters (the letters ê, î, û, ç, ş also count).
_KURMANJI = frozenset(
    "ez tu em hûn min te me we ji bi li ku û ne nizanim dixwazim dikarim heye hene nîne kurê keça zarok "
    "zarokê zarokên dibistan dibistanê alîkarî alîkariyê alîkariya spas silav çawa çi kî bersiv nade "
    "îngilîzî kurdî ziman dayik bav".split()
)
# A few everyday English words that are not in STOPWORDS, for callers that do not pass `known`.
_ENGLISH_EXTRA = frozenset(
    "help need son daughter child children school taxi transport plan review support wait waiting "
    "know tell ask apply form letter meeting council teacher college autism autistic adhd".split()
)


def _script(ch: str) -> str:
    code = ord(ch)
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF or 0xAB00 <= code <= 0xAB2F:
        return "ethiopic"
    if 0x0A00 <= code <= 0x0A7F:
        return "gurmukhi"
    if 0x0600 <= code <= 0x08FF or 0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF:
        return "arabic"
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    return "other"


@lru_cache(maxsize=1)
def _latin_detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(
        Language.ENGLISH, Language.POLISH, Language.ROMANIAN, Language.CZECH, Language.SLOVAK, Language.SOMALI,
        Language.SPANISH, Language.FRENCH, Language.PORTUGUESE, Language.ITALIAN, Language.GERMAN)
    return (builder.with_low_accuracy_mode() if LOW_ACCURACY else builder).build()


@lru_cache(maxsize=1)
def _arabic_detector():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(Language.ARABIC, Language.PERSIAN, Language.URDU)
    return (builder.with_low_accuracy_mode() if LOW_ACCURACY else builder).build()


def _confidences(detector, text: str) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    return [(c.language.iso_code_639_1.name.lower(), c.value) for c in detector.compute_language_confidence_values(text)]


def _arabic_script(text: str) -> str:
    letters = set(text)
    if letters & _SORANI:
        return "ku"
    if letters & _URDU:
        return "ur"
    if any(t in _FARSI_WORDS for t in words(text)):
        return "fa"
    ranked = _confidences(_arabic_detector(), text)
    best, value = ranked[0] if ranked else ("ar", 0.0)
    if value >= 0.6:
        return best
    if letters & _ARABIC_ONLY:
        return "ar"
    return best


def english_share(tokens: list[str], known: float | None) -> float:
    """Share of the message's words that are English: common words, plus known topic words."""
    if not tokens:
        return 1.0
    common = sum(1 for t in tokens if t in STOPWORDS)
    topical = len(tokens) - common
    if known is None:
        recognised = sum(1 for t in tokens if t not in STOPWORDS and t in _ENGLISH_EXTRA)
    else:
        recognised = known * topical
    return (common + recognised) / len(tokens)


def _western(tokens: list[str], letters: set[str], ranked: dict[str, float]) -> str | None:
    """Spanish, French, Portuguese, Italian or German, when its words (or letters) and lingua agree."""
    if letters & _EASTERN_LETTERS:
        return None
    parts = [p for t in tokens for p in t.split("'") if p]  # French and Italian elisions: "j'ai" -> j, ai
    votes = {code: sum(1 for p in parts if p in vocabulary) + 2 * bool(letters & _WESTERN_LETTERS.get(code, set()))
             for code, vocabulary in _WESTERN_WORDS.items()}
    best = max(votes.values())
    if best < 2:
        return None
    tied = [code for code in WESTERN if votes[code] == best]
    choice = max(tied, key=lambda code: ranked.get(code, 0.0))
    lingua = max(ranked, key=ranked.get) if ranked else "en"
    if lingua in WESTERN and votes[lingua] >= best - 1:
        return lingua  # lingua reads the whole message; the word lists only vouch for it
    return choice if best >= 3 and lingua != "en" else None


def _latin(text: str, known: float | None) -> str:
    tokens = words(text)
    if not tokens:
        return "en"
    english = english_share(tokens, known)
    if english >= ENGLISH_ENOUGH:
        return "en"
    letters = set(unicodedata.normalize("NFC", text.casefold()))
    ranked = dict(_confidences(_latin_detector(), text))
    western = _western(tokens, letters, ranked)
    if western:
        return western
    for code in ("ku", "pl", "cs", "sk", "ro"):
        if letters & _LETTERS[code]:
            return code
    czech = sum(1 for t in tokens if t in _CZECH_WORDS)
    slovak = sum(1 for t in tokens if t in _SLOVAK_WORDS)
    best = max(ranked, key=ranked.get) if ranked else "en"
    if letters & _CZECH_OR_SLOVAK or (best in ("cs", "sk") and (czech or slovak)):
        if czech != slovak:
            return "cs" if czech > slovak else "sk"
        if letters & _CZECH_OR_SLOVAK:
            return "cs" if ranked.get("cs", 0) >= ranked.get("sk", 0) else "sk"
    urdu_strong = sum(1 for t in tokens if t in _ROMAN_URDU_STRONG)
    urdu_weak = sum(1 for t in tokens if t in _ROMAN_URDU_WEAK)
    if urdu_strong >= 1 and (urdu_strong + urdu_weak) / len(tokens) >= 0.4 and len(tokens) >= 2:
        return "ur"
    kurmanji = sum(1 for t in tokens if t in _KURMANJI)
    if kurmanji >= 2 or (kurmanji and letters & set("îçş") and len(tokens) >= 2):
        return "ku"
    value = ranked.get(best, 0.0)
    if best == "en":
        return "en"
    if best in WESTERN:  # lingua alone, without two of the language's words: not sure enough to leave English
        return best if len(tokens) >= 3 and value >= LINGUA_VERY_SURE and english <= 0.3 else "en"
    if len(tokens) >= 2 and value >= LINGUA_SURE and english <= 0.3:
        return best
    if len(tokens) >= 3 and value >= LINGUA_VERY_SURE:
        return best
    if len(tokens) == 1 and len(tokens[0]) >= 8 and value >= LINGUA_SURE_ONE_WORD and known == 0:
        return best
    return "en"


def detect(text: str | None, known: float | None = None) -> str:
    """The message's language as an ISO 639-1 code from DETECTED; "en" when unsure.

    `known` is the share of the message's topic words the matcher recognises (Index.prepare), the
    best sign that a misspelt message is English after all. Without it, a short list is used.
    """
    letters = [ch for ch in (text or "") if ch.isalpha()]
    if len(letters) < 2:
        return "en"
    counts: dict[str, int] = {}
    for ch in letters:
        script = _script(ch)
        counts[script] = counts.get(script, 0) + 1
    script = max(counts, key=counts.get)
    if script == "ethiopic":
        return "ti"
    if script == "gurmukhi":
        return "pa"
    if script == "arabic":
        return _arabic_script(text or "")
    if script == "latin":
        return _latin(text or "", known)
    return "en"  # other scripts (Cyrillic, Devanagari...): no reply in them yet; the matcher will not match them

