"""Which int8 quantization of the labeler's encoder: label agreement with float32 and speed, per variant.

    .venv/bin/python benchmarks/int8_variants.py [--model models/default] [--split dev] [--threads 2]

Every variant is made from the same float32 ONNX export of the encoder (mean pooling included) and run by ONNX
Runtime over the (target, sentence) pairs and the sentences of a seed split (dev by default: a selection split, so
that the choice of quantization never reads test). Printed per variant: stance and topic label agreement with the
float32 graph, stance pairs per second, and the ratio to the shipped default (all MatMuls, per-channel). Variants:
- default: every MatMul with int8 weights, one scale per output channel (what `stancesum optimize` makes);
- per-tensor: one weight scale per matrix;
- ffn-out-fp32: the feed-forward output MatMuls (whose inputs, after GELU, have the widest range) kept in float32;
- edges-fp32: the first and last layers kept in float32;
- fused: eager-attention export + ONNX Runtime's transformer optimizer (fused Attention, SkipLayerNorm, BiasGelu),
  then int8 MatMuls and Attention.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def export_fp32(model: str, out: Path, eager: bool) -> tuple[Path, int, int]:
    """The labeler's encoder + pooling as float32 ONNX; with its attention heads and width (for the optimizer)."""
    from stancesum.models.labeler import SentenceLabeler
    from stancesum.models.onnx_encoder import export_float32
    from stancesum.models.onnx_labeler import pooled_encoder

    labeler = SentenceLabeler.from_pretrained(model)
    if eager:  # the attention pattern ONNX Runtime's fusion recognizes
        labeler.encoder.config._attn_implementation = "eager"
    export_float32(*pooled_encoder(labeler), out)
    config = labeler.encoder.config
    return out, config.num_attention_heads, config.hidden_size


def quantize(src: Path, out: Path, per_channel: bool = True, exclude=lambda name: False, ops=("MatMul",)) -> Path:
    """`src` quantized as the shipped export is (models.onnx_encoder.quantize_int8), with `exclude`d MatMuls kept
    in float32."""
    import onnx

    from stancesum.models.onnx_encoder import quantize_int8

    names = [n.name for n in onnx.load(str(src)).graph.node if n.op_type == "MatMul" and exclude(n.name)]
    # the fused graph's custom operators defeat ONNX's type inference; its tensors are float32
    options = {"DefaultTensorType": onnx.TensorProto.FLOAT}
    return quantize_int8(src, out, per_channel, names, ops, extra_options=options)


def split_inputs(split: str) -> tuple[list[tuple[str, str]], list[str]]:
    from stancesum.models.articles_io import load_articles

    ids = set(json.loads((REPO / "seeds" / "splits.json").read_text())[split])
    articles = [a for a in load_articles(REPO / "seeds" / "articles.jsonl") if a.id in ids]
    pairs = [(t, s.text) for a in articles for s in a.sentences for t in a.targets]
    return pairs, [s.text for a in articles for s in a.sentences]


def run(labeler, graph: Path, pairs, sentences, threads: int) -> tuple[np.ndarray, np.ndarray, float]:
    from stancesum.models.labeler_config import ENCODER_DIR
    from stancesum.models.onnx_encoder import PooledEncoder

    labeler.encoder = PooledEncoder(
        graph, Path(labeler.directory) / ENCODER_DIR / "tokenizer.json", labeler.config.max_length, threads
    )
    labeler.pooled(["warm up"], None, 4)
    start = time.perf_counter()
    stance = labeler.predict_stances([p[0] for p in pairs], [p[1] for p in pairs], batch_size=64).argmax(1)
    seconds = time.perf_counter() - start
    topic = labeler.predict_topics(sentences, batch_size=64).argmax(1)
    return stance, topic, len(pairs) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=str(REPO / "models" / "default"))
    parser.add_argument("--split", default="dev", choices=["dev", "ood_dev"])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from onnxruntime.transformers.optimizer import optimize_model

    from stancesum.models.onnx_labeler import OnnxLabeler

    labeler = OnnxLabeler(args.model, threads=args.threads)
    labeler.directory = args.model
    pairs, sentences = split_inputs(args.split)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        fp32, heads, hidden = export_fp32(args.model, folder / "fp32.onnx", eager=False)
        eager = export_fp32(args.model, folder / "eager.onnx", eager=True)[0]
        fused = folder / "fused.onnx"
        optimize_model(str(eager), "bert", heads, hidden).save_model_to_file(str(fused))
        variants = {
            "default (all MatMuls, per-channel)": quantize(fp32, folder / "default.onnx"),
            "per-tensor weights": quantize(fp32, folder / "tensor.onnx", per_channel=False),
            "ffn-out-fp32": quantize(fp32, folder / "ffn.onnx", exclude=lambda n: "/output/dense/" in n),
            "edges-fp32 (layers 0 and last)": quantize(
                fp32, folder / "edges.onnx", exclude=lambda n: "layer.0/" in n or f"layer.{_last(fp32)}/" in n
            ),
            "fused graph, int8 MatMul + Attention": quantize(fused, folder / "fq.onnx", ops=("MatMul", "Attention")),
        }
        ref_stance, ref_topic, ref_speed = run(labeler, fp32, pairs, sentences, args.threads)
        rows = [("float32 (ONNX Runtime)", 1.0, 1.0, ref_speed)]
        for name, graph in variants.items():
            stance, topic, speed = run(labeler, graph, pairs, sentences, args.threads)
            rows.append((name, float(np.mean(stance == ref_stance)), float(np.mean(topic == ref_topic)), speed))
    base = rows[1][3]
    print(
        f"model {args.model}; seed {args.split}: {len(pairs)} pairs, {len(sentences)} sentences; {args.threads} threads"
    )
    print(f"{'variant':<40} {'stance agr.':>11} {'topic agr.':>10} {'pairs/s':>8} {'vs default':>10}")
    for name, s, t, speed in rows:
        print(f"{name:<40} {s:>11.4f} {t:>10.4f} {speed:>8.1f} {speed / base:>9.2f}x")


def _last(graph: Path) -> int:
    import onnx

    layers = {
        int(n.name.split("layer.")[1].split("/")[0]) for n in onnx.load(str(graph)).graph.node if "layer." in n.name
    }
    return max(layers)


if __name__ == "__main__":
    main()
