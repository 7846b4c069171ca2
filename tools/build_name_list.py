"""Build bot/store/data/names.txt: the words of the bot's English word list that are people's names.

The redactor's vocabulary guard (bot/store/redact.py) keeps a lower-case word when it is English and
replaces it when it is not, since parents often type names in lower case with nothing to introduce
them. symspellpy's frequency list (the bot's English word list, bot/english.py) also holds many first
names and surnames, because books are full of them. This script lists those: words of that list that
Webster's Second International (web2, public domain, from the english-words package) has only with a
capital letter ("Freddie", "Oliver"), or not at all while the list has them only as rare words.
Run once with `pip install english-words==2.0.2`; commit the result. Nothing here runs at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

from english_words import get_english_words_set

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.english import words  # noqa: E402

OUT = ROOT / "bot" / "store" / "data" / "names.txt"
HEADER = """# Words of symspellpy's English frequency list that are people's names: Webster's Second
# International (web2, public domain, via the english-words package) has them only with a capital
# letter. Made by tools/build_name_list.py; do not edit by hand.
"""


def main() -> int:
    web2 = get_english_words_set(["web2"], lower=False, alpha=True)
    lower = {w for w in web2 if w.islower()}
    proper = {w.lower() for w in web2 if w[:1].isupper()} - lower
    names = sorted(w for w in words() if w in proper and len(w) >= 3)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(HEADER + "\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names to {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
