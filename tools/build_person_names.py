"""Build bot/store/data/first_names.txt and surnames.txt: people's names of many origins, for the redactor.

The redactor (bot/store/redact.py) needs to know that "River", "Hope" or "Hamza" can be a first name and
"Brown" a surname, so that a capitalised everyday word in a name's place is taken for one. Faker (MIT,
on PyPI) carries first names and surnames for about 80 locales; this script gathers those written in
Latin letters, lower-cased, one per line. Run once with `pip install faker==40.63.0`; commit the result.
Nothing here runs at run time.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

import faker
import faker.providers.person as person

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "store" / "data"
HEADER = """# People's {what} of many origins, lower-cased: the providers of Faker {version} (MIT licence,
# https://github.com/joke2k/faker) for every locale, those written in Latin letters.
# Made by tools/build_person_names.py; do not edit by hand.
"""


def _strings(value: Any) -> set[str]:
    if isinstance(value, (list, tuple, set, frozenset)) or hasattr(value, "keys"):
        return {x for x in value if isinstance(x, str)}
    return set()


def _latin(word: str) -> bool:
    return all(unicodedata.name(ch, "").startswith("LATIN") or ch in "-'’" for ch in word)


def gather() -> tuple[set[str], set[str]]:
    firsts: set[str] = set()
    lasts: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        try:
            provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            firsts |= _strings(provider.__dict__.get(attr) or getattr(provider, attr, None))
        for attr in ("last_names", "last_names_male", "last_names_female"):
            lasts |= _strings(provider.__dict__.get(attr) or getattr(provider, attr, None))
    clean = lambda names: {n.casefold() for n in names if len(n) >= 2 and " " not in n and _latin(n)}  # noqa: E731
    return clean(firsts), clean(lasts)


def main() -> int:
    firsts, lasts = gather()
    for name, words, what in (("first_names.txt", firsts, "first names"), ("surnames.txt", lasts, "surnames")):
        (OUT / name).write_text(HEADER.format(what=what, version=faker.VERSION) + "\n".join(sorted(words)) + "\n",
                                encoding="utf-8")
        print(f"wrote {len(words)} {what} to {(OUT / name).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
