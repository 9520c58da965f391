"""Retraining cannot spoil its own evaluation: new data is validated, compared with the evaluation splits and with
itself, and a model directory is only ever replaced whole."""

import json

import pytest
from typer.testing import CliRunner

from stancesum.cli import app
from stancesum.models.articles_io import load_articles, save_articles
from stancesum.training.arguments import TrainingArguments
from stancesum.training.examples import load_split_ids
from stancesum.training.overlap import find_overlaps, shingles, text_hash


@pytest.fixture(scope="module")
def dev_articles():
    args = TrainingArguments()
    ids = load_split_ids(args.splits_path)["dev"]
    return [a for a in load_articles(args.seeds_path) if a.id in ids]


def renamed(article, prefix="new-"):
    copy = article.__class__(**{**article.__dict__, "id": prefix + article.id})
    return copy


def edited(article):
    """The article with its longest sentence rewritten (and the offsets of the sentences after it moved)."""
    k = max(range(len(article.sentences)), key=lambda i: len(article.sentences[i].text))
    s = article.sentences[k]
    new_text = article.text[: s.start] + "Officials declined to say more about it today." + article.text[s.end :]
    data = article.to_dict()
    data["id"], data["text"], shift = "edited-" + article.id, new_text, len(new_text) - len(article.text)
    for i, sent in enumerate(data["sentences"]):
        if i == k:
            sent["end"] = sent["start"] + len("Officials declined to say more about it today.")
        elif i > k:
            sent["start"], sent["end"] = sent["start"] + shift, sent["end"] + shift
        sent["text"] = new_text[sent["start"] : sent["end"]]
    return article.from_dict(data)


def test_hash_ignores_case_spacing_and_punctuation():
    assert text_hash("NATO, said: no troops!") == text_hash("nato said   no troops")
    assert text_hash("NATO said no troops") != text_hash("NATO said troops")
    assert len(shingles("one two three")) == 1 and len(shingles("w " * 20)) == 1


def test_exact_edited_and_unrelated_articles(dev_articles):
    a, b = dev_articles[0], dev_articles[1]
    others = [x for x in load_articles(TrainingArguments().seeds_path) if x.id not in {y.id for y in dev_articles}]
    new = [("new.jsonl:1", renamed(a)), ("new.jsonl:2", edited(b)), ("new.jsonl:3", others[0])]
    leaks, duplicates = find_overlaps(new, {"dev": dev_articles})
    assert [(m.new_id, m.other_id, m.split, m.kind) for m in leaks] == [
        ("new-" + a.id, a.id, "dev", "exact"),
        ("edited-" + b.id, b.id, "dev", "near"),
    ]
    assert 0.5 <= leaks[1].containment < 1.0 and not duplicates
    assert str(leaks[0]).startswith("new.jsonl:1: article 'new-") and "dev article" in str(leaks[0])


def test_duplicates_within_the_new_data_are_found(dev_articles):
    other = load_articles(TrainingArguments().seeds_path)[0]
    new = [("n.jsonl:1", other), ("n.jsonl:2", renamed(other, "again-"))]
    leaks, duplicates = find_overlaps(new, {"dev": []})
    assert not leaks and [(m.new_id, m.other_id, m.split) for m in duplicates] == [
        ("again-" + other.id, other.id, "new data")
    ]


def run_train(*args):
    return CliRunner().invoke(app, ["train", *map(str, args)])


@pytest.mark.integration
def test_renamed_dev_articles_are_refused_before_training(tiny_model_dir, dev_articles, tmp_path):
    new = tmp_path / "new.jsonl"
    save_articles(new, [renamed(a) for a in dev_articles[:5]])
    result = run_train("--from", tiny_model_dir, "--data", new, "--output-dir", tmp_path / "out")
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if "exact copy of dev article" in line]
    assert len(lines) == 5 and all(f"'new-{a.id}'" in result.stderr for a in dev_articles[:5])
    assert not (tmp_path / "out").exists()


@pytest.mark.integration
def test_bad_label_and_existing_output_are_refused(tiny_model_dir, tmp_path):
    data = load_articles(TrainingArguments().seeds_path)[0].to_dict()
    data["id"] = "fresh"
    target = data["targets"][0]
    data["sentences"][1]["stance"][target] = "maybe"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(data) + "\n")
    result = run_train("--from", tiny_model_dir, "--data", bad, "--output-dir", tmp_path / "out")
    assert result.exit_code == 2 and f"{bad}:1" in result.stderr and "sentences[1].stance" in result.stderr
    (tmp_path / "taken").mkdir()
    result = run_train("--from", tiny_model_dir, "--output-dir", tmp_path / "taken")
    assert result.exit_code == 2 and "--overwrite" in result.stderr


@pytest.mark.integration
def test_an_interrupted_run_leaves_the_previous_model_intact(tiny_model_dir, tmp_path, monkeypatch):
    import shutil

    import stancesum.training.run as run_module

    out = tmp_path / "model"
    shutil.copytree(tiny_model_dir, out)
    before = {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def fake_train(args, progress=True, skip=None):
        from stancesum.models.labeler import SentenceLabeler

        return {"labeler": SentenceLabeler.from_pretrained(tiny_model_dir), "schema": None}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(run_module, "train", fake_train)
    monkeypatch.setattr(run_module, "write_model_card", interrupted)
    args = TrainingArguments(output_dir=str(out), init_from=str(tiny_model_dir))
    with pytest.raises(KeyboardInterrupt):
        run_module.run_training(args, progress=False, score_test=False, overwrite=True)
    assert {p.name: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no half-written directory left behind


def test_retraining_verdict_reads_the_paired_intervals():
    from stancesum.training.model_card import retraining_verdict

    def split(before: float, after: float, interval: tuple[float, float]) -> dict:
        diff = [after - before, *interval]
        scores = {"stance_macro_f1": 0.5, "topic_accuracy": 0.5}
        return {
            "before": {**scores, "score": before},
            "after": {**scores, "score": after},
            "difference": {"stance_macro_f1": diff, "topic_accuracy": [0.0, -0.01, 0.01]},
            "articles": 10,
        }

    assert "better than" in retraining_verdict({"dev": split(0.5, 0.6, (0.02, 0.1))})
    assert "worse than" in retraining_verdict({"dev": split(0.6, 0.5, (-0.1, -0.02))})
    assert "no clear difference" in retraining_verdict({"dev": split(0.6, 0.59, (-0.05, 0.03))})
