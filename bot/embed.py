"""Sentence embeddings, so the bot matches what a parent means and not only the words they chose.

The model is all-MiniLM-L6-v2 converted once to ONNX with int8 weights (tools/export_model.py) and
shipped in the package, so it loads offline and needs no torch: ONNX Runtime runs it and the
`tokenizers` package splits the text. Its files are checked against SHA256SUMS when loaded, so a
damaged or swapped model refuses to load instead of answering parents with nonsense.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

MODEL_DIR = Path(__file__).resolve().parent / "model"
MODEL_FILE = "minilm-int8.onnx"
TOKENIZER_FILE = "tokenizer.json"
MAX_TOKENS = 128  # what the model was trained on; a long message is also read sentence by sentence
REMEMBERED = 4096  # recent messages whose embeddings are kept (the same question asked again costs nothing)


class ModelError(Exception):
    """The packaged embedding model is missing or does not match its checksums."""


def verify(folder: Path = MODEL_DIR) -> str:
    """Check every file listed in SHA256SUMS; return a short digest naming this exact model."""
    listing = folder / "SHA256SUMS"
    try:
        lines = [line.split() for line in listing.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise ModelError(f"{listing} is missing; reinstall sendbot (pip install -e .)") from exc
    for expected, name in lines:
        try:
            actual = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except OSError as exc:
            raise ModelError(f"{folder / name} is missing; reinstall sendbot (pip install -e .)") from exc
        if actual != expected:
            raise ModelError(f"{folder / name} does not match its checksum; reinstall sendbot (pip install -e .)")
    return hashlib.sha256(listing.read_bytes()).hexdigest()[:16]


class Encoder:
    """Texts in, unit-length float32 vectors out, one row per text; one thread, like every other stage."""

    dim = 384

    def __init__(self, folder: Path = MODEL_DIR, threads: int = 1):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.digest = hashlib.sha256(f"{verify(folder)}|one text per pass|{MAX_TOKENS}".encode()).hexdigest()[:16]
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()  # ONNX Runtime sessions are thread-safe; the memo of recent messages is not

    def _forward(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self._tokenizer.encode_batch(list(texts))
        width = max(len(e.ids) for e in encoded)
        ids = np.zeros((len(encoded), width), dtype=np.int64)
        mask = np.zeros((len(encoded), width), dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, : len(e.ids)] = e.ids
            mask[row, : len(e.ids)] = 1
        out = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return np.asarray(out, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed many texts, each on its own: int8 activations are scaled per pass, so a text padded
        into a batch would come out slightly different from the same text asked by a parent."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self._forward([text or " "])[0]
        return out

    def forget(self) -> None:
        """Drop the remembered messages (benchmarks time every message afresh)."""
        with self._lock:
            self._recent.clear()

    def encode_one(self, text: str) -> np.ndarray:
        """One message's embedding, remembered for the next time someone asks exactly the same."""
        return self.encode_many([text])[0]

    def encode_many(self, texts: Sequence[str]) -> np.ndarray:
        """A message's texts (the message and its sentences), each remembered (least recently used go first)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            found = [self._recent.get(t) for t in texts]
            for text, vector in zip(texts, found):
                if vector is not None:
                    self._recent.move_to_end(text)
        missing = [i for i, v in enumerate(found) if v is None]
        if missing:
            fresh = self.encode([texts[i] for i in missing])
            with self._lock:
                for i, vector in zip(missing, fresh):
                    found[i] = self._recent[texts[i]] = vector
                while len(self._recent) > REMEMBERED:
                    self._recent.popitem(last=False)
        return np.stack(found)  # type: ignore[arg-type]


@lru_cache(maxsize=1)
def shared() -> Encoder:
    """One encoder per process: every Bot, every /reload and every benchmark reuses it."""
    return Encoder()
