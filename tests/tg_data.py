"""A small, fixed knowledge base for the Telegram tests and benchmark, so they do not move when the content changes.

Shared files that the wording depends on (templates, contacts, crisis rules) are copied from the repository;
topics, entries, intents and the glossary are written here.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from bot.loader import SPECIAL_INTENTS, SPECIAL_KNOWLEDGE

REPO = Path(__file__).resolve().parent.parent

SOURCES = """    sources:
      - url: https://www.leedslocaloffer.org.uk/transport
    last_reviewed: {today}
"""

LONG_DETAILS = "\n\n".join(
    f"Part {n} of the review. The school sends the reports first. You can add your own views. "
    f"Everyone meets to talk about progress. The notes go to the council afterwards."
    for n in range(1, 61)
)

KNOWLEDGE = {
    "transport.yaml": """topic: School transport
entries:
  - id: transport-apply
    title: How do I apply for SEND school transport?
    answer: |
      Apply with the online form on the Leeds Local Offer transport page. Applications are usually assessed within three weeks.
    details: |
      There is one form for a school or SILC and another for college. You will not get a receipt.
{sources}    related: [transport-cancel]

  - id: transport-cancel
    title: How do I cancel or change my child's school transport?
    answer: |
      To cancel travel on the day, email Passenger Transport Services. Tell them as early as you can.
{sources}    related: [transport-apply]
""",
    "therapy.yaml": """topic: Therapies
entries:
  - id: hydrotherapy
    title: Can my child get hydrotherapy in Leeds?
    answer: |
      Hydrotherapy is therapy in a warm pool. A physiotherapist decides if it will help your child.
    details: |
      Ask your child's physiotherapist first. Waiting times change during the year.
{sources}
  - id: annual-review
    title: What happens at an annual review?
    answer: |
      An annual review checks the plan once a year. You can share your views and ask for changes.
    details: |
{long}
{sources}""",
}

GLOSSARY = """terms:
  - term: EHCP
    expansion: Education, Health and Care Plan
    explanation: It is a legal document that sets out a child's needs and the help they must get.
    aliases: [EHC plan]
    sources: [https://www.leedslocaloffer.org.uk]
    last_reviewed: {today}
  - term: EOTAS
    expansion: Education Otherwise Than At School
    explanation: It is education arranged by the council away from a school.
    sources: [https://www.leedslocaloffer.org.uk]
    last_reviewed: {today}
"""

INTENTS = {
    "transport.yaml": """intents:
  - id: transport-apply
    answer: transport-apply
    examples:
      - how do i apply for school transport
      - send transport application form
      - where is the transport application form
      - apply for travel assistance to school
      - how long does a transport application take
      - filling in the school transport application
      - can i get a taxi to school for my child
      - applying for home to school transport
  - id: transport-cancel
    answer: transport-cancel
    examples:
      - how do i cancel school transport
      - cancel his taxi for tomorrow
      - she is off sick so cancel the transport today
      - stop the school transport we do not need it
      - who do i tell the taxi is not needed today
      - change the pick up address for school transport
      - cancel transport permanently
      - we are moving house what happens to transport
""",
    "therapy.yaml": """intents:
  - id: hydrotherapy
    answer: hydrotherapy
    examples:
      - can my child get hydrotherapy
      - hydrotherapy in leeds
      - warm pool therapy for my son
      - how do we get hydrotherapy sessions
      - is there a hydrotherapy pool near us
      - physio said hydrotherapy might help
      - hydrotherapy waiting list
      - who refers for hydrotherapy
  - id: annual-review
    answer: annual-review
    examples:
      - what happens at an annual review
      - annual review meeting
      - ehcp annual review
      - how do annual reviews work
      - review of the plan every year
      - what should i expect at the annual review
      - can i ask for changes at the annual review
      - who comes to the annual review
""",
    "smalltalk.yaml": """intents:
  - id: hello
    kind: smalltalk
    reply: Hello! Ask me a question about SEND in Leeds.
    examples: [hello, hi, hiya, hey, good morning, hi there]
""",
    "thresholds.yaml": """answer: 0.7
margin: 0.4
clarify: 0.3
option: 0.05
max_options: 3
min_known_words: 0.5
""",
    "out_of_scope.yaml": """messages:
  - how much is disability living allowance for a child a week
  - what are the school holiday dates for leeds this year
  - can you recommend a good dentist in leeds
  - what time does the tip open
  - is it going to rain tomorrow
  - how do i renew my passport
""",
    "lexicon.yaml": """synonyms:
  transport: [taxi, taxis, minibus, travel assistance]
  hydrotherapy: [hydro, warm pool]
""",
}

WRITTEN_HERE = {"glossary.yaml", "lexicon.yaml", "thresholds.yaml", "out_of_scope.yaml"}

# Messages with a known outcome on this data (checked by test_tg_handlers).
ANSWERED = "how do I apply for school transport"
CLARIFY = "transport"  # two answers equally likely: the bot asks which
FALLBACK = "what colour is the sky on mars"


def build_data(dst: Path, today: str = "2026-11-22") -> Path:
    """Write the fixed knowledge/ and intents/ under dst (with the repository's templates, contacts and crisis rules)."""
    import datetime as dt

    today = min(today, dt.date.today().isoformat())
    knowledge, intents = dst / "knowledge", dst / "intents"
    if knowledge.exists():
        shutil.rmtree(knowledge)
    if intents.exists():
        shutil.rmtree(intents)
    shutil.copytree(REPO / "knowledge" / "templates", knowledge / "templates")
    intents.mkdir(parents=True)
    # Shared special files (contacts, crisis rules, and any the loader learns later) come from the repository.
    for folder, names in (("knowledge", SPECIAL_KNOWLEDGE), ("intents", SPECIAL_INTENTS)):
        for name in names:
            if name not in WRITTEN_HERE and (REPO / folder / name).exists():
                shutil.copy(REPO / folder / name, dst / folder / name)
    sources = SOURCES.format(today=today)
    long = textwrap.indent(LONG_DETAILS, "      ")
    for name, text in KNOWLEDGE.items():
        (knowledge / name).write_text(text.format(sources=sources, long=long), encoding="utf-8")
    (knowledge / "glossary.yaml").write_text(GLOSSARY.format(today=today), encoding="utf-8")
    for name, text in INTENTS.items():
        (intents / name).write_text(text, encoding="utf-8")
    return dst
