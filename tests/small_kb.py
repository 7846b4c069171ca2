"""A small knowledge base of the tests' own, so checks on wording are tested on wording the tests control.

The shipped templates, crisis rules and thresholds are copied (the code under test renders them); the
entries, the glossary and which contacts are unconfirmed are the test's. Selected through SENDBOT_DATA.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent

GLOSSARY = [
    {"term": "EHCP", "expansion": "Education, Health and Care Plan", "explanation": "A legal plan for a child.",
     "aliases": ["EHC plan"]},
    {"term": "SEND", "expansion": "Special Educational Needs and Disabilities", "explanation": "Needing extra help."},
    {"term": "SENSAP", "expansion": "Special Educational Needs Statutory Assessment and Provision",
     "explanation": "The council's EHCP team."},
    {"term": "SENDIASS", "expansion": "Special Educational Needs and Disabilities Information, Advice and Support Service",
     "short": "the SEND advice service", "explanation": "Free advice about SEND."},
]


def entry(entry_id: str, answer: str, **more: Any) -> dict[str, Any]:
    """One knowledge entry; `more` adds fields such as needs_confirmation or audience."""
    return {"id": entry_id, "title": f"What about {entry_id.replace('-', ' ')}?", "answer": answer,
            "sources": ["https://example.org/source"], "last_reviewed": "2026-11-01", **more}


def build(root: Path, entries: list[dict[str, Any]], unconfirmed: tuple[str, ...] = ("sendiass",)) -> Path:
    """Write the small knowledge base under `root`; only the contacts in `unconfirmed` carry a needs_confirmation note."""
    (root / "knowledge").mkdir(parents=True, exist_ok=True)
    (root / "intents").mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "knowledge/templates", root / "knowledge/templates", dirs_exist_ok=True)
    for name in ("crisis.yaml", "thresholds.yaml", "calibration.yaml"):
        shutil.copy(REPO / "intents" / name, root / "intents" / name)
    contacts = yaml.safe_load((REPO / "knowledge/contacts.yaml").read_text(encoding="utf-8"))
    for key, contact in contacts["contacts"].items():
        contact.pop("needs_confirmation", None)
        if key in unconfirmed:
            contact["needs_confirmation"] = "a test note: check this number"
    dump(root / "knowledge/contacts.yaml", contacts)
    terms = [{**t, "sources": ["https://example.org/glossary"], "last_reviewed": "2026-11-01"} for t in GLOSSARY]
    dump(root / "knowledge/glossary.yaml", {"terms": terms})
    dump(root / "knowledge/small.yaml", {"topic": "Small topic", "entries": entries})
    intents = [{"id": e["id"], "answer": e["id"], "examples": [f"tell me about {e['id'].replace('-', ' ')}"]} for e in entries]
    dump(root / "intents/small.yaml", {"intents": intents})
    return root


def dump(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
