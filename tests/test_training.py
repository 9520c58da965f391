import csv
import json
import re
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, tiny_labeler

from stancesum.models.labeler import SentenceLabeler
from stancesum.models.schema import LabelSchema
from stancesum.training.arguments import ConfigError, TrainingArguments, apply_overrides, load_arguments
from stancesum.training.examples import article_examples, load_target_map, seed_articles, training_examples

NO_PUBLIC = {
    "stance_sources": {k: 0 for k in ("emergent", "perspectrum", "ibm_claim_stance", "vast", "basil", "fnc1")},
    "topic_sources": {"bbc_topics": 0, "babe_topics": 0},
}
# tiny runs read the 165 train articles of rounds 1-2, so their steps (and the suite's time) do not grow with the corpus
SMALL_RUN = {**NO_PUBLIC, "seed_rounds": [1, 2]}


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny-base")
    model = tiny_labeler()
    model.encoder.save_pretrained(path)
    model.tokenizer.save_pretrained(path)
    return path


def cli_overrides(settings: dict) -> list[str]:
    """`settings` as the command line writes them: `--stance_sources.vast 0`, `--seed_rounds "[1, 2]"`."""
    args: list[str] = []
    for key, value in settings.items():
        pairs = [(f"{key}.{name}", v) for name, v in value.items()] if isinstance(value, dict) else [(key, value)]
        args += [a for name, v in pairs for a in (f"--{name}", json.dumps(v))]
    return args


def tiny_args(base: Path, output_dir: Path, **settings) -> TrainingArguments:
    """A short run on the tiny base model without the public corpora; `settings` override."""
    common = dict(epochs=0.2, eval_steps=10, max_length=48, batch_size=32, **SMALL_RUN)
    return TrainingArguments(output_dir=str(output_dir), base_model=str(base), **{**common, **settings})


def test_arguments_are_validated_eagerly(tmp_path):
    with pytest.raises(ConfigError, match="epochs"):
        TrainingArguments(epochs=0)
    with pytest.raises(ConfigError, match="stance_sources.twitter: unknown source"):
        TrainingArguments(stance_sources={"twitter": 10})
    with pytest.raises(ConfigError, match="init_from"):
        TrainingArguments(init_from=str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="delta"):
        TrainingArguments(freeze_embeddings=False)


def test_retraining_starts_from_the_models_recipe(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    recipe = {"epochs": 1.5, "stance_sources": {"fnc1": 7, "vast": 0}, "output_dir": "elsewhere", "seed_repeats": 2}
    (model / "training_record.json").write_text(json.dumps({"arguments": recipe}))
    args = load_arguments(None, {"init_from": str(model), "epochs": "2", "stance_sources.vast": "3"})
    assert (args.epochs, args.seed_repeats) == (2.0, 2)
    assert (args.stance_sources["fnc1"], args.stance_sources["vast"], args.stance_sources["seeds"]) == (7, 3, -1)
    assert args.output_dir == TrainingArguments().output_dir  # run settings are not inherited
    assert load_arguments(None, {}).epochs == TrainingArguments().epochs


def test_yaml_config_with_dotted_overrides(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text("epochs: 2\nstance_sources:\n  fnc1: 10\n")
    args = load_arguments(config, {"stance_sources.vast": "0", "learning_rate": "1e-4"})
    assert args.epochs == 2 and args.learning_rate == 1e-4
    assert (
        args.stance_sources["fnc1"] == 10
        and args.stance_sources["vast"] == 0
        and args.stance_sources["emergent"] == 1600
    )
    with pytest.raises(ConfigError, match="unknown setting"):
        apply_overrides({}, {"epochz": "3"})
    config.write_text("- a list\n")
    with pytest.raises(ConfigError, match="mapping"):
        load_arguments(config)


def test_default_config_file_loads():
    args = load_arguments(REPO / "training" / "configs" / "default.yaml")
    assert args.encoder_weights == "delta" and args.base_model.endswith("all-MiniLM-L6-v2")


def test_seed_examples_never_read_test():
    args = TrainingArguments()
    with pytest.raises(ValueError, match="never test"):
        seed_articles(args, "test")
    with pytest.raises(ValueError, match="never ood_test"):
        seed_articles(args, "ood_test")
    test_ids = set(json.loads(Path(args.splits_path).read_text())["test"])
    assert not test_ids & {a.id for a in seed_articles(args, "train")}
    examples = article_examples(seed_articles(args, "train"), "seeds")
    assert {e.task for e in examples} == {"topic", "stance"} and all(e.second for e in examples if e.task == "stance")


def test_seed_rounds_narrow_the_train_articles_only():
    rounds = {a.id: a.annotation["round"] for a in seed_articles(TrainingArguments(), "train")}
    assert set(rounds.values()) == {1, 2, 4}
    narrowed = TrainingArguments(seed_rounds=[1, 2])
    assert {rounds[a.id] for a in seed_articles(narrowed, "train")} == {1, 2}
    dev = seed_articles(TrainingArguments(), "dev")
    assert [a.id for a in seed_articles(TrainingArguments(seed_rounds=[4]), "dev")] == [a.id for a in dev]
    for bad in ([], [1.5], "1,2"):
        with pytest.raises(ConfigError, match="seed_rounds"):
            TrainingArguments(seed_rounds=bad)
    assert load_arguments(REPO / "training" / "configs" / "default.yaml").seed_rounds == [1, 2]
    # retraining the committed model replays from the articles it was trained on
    assert load_arguments(None, {"init_from": str(REPO / "models" / "default")}).seed_rounds == [1, 2]


def test_a_source_count_above_its_pool_repeats_the_pool():
    import random

    from stancesum.training.examples import _stratified_sample

    pool = [("a", 1), ("b", 1), ("c", 2)]
    assert _stratified_sample(pool, lambda r: r[1], -1, random.Random(0)) == pool
    two = _stratified_sample(pool, lambda r: r[1], 2, random.Random(0))
    assert len(two) == 2 and {r[1] for r in two} == {1, 2}
    seven = _stratified_sample(pool, lambda r: r[1], 7, random.Random(0))
    assert len(seven) == 7 and seven[:6] == pool * 2 and seven[6] in pool
    assert _stratified_sample([], lambda r: r[1], 5, random.Random(0)) == []


def test_stance_examples_carry_the_previous_sentence_when_asked():
    articles = seed_articles(TrainingArguments(), "train")[:2]
    plain = [e for e in article_examples(articles, "seeds") if e.task == "stance"]
    ctx = [e for e in article_examples(articles, "seeds", stance_context="previous") if e.task == "stance"]
    assert [e.second for e in ctx] == [e.second for e in plain] and [e.label for e in ctx] == [e.label for e in plain]
    a = articles[0]
    first, second = a.sentences[0], a.sentences[1]
    target = next(iter(first.stance))
    assert ctx[0].first == f"{target} [SEP] {a.title}" and ctx[0].second == first.text
    assert any(e.first.startswith(f"{target} [SEP] ") and e.second == second.text for e in ctx)
    assert plain[0].first == target
    with pytest.raises(ValueError, match="stance_context"):
        TrainingArguments(stance_context="next")


def test_negated_targets_mirror_stance_pairs_with_favor_and_against_swapped(tmp_path):
    articles = seed_articles(TrainingArguments(), "train")
    sided = next(t for a in articles for s in a.sentences for t, v in s.stance.items() if v == "favor")
    other = next(t for a in articles for t in a.targets if t != sided)
    path = tmp_path / "negations.jsonl"
    rows = [{"target": sided, "negation": f"rejecting {sided}"}, {"target": other, "negation": None}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    args = TrainingArguments(negated_targets=str(path), negated_none_share=0.0, **NO_PUBLIC)
    examples = training_examples(args, LabelSchema())
    mirrored = [e for e in examples if e.source == "seeds_negated"]
    originals = [e for e in examples if e.source == "seeds" and e.task == "stance" and e.first == sided]
    flip = {"favor": "against", "against": "favor"}
    assert mirrored and all(e.first == f"rejecting {sided}" and e.label != "none" for e in mirrored)
    assert sorted((e.second, e.label) for e in mirrored) == sorted(
        (e.second, flip[e.label]) for e in originals if e.label != "none"
    )
    everything = TrainingArguments(negated_targets=str(path), negated_none_share=1.0, **NO_PUBLIC)
    all_mirrored = [e for e in training_examples(everything, LabelSchema()) if e.source == "seeds_negated"]
    assert len(all_mirrored) == len(originals) and {e.label for e in all_mirrored} >= {"none", "against"}
    path.write_text('{"target": "x"}\n')
    with pytest.raises(ValueError, match=r"negations.jsonl:1: .*'negation'"):
        load_target_map(path, "negation")
    with pytest.raises(ConfigError, match="negated_targets"):
        TrainingArguments(negated_targets=str(tmp_path / "missing.jsonl"))
    with pytest.raises(ConfigError, match="negated_none_share"):
        TrainingArguments(negated_none_share=1.5)


def test_target_paraphrases_reword_a_share_of_the_pairs_and_keep_their_labels(tmp_path):
    articles = seed_articles(TrainingArguments(), "train")
    target = articles[0].targets[0]
    path = tmp_path / "paraphrases.jsonl"
    path.write_text(json.dumps({"target": target, "paraphrase": f"{target}, reworded"}) + "\n")

    def stance(share: float) -> list:
        args = TrainingArguments(target_paraphrases=str(path), paraphrase_share=share, **NO_PUBLIC)
        return sorted(
            ((e.first, e.second, e.label) for e in training_examples(args, LabelSchema()) if e.task == "stance"),
        )

    plain, all_reworded, none_reworded = stance(0.0), stance(1.0), stance(0.0)
    assert len(all_reworded) == len(plain) and none_reworded == plain
    assert not any(first == target for first, _, _ in all_reworded)
    originals = sorted((s, label) for first, s, label in plain if first == target)
    assert sorted((s, label) for first, s, label in all_reworded if first == f"{target}, reworded") == originals
    with pytest.raises(ConfigError, match="paraphrase_share"):
        TrainingArguments(paraphrase_share=-0.1)


def test_train_then_retrain_with_a_new_topic(tiny_base, tmp_path):
    from stancesum.training.run import RECORD_FILE, run_training

    common = dict(
        base_model=str(tiny_base), epochs=0.3, eval_steps=10, seed_repeats=1, max_length=48, batch_size=32, **SMALL_RUN
    )
    first = run_training(TrainingArguments(output_dir=str(tmp_path / "m1"), **common), progress=False)
    model = SentenceLabeler.from_pretrained(first)
    assert model.config.encoder_weights == "delta"
    card = (first / "README.md").read_text()
    assert "stance macro-F1" in card and "seed test" in card and "stance/seeds" in card
    record = json.loads((first / RECORD_FILE).read_text())
    assert record["history"] and record["best"]["step"] >= 10
    from stancesum.training.model_card import refresh
    from stancesum.training.new_data import file_sha256

    assert record["data_sha256"]["articles.jsonl"] == file_sha256(REPO / "seeds" / "articles.jsonl")
    # the card shows the hashes recorded when the run read its data, also when re-rendered after the data changed
    (first / RECORD_FILE).write_text(json.dumps({**record, "data_sha256": {"articles.jsonl": "ab" * 32}}))
    refresh(first)
    assert "`articles.jsonl` abababababababab." in (first / "README.md").read_text()
    (first / RECORD_FILE).write_text(json.dumps(record))
    assert (
        "stance_none_bias" in record["calibrated"]
        and model.config.stance_none_bias == record["calibrated"]["stance_none_bias"]
    )

    new = tmp_path / "new.jsonl"
    article = seed_articles(TrainingArguments(), "train")[0]  # never an evaluation article: the guard refuses those
    article.sentences[0].topic = None
    data = article.to_dict()
    data["sentences"][0]["topic"] = "sport_results"
    new.write_text(json.dumps(data) + "\n")
    second = run_training(
        TrainingArguments(
            output_dir=str(tmp_path / "m2"), init_from=str(first), extra_data=[str(new)], replay_examples=200, **common
        ),
        progress=False,
    )
    retrained = SentenceLabeler.from_pretrained(second)
    assert retrained.schema.topic_labels[-1] == "sport_results" and len(retrained.schema.topics) == 13
    assert "before retraining" in (second / "README.md").read_text()
    second_record = json.loads((second / RECORD_FILE).read_text())
    assert any(k.startswith("topic/data:new.jsonl") for k in second_record["examples"])
    assert second_record["data_sha256"]["new.jsonl"] == second_record["data"]["files"][0]["sha256"] == file_sha256(new)


def test_factorized_loss_trains_relevance_only_where_the_corpus_has_none():
    import torch

    from stancesum.models.schema import LabelSchema
    from stancesum.training.trainer import factorized_stance_loss

    schema = LabelSchema()
    favor, against, none = (schema.stance_index(x) for x in ("favor", "against", "none"))
    logits = torch.zeros(3, 2, requires_grad=True)
    gold = torch.tensor([favor, none, against])
    loss = factorized_stance_loss(logits, gold, torch.tensor([0.0, 1.0, 1.0]), torch.ones(3), schema)
    loss.backward()
    grad = logits.grad
    assert grad[0, 0] == 0 and grad[0, 1] != 0  # a Perspectrum-style row: polarity only
    assert grad[1, 0] != 0 and grad[1, 1] == 0  # a 'none' row: relevance only
    assert grad[2, 0] != 0 and grad[2, 1] != 0


def test_factorized_head_with_description_init_trains_and_calibrates(tiny_base, tmp_path):
    from stancesum.training.run import RECORD_FILE, run_training

    args = tiny_args(tiny_base, tmp_path / "m", stance_head="factorized", topic_head_init="descriptions")
    path = run_training(args, progress=False)
    model = SentenceLabeler.from_pretrained(path)
    record = json.loads((path / RECORD_FILE).read_text())
    assert model.config.stance_head == "factorized"
    assert model.config.topic_smoothing == record["calibrated"]["topic_smoothing"]
    assert "dev" in record["best"] and "score" in record["best"] and "test" in record["test"]


def test_training_under_accelerate_launch_with_two_cpu_processes(tiny_base, tmp_path):
    import os
    import subprocess
    import sys

    out = tmp_path / "ddp"
    cmd = [
        sys.executable,
        "-m",
        "accelerate.commands.launch",
        "--multi_gpu",  # torchrun-style launch; with no GPU the Trainer runs each process on the CPU (gloo)
        "--num_processes",
        "2",
        "--num_machines",
        "1",
        "--mixed_precision",
        "no",
        "--dynamo_backend",
        "no",
        "-m",
        "stancesum.cli",
        "train",
        "--output-dir",
        str(out),
        "--no-score-test",
        "--base_model",
        str(tiny_base),
        "--epochs",
        "0.1",
        "--eval_steps",
        "5",
        "--max_length",
        "48",
        "--threads",
        "1",
        "--seed_repeats",
        "1",
        *cli_overrides(SMALL_RUN),
    ]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stderr.count("training examples:") == 2  # both processes trained...
    model = SentenceLabeler.from_pretrained(out)
    assert model.config.encoder_weights == "delta"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ddp"]  # ...one saved, and nothing was left half-written


def test_supervised_contrastive_loss_rewards_same_label_neighbours():
    import torch

    from stancesum.training.trainer import supervised_contrastive_loss

    labels = torch.tensor([0, 0, 1, 1, 2])  # the lone label 2 has no positive: not an anchor
    weights = torch.tensor([1.0, 1.0, 2.0, 2.0, 5.0])
    grouped = torch.tensor([[1.0, 0.0], [1.0, 0.1], [0.0, 1.0], [0.1, 1.0], [-1.0, 0.0]])
    mixed = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [0.1, 1.0], [-1.0, 0.0]])
    good, w = supervised_contrastive_loss(grouped, labels, weights, 0.1)
    bad, _ = supervised_contrastive_loss(mixed, labels, weights, 0.1)
    assert w == 6.0 and good < 0.01 < bad


def test_contrastive_stage_before_the_heads_trains(tiny_base, tmp_path, monkeypatch):
    from stancesum.training.run import RECORD_FILE, run_training

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    args = tiny_args(tiny_base, tmp_path / "m", epochs=0.1, contrastive_epochs=0.1)
    path = run_training(args, progress=False)
    assert not list(scratch.iterdir())  # both trainers' scratch folders are gone
    record = json.loads((path / RECORD_FILE).read_text())
    stage = record["contrastive_stage"]
    assert stage["seconds"] > 0 and 0 < stage["mean_loss"] < 100 and record["arguments"]["contrastive_epochs"] == 0.1
    SentenceLabeler.from_pretrained(path)
    with pytest.raises(ConfigError, match="contrastive_epochs"):
        TrainingArguments(contrastive_epochs=-1)


def test_averaged_checkpoints_are_a_candidate(tiny_base, tmp_path):
    from stancesum.training.run import RECORD_FILE, run_training

    path = run_training(tiny_args(tiny_base, tmp_path / "m", epochs=0.3, average_checkpoints=True), progress=False)
    record = json.loads((path / RECORD_FILE).read_text())
    steps = [h["step"] for h in record["history"]]
    late = [h for h in record["history"] if isinstance(h["step"], int) and h["epoch"] >= 0.15]
    assert steps[-1] == f"average of {len(late)}" and len(late) >= 2
    last = max(h["step"] for h in late)
    assert re.search(
        rf"Best checkpoint \(mean of the selection splits\) at step [^;]+ of {last};", (path / "README.md").read_text()
    )
    SentenceLabeler.from_pretrained(path)


def test_emergent_guard_is_carved_from_train_claims_and_leaves_dev_alone(shared_data):
    from stancesum.training.corpora import emergent
    from stancesum.training.corpora.types import carve_guard
    from stancesum.training.examples import guard_examples, public_examples

    plain = emergent(shared_data)
    guarded = carve_guard(plain, 0.2, salt="emergent-guard")
    assert [r for r in plain if r.split == "dev"] == [r for r in guarded if r.split == "dev"]
    claims = {s: {r.group for r in guarded if r.split == s} for s in ("train", "dev", "guard")}
    assert claims["guard"] and not claims["guard"] & claims["train"] and not claims["guard"] & claims["dev"]
    assert claims["guard"] <= {r.group for r in plain if r.split == "train"}
    assert len(claims["guard"]) == round(0.2 * len(claims["guard"] | claims["train"]))

    sources = {"stance_sources": {"emergent": -1}, "topic_sources": {}}
    args = TrainingArguments(data_dir=str(shared_data), emergent_guard=0.2, **sources)
    guard = guard_examples(args)
    assert len(guard) == sum(r.split == "guard" for r in guarded)
    trained = public_examples(args, LabelSchema(), __import__("random").Random(0))
    assert len(trained) == sum(r.split == "train" for r in guarded)
    assert not {(e.first, e.second) for e in trained} & {(e.first, e.second) for e in guard}
    assert guard_examples(TrainingArguments()) == []
    with pytest.raises(ConfigError, match="emergent_guard"):
        TrainingArguments(emergent_guard=1.0)


def test_a_guard_below_its_floor_costs_checkpoints_and_priors_their_shortfall(tiny_base, tmp_path, shared_data):
    from stancesum.models.labeler_config import apply_none_bias
    from stancesum.training.examples import Example
    from stancesum.training.run import RECORD_FILE, run_training
    from stancesum.training.trainer import guard_shortfall, ranking_score, tune_none_bias

    assert guard_shortfall(0.70, 0.75) == pytest.approx(0.05) and guard_shortfall(0.80, 0.75) == 0.0
    assert ranking_score({"score": 0.7, "guard_shortfall": 0.05}) == pytest.approx(0.65)
    assert ranking_score({"score": 0.7}) == 0.7

    args = tiny_args(tiny_base, tmp_path / "m", data_dir=str(shared_data), emergent_guard=0.2, guard_floor=1.0)
    path = run_training(args, progress=False)
    record = json.loads((path / RECORD_FILE).read_text())
    assert all(0 <= h["guard_accuracy"] <= 1 for h in record["history"])
    chosen = max(record["history"], key=ranking_score)  # the first of equals, as training keeps it
    assert record["best"]["step"] == chosen["step"]
    assert record["calibrated"]["guard_shortfall"] == pytest.approx(1.0 - record["calibrated"]["guard_accuracy"])
    card = (path / "README.md").read_text()
    assert "Emergent guard accuracy" in card and "held out of training" in card

    model = SentenceLabeler.from_pretrained(path)
    model.config.stance_none_bias = 0.0
    splits = {"dev": seed_articles(args, "dev", model.schema)[:5]}
    pairs = [("the plan", s.text) for a in splits["dev"] for s in a.sentences]
    probs, none = model.predict_stances(*zip(*pairs, strict=True)), model.schema.stance_index("none")

    def labels_at(bias: float) -> list[str]:
        return [model.schema.stances[i] for i in apply_none_bias(probs, none, bias).argmax(1)]

    # a guard labeled as the model labels it with a strong prior against `none`, with a floor of 1.0: only such a
    # prior meets it, and its shortfall outweighs any stance F1 the selection splits could give
    assert labels_at(-2.0) != labels_at(0.0)
    guard = [Example("stance", t, s, label, "g") for (t, s), label in zip(pairs, labels_at(-2.0), strict=True)]
    forced = tune_none_bias(model, splits, guard=guard, floor=1.0)
    assert forced < 0 and labels_at(forced) == labels_at(-2.0)
    assert tune_none_bias(model, splits, guard=guard, floor=0.0) == tune_none_bias(model, splits)


def test_distilled_loss_pulls_toward_the_teacher_and_reduces_to_cross_entropy_at_weight_zero():
    import torch

    from stancesum.training.trainer import MultiTaskModule

    weights = torch.tensor([2.0, 3.0, 1.0])
    module = MultiTaskModule(tiny_labeler(), torch.ones(12), weights, distill_weight=0.0, distill_temperature=2.0)
    logits, gold = torch.randn(4, 3), torch.tensor([0, 1, 2, 2])
    teacher = torch.softmax(torch.randn(4, 3), dim=-1)
    plain = torch.nn.functional.cross_entropy(logits, gold, weight=weights, reduction="sum")
    assert torch.allclose(module.distilled_stance_loss(logits, gold, teacher), plain)
    module.distill_weight = 1.0
    assert module.distilled_stance_loss(torch.log(teacher), gold, teacher).abs() < 1e-5  # student == teacher
    assert module.distilled_stance_loss(logits, gold, teacher) > 0.0


def test_distillation_run_scores_the_teacher_once_and_reuses_its_cache(tiny_base, tiny_model_dir, tmp_path, caplog):
    import logging

    import numpy as np

    from stancesum.training.examples import training_examples
    from stancesum.training.run import RECORD_FILE, run_training

    cache = tmp_path / "teacher.npz"
    args = tiny_args(tiny_base, tmp_path / "m", distill_from=str(tiny_model_dir), distill_cache=str(cache))
    with caplog.at_level(logging.INFO, logger="stancesum.training.trainer"):
        path = run_training(args, progress=False)
    assert "scored" in caplog.text
    SentenceLabeler.from_pretrained(path)
    record = json.loads((path / RECORD_FILE).read_text())
    assert record["arguments"]["distill_from"] == str(tiny_model_dir)
    stored = np.load(cache)
    stance = [e for e in training_examples(args, LabelSchema()) if e.task == "stance"]
    assert len(stored["keys"]) == len({(e.first, e.second) for e in stance})
    assert np.allclose(stored["probabilities"].sum(axis=1), 1.0, atol=1e-4)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="stancesum.training.trainer"):
        run_training(tiny_args(tiny_base, tmp_path / "m2", distill_from=str(tiny_model_dir), distill_cache=str(cache)))
    assert "scored" not in caplog.text  # every pair came from the cache

    from stancesum.training.trainer import teacher_stance_probabilities

    pairs = [e for e in training_examples(args, LabelSchema()) if e.task == "stance"]
    own = tmp_path / "own.npz"
    own_args = tiny_args(tiny_base, tmp_path / "m3", distill_from=str(tiny_model_dir), distill_cache=str(own))
    first = teacher_stance_probabilities(own_args, pairs[:5], LabelSchema().stances)
    teacher_stance_probabilities(own_args, pairs[5:9], LabelSchema().stances)
    assert len(np.load(own)["keys"]) == len({(e.first, e.second) for e in pairs[:9]})  # the first run's stay
    assert np.allclose(teacher_stance_probabilities(own_args, pairs[:5], LabelSchema().stances), first)
    other = tmp_path / "other-teacher"
    tiny_labeler(seed=1).save_pretrained(other)
    with pytest.raises(ValueError, match="made by another teacher"):
        teacher_stance_probabilities(
            tiny_args(tiny_base, tmp_path / "m4", distill_from=str(other), distill_cache=str(own)),
            pairs[:5],
            LabelSchema().stances,
        )


def test_distillation_targets_reach_the_loss_beside_a_contrastive_stage(tiny_base, tiny_model_dir, tmp_path):
    import numpy as np
    import torch
    from transformers import DataCollatorWithPadding

    from stancesum.training.run import run_training
    from stancesum.training.trainer import MultiTaskModule, _encode, teacher_stance_probabilities

    args = tiny_args(tiny_base, tmp_path / "m", distill_from=str(tiny_model_dir), contrastive_epochs=0.05)
    SentenceLabeler.from_pretrained(run_training(args, progress=False))  # both stages read the `soft` column
    student = tiny_labeler(seed=2)
    examples = [e for e in training_examples(args, LabelSchema()) if e.task == "stance"][:16]
    soft = teacher_stance_probabilities(args, examples, LabelSchema().stances)
    rows = _encode(examples, student, soft)
    assert np.allclose(np.array(rows["soft"]), soft)
    batch = DataCollatorWithPadding(student.tokenizer)([rows[i] for i in range(len(rows))])
    student.eval()
    losses = [
        MultiTaskModule(student, torch.ones(12), torch.ones(3), distill_weight=w, distill_temperature=2.0)(**batch)
        for w in (0.0, 1.0)
    ]
    assert batch["soft"].dtype == torch.float32 and not torch.isclose(losses[0]["loss"], losses[1]["loss"])


def write_babe(data_dir: Path) -> None:
    """BABE's two files in a data dir: 40 sentences over 7 articles; sport names no position, so has no pair."""
    header = ["text", "news_link", "outlet", "topic", "type", "label_bias", "label_opinion", "biased_words"]
    rows = [
        [f"Sentence {i} on the matter.", f"link{i % 7}", "o", topic, "left", "", "", "[]"]
        for i, topic in enumerate(["gun control", "taxes", "sport", "abortion"] * 10)
    ]
    (data_dir / "babe").mkdir(parents=True, exist_ok=True)
    for name, part in (("final_labels_SG2.csv", rows), ("final_labels_SG1.csv", rows[:5])):
        with (data_dir / "babe" / name).open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f, delimiter=";").writerows([header, *part])


def test_teacher_labeled_gives_only_the_unlabeled_pairs_the_teachers_label():
    import numpy as np

    from stancesum.training.corpora import UNLABELED
    from stancesum.training.examples import Example
    from stancesum.training.trainer import teacher_labeled

    examples = [
        Example("stance", "t", "a", UNLABELED, "babe_stance"),
        Example("stance", "t", "b", "favor", "seeds"),
        Example("topic", "c", None, "other", "seeds"),
    ]
    soft = np.array([[0.1, 0.7, 0.2], [0.0, 0.0, 1.0], [0, 0, 0]], dtype=np.float32)
    assert [e.label for e in teacher_labeled(examples, soft, LabelSchema().stances)] == ["against", "favor", "other"]


def test_a_transfer_set_trains_on_the_teachers_labels(tiny_base, tiny_model_dir, tmp_path):
    from stancesum.training.corpora import babe_stance
    from stancesum.training.run import RECORD_FILE, run_training

    data_dir = tmp_path / "data"
    write_babe(data_dir)
    train_pairs = sum(r.split == "train" for r in babe_stance(data_dir))
    assert 0 < train_pairs < 30  # 30 sentences have a position; some articles fall in dev and test
    sources = {**NO_PUBLIC["stance_sources"], "babe_stance": -1}
    args = tiny_args(
        tiny_base, tmp_path / "m", data_dir=str(data_dir), stance_sources=sources, distill_from=str(tiny_model_dir)
    )
    record = json.loads((run_training(args, progress=False) / RECORD_FILE).read_text())
    babe = record["examples"]["stance/babe_stance"]
    assert set(babe) <= {"favor", "against", "none"} and sum(babe.values()) == train_pairs


def test_retraining_drops_a_teacher_labeled_source_unless_a_teacher_is_given(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    recipe = {"stance_sources": {"babe_stance": -1, "fnc1": 7}, "distill_from": "teacher"}
    (model / "training_record.json").write_text(json.dumps({"arguments": recipe}))
    args = load_arguments(None, {"init_from": str(model)})
    assert (args.stance_sources["babe_stance"], args.stance_sources["fnc1"], args.distill_from) == (0, 7, None)
    with_teacher = load_arguments(None, {"init_from": str(model), "distill_from": str(tmp_path)})
    assert with_teacher.stance_sources["babe_stance"] == -1


def test_distillation_needs_a_teacher_directory_and_a_joint_head(tmp_path):
    with pytest.raises(ConfigError, match="distill_from: model directory"):
        TrainingArguments(distill_from=str(tmp_path / "absent"))
    with pytest.raises(ConfigError, match="distill_from: model directory"):
        TrainingArguments(distill_from="")  # Path("") is the working directory
    with pytest.raises(ConfigError, match="stance_sources.babe_stance: its pairs are unlabeled; needs distill_from"):
        TrainingArguments(stance_sources={"babe_stance": -1})
    with pytest.raises(ConfigError, match="stance_head: joint"):
        TrainingArguments(distill_from=str(tmp_path), stance_head="factorized")
    with pytest.raises(ConfigError, match="distill_weight"):
        TrainingArguments(distill_weight=1.5)
    with pytest.raises(ConfigError, match="distill_cache: needs distill_from"):
        TrainingArguments(distill_cache=str(tmp_path / "c.npz"))
