"""The packaged embedding model: offline, checked, meaningful, and its example store on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from bot import embed, embed_store


def test_model_files_match_their_checksums() -> None:
    assert len(embed.verify()) == 16
    assert embed.shared().digest != embed.verify()  # the store's key also names how texts are embedded


def test_a_damaged_model_refuses_to_load(tmp_path: Path) -> None:
    copy = tmp_path / "model"
    shutil.copytree(embed.MODEL_DIR, copy)
    with (copy / embed.TOKENIZER_FILE).open("ab") as handle:
        handle.write(b" ")
    with pytest.raises(embed.ModelError, match="checksum"):
        embed.verify(copy)
    (copy / "SHA256SUMS").unlink()
    with pytest.raises(embed.ModelError, match="missing"):
        embed.verify(copy)


def test_embeddings_are_unit_length_and_mean_something() -> None:
    encoder = embed.shared()
    v = encoder.encode(["the school taxi did not turn up", "transport never arrived this morning", "how do I make a cake"])
    assert v.shape == (3, encoder.dim)
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


def test_one_at_a_time_and_in_a_batch_agree() -> None:
    encoder = embed.shared()
    texts = ["ehcp", "my son is 9 and will not go to school", "a much longer message " * 30]
    batch = encoder.encode(texts)
    single = np.stack([encoder.encode_one(t) for t in texts])
    assert np.allclose(batch, single, atol=1e-6)  # examples at load are embedded exactly as a parent's message
    assert np.allclose(encoder.encode_many(texts), single, atol=1e-6)


def test_no_torch_at_run_time() -> None:
    import subprocess
    import sys

    code = "import sys; from bot.core import Bot; Bot.load(); print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(__file__).parent.parent)
    assert out.stdout.strip().endswith("False")


def test_the_store_embeds_only_what_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = embed.shared()
    calls: list[int] = []
    real = encoder.encode

    def counting(texts):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(encoder, "encode", counting)
    monkeypatch.setattr(embed_store, "_MEMO", {})
    first = embed_store.embeddings(encoder, ["alpha question", "beta question"], tmp_path)
    monkeypatch.setattr(embed_store, "_MEMO", {})  # as a new process would: only the disk is left
    second = embed_store.embeddings(encoder, ["alpha question", "beta question", "gamma question"], tmp_path)
    assert calls == [2, 1]
    assert np.allclose(first, second[:2])


def test_an_unwritable_or_damaged_store_only_costs_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = embed.shared()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setattr(embed_store, "_MEMO", {})
    assert embed_store.embeddings(encoder, ["some text"], blocker / "store").shape == (1, encoder.dim)
    (tmp_path / f"embeddings-{encoder.digest}.npz").write_bytes(b"not a numpy file")
    monkeypatch.setattr(embed_store, "_MEMO", {})
    assert embed_store.embeddings(encoder, ["some text"], tmp_path).shape == (1, encoder.dim)
