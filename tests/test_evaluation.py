import copy
import json

import pytest
from typer.testing import CliRunner

from stancesum.cli import app
from stancesum.evaluation.baselines import MajorityBaseline, lead_summary, with_labels
from stancesum.evaluation.harness import EvaluationResult, evaluate_gold
from stancesum.evaluation.report import render_markdown, write_report
from stancesum.evaluation.scoring import score_system
from stancesum.models.article import Article, Sentence
from stancesum.models.articles_io import save_articles
from stancesum.models.schema import LabelSchema

TEXT = "Send troops now. Do not send troops. Talks began. Prices rose."
SPANS = [(0, 16), (17, 36), (37, 49), (50, 62)]


def gold_article(
    aid: str, stances: list[str], topics: list[str], summary: str | None = "Troops debated. Talks began."
) -> Article:
    sentences = [
        Sentence(a, b, TEXT[a:b], t, {"troops": s}) for (a, b), s, t in zip(SPANS, stances, topics, strict=True)
    ]
    return Article(id=aid, text=TEXT, title="T", targets=["troops"], sentences=sentences, summary=summary)


GOLD = [
    gold_article("a", ["favor", "against", "none", "none"], ["military_defense"] * 3 + ["economy_business"]),
    gold_article(
        "b",
        ["favor", "favor", "none", "against"],
        ["military_defense", "military_defense", "diplomacy_foreign_affairs", "economy_business"],
    ),
]


def predicted(stances_per_article, topics_per_article, summary=None):
    return [
        with_labels(g, t, [{"troops": s} for s in st], summary)
        for g, st, t in zip(GOLD, stances_per_article, topics_per_article, strict=True)
    ]


def test_perfect_predictions_score_one():
    result = score_system(
        GOLD,
        predicted(
            [[s.stance["troops"] for s in g.sentences] for g in GOLD],
            [[s.topic for s in g.sentences] for g in GOLD],
            "Troops debated. Talks began.",
        ),
        LabelSchema(),
    )
    assert result["stance"]["macro_f1"] == 1.0 and result["stance"]["ci95"]["macro_f1"] == [1.0, 1.0]
    assert result["topic"]["accuracy"] == 1.0
    assert result["summary"]["rouge1"] == pytest.approx(1.0)


def test_hand_computed_stance_and_breakdowns():
    # gold: a = F A N N, b = F F N A; predicted all "favor".
    # favor: P = 3/8, R = 3/3 -> F1 = 2*3/(2*3+5+0) = 6/11; against and none: F1 0. macro = 2/11, F_avg = 3/11.
    pred = predicted([["favor"] * 4, ["favor"] * 4], [[s.topic for s in g.sentences] for g in GOLD])
    stance = score_system(GOLD, pred, LabelSchema())["stance"]
    assert stance["macro_f1"] == pytest.approx(2 / 11) and stance["f_avg"] == pytest.approx(3 / 11)
    assert stance["accuracy"] == pytest.approx(3 / 8)
    assert stance["per_article"]["a"]["gold"] == {"favor": 1, "against": 1, "none": 2}
    assert stance["per_article"]["b"]["predicted"] == {"favor": 4, "against": 0, "none": 0}
    assert stance["per_target"]["troops"]["n"] == 8
    low, high = stance["ci95"]["macro_f1"]
    assert low <= stance["macro_f1"] <= high


def test_misaligned_predictions_are_rejected():
    pred = copy.deepcopy(GOLD)
    pred[0].sentences = pred[0].sentences[:2]
    with pytest.raises(ValueError, match="differ from the gold sentences"):
        score_system(GOLD, pred, LabelSchema())
    with pytest.raises(ValueError, match="no prediction"):
        score_system(GOLD, pred[1:], LabelSchema())


def test_majority_baseline_and_lead():
    majority = MajorityBaseline(GOLD).predict(GOLD)
    assert {s.topic for a in majority for s in a.sentences} == {"military_defense"}
    assert {s.stance["troops"] for a in majority for s in a.sentences} in ({"favor"}, {"none"})
    assert lead_summary(GOLD[0]) == "Send troops now.\nDo not send troops.\nTalks began."


def test_report_files(tmp_path):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    save_articles(gold_path, GOLD)
    save_articles(
        pred_path,
        predicted([["favor", "against", "none", "favor"]] * 2, [["military_defense"] * 4] * 2, "Send troops now."),
    )
    result = evaluate_gold(gold_path, predictions_path=pred_path, split=None, baselines=False)
    assert isinstance(result, EvaluationResult) and result.metrics["gold"]["pairs"] == 8
    write_report(result, tmp_path / "out")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["metrics.json", "predictions.jsonl", "report.html", "report.md"]
    html = (tmp_path / "out" / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2 and "<table>" in html and "Stance per target" in html
    md = render_markdown(result.metrics)
    assert "| stance macro-F1 |" in md and "## Stance per article" in md
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["gold"]["sha256"] and metrics["versions"]["torch"]


def test_evaluate_command_with_predictions(tmp_path):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    save_articles(gold_path, GOLD)
    save_articles(pred_path, predicted([["favor"] * 4] * 2, [["other"] * 4] * 2))
    result = CliRunner().invoke(
        app,
        [
            "evaluate",
            "--gold",
            str(gold_path),
            "--predictions",
            str(pred_path),
            "--output-dir",
            str(tmp_path / "o"),
            "--no-baselines",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "stance macro-F1 | 0.182" in result.stdout
    bad = CliRunner().invoke(app, ["evaluate", "--gold", str(gold_path), "--output-dir", str(tmp_path / "o")])
    assert bad.exit_code == 2 and "exactly one of" in bad.stderr


def test_split_file_beside_the_gold_from_any_folder(tmp_path, monkeypatch):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    save_articles(gold_path, GOLD)
    save_articles(pred_path, predicted([["favor"] * 4] * 2, [["other"] * 4] * 2))
    (tmp_path / "splits.json").write_text(json.dumps({"mine": [GOLD[0].id]}), encoding="utf-8")
    monkeypatch.chdir(tmp_path.parent)  # not the repository, not the gold's folder
    base = ["evaluate", "--gold", str(gold_path), "--predictions", str(pred_path), "--no-baselines"]
    result = CliRunner().invoke(app, [*base, "--output-dir", str(tmp_path / "o"), "--split", "mine"])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "o" / "metrics.json").read_text())["gold"]["articles"] == 1
    bad = CliRunner().invoke(app, [*base, "--output-dir", str(tmp_path / "o2"), "--split", "dev"])
    assert bad.exit_code == 2 and "has no split 'dev'; it has mine" in bad.stderr


@pytest.mark.integration
def test_harness_with_model_and_baselines(tmp_path, tiny_model_dir):
    from conftest import REPO

    result = evaluate_gold(REPO / "seeds" / "articles.jsonl", model_dir=tiny_model_dir, split="dev", summarizer="lead")
    systems = result.metrics["systems"]
    assert set(systems) == {"system", "majority", "zero-shot", "lead-3"}
    assert 0 <= systems["zero-shot"]["stance"]["macro_f1"] <= 1 and systems["lead-3"]["summary"]["rouge1"] > 0.1
    assert systems["system"]["summary"]["rouge1"] > 0.1 and result.predictions[0].summary
    n_dev = len(json.loads((REPO / "seeds" / "splits.json").read_text())["dev"])
    assert result.metrics["gold"]["articles"] == n_dev and len(result.predictions) == n_dev


@pytest.mark.integration
def test_partially_labeled_gold_scores_what_it_labels(tmp_path, tiny_model_dir):
    stance_only = copy.deepcopy(GOLD[0])
    for s in stance_only.sentences:
        s.topic = None  # e.g. Emergent headlines in the article format: stance, no topic
    topic_only = copy.deepcopy(GOLD[1])
    topic_only.targets, topic_only.title = [], None
    for s in topic_only.sentences:
        s.stance = {}
    gold = tmp_path / "partial.jsonl"
    save_articles(gold, [stance_only])
    result = evaluate_gold(gold, model_dir=tiny_model_dir, summarizer=None, baselines=False)
    system = result.metrics["systems"]["system"]
    assert system["stance"]["n_pairs"] == 4 and system["topic"] == {}
    assert "stance macro-F1" in render_markdown(result.metrics)
    save_articles(gold, [topic_only])
    result = evaluate_gold(gold, model_dir=tiny_model_dir, summarizer=None)
    system = result.metrics["systems"]["system"]
    assert system["topic"]["n_sentences"] == 4 and system["stance"] == {}
    assert result.metrics["systems"]["zero-shot"]["topic"]["n_sentences"] == 4


def test_stance_benchmark_intervals_resample_whole_groups():
    from stancesum.evaluation.stance_benchmarks import _intervals

    gold = ["favor", "favor", "none", "none", "against", "against"]
    perfect = _intervals(gold, gold, ["a", "a", "b", "b", "c", "c"])
    assert perfect["accuracy_ci95"] == [1.0, 1.0] and perfect["macro_f1_present_ci95"] == [1.0, 1.0]
    # one group all right, one all wrong: resampling groups spreads accuracy from 0 to 1; one group per row narrower
    gold, pred = ["favor"] * 10 + ["none"] * 10, ["favor"] * 20
    by_group = _intervals(gold, pred, ["a"] * 10 + ["b"] * 10)["accuracy_ci95"]
    by_row = _intervals(gold, pred, [str(i) for i in range(20)])["accuracy_ci95"]
    assert by_group == [0.0, 1.0] and 0.2 < by_row[0] < 0.5 < by_row[1] < 0.8


def test_emergent_benchmark_reports_each_system_with_intervals_over_claims(tiny_model_dir, shared_data):
    from stancesum.evaluation.stance_benchmarks import format_stance_benchmark, run_stance_benchmark

    result = run_stance_benchmark("emergent", shared_data, tiny_model_dir, max_fit=200, precision="fp32")
    assert result["n"] == 405 and result["groups"] == 48
    for system in ("majority", "zero-shot", "model"):
        s = result["systems"][system]
        low, high = s["accuracy_ci95"]
        assert low <= s["accuracy"] <= high and high - low > 0.01
    text = format_stance_benchmark(result)
    assert "95% bootstrap over the split's 48 groups" in text and text.count("[") >= 6
