import numpy as np
import pytest

from stancesum.inference import Analyzer, ArticleAnalysis, NoTargetError
from stancesum.models.article import Article, Sentence

pytestmark = pytest.mark.integration  # uses spaCy's pipeline for splitting

TEXT = "NATO will not send troops to Ukraine. It will send weapons. Talks may start next year."


@pytest.fixture(scope="module")
def analyzer(tiny_model_dir):
    return Analyzer.from_pretrained(tiny_model_dir)


def test_typed_results_for_text(analyzer):
    result = analyzer.analyze(TEXT, targets=["NATO troops in Ukraine", "weapons for Ukraine"])
    assert isinstance(result, ArticleAnalysis)
    assert [s.text for s in result.sentences] == [
        "NATO will not send troops to Ukraine.",
        "It will send weapons.",
        "Talks may start next year.",
    ]
    for s in result.sentences:
        assert TEXT[s.start : s.end] == s.text
        assert s.topic == max(s.topic_scores, key=s.topic_scores.get) and len(s.topic_scores) == 12
        assert set(s.stance) == {"NATO troops in Ukraine", "weapons for Ukraine"}
        for pred in s.stance.values():
            assert pred.label == max(pred.scores, key=pred.scores.get)
            assert sum(pred.scores.values()) == pytest.approx(1, abs=1e-3)
    for target, summary in result.by_target.items():
        assert sum(summary.counts.values()) == 3
        assert len(summary.favor) == summary.counts["favor"] and len(summary.against) == summary.counts["against"]
        assert all(e.score == result.sentences[e.index].stance[target].scores["favor"] for e in summary.favor)
    assert result.summary == "\n".join(s.text for s in result.sentences)  # the default budget (3) holds them all


def test_summarizer_none_gives_no_summary(tiny_model_dir):
    assert Analyzer.from_pretrained(tiny_model_dir, summarizer=None).analyze(TEXT, targets=["x"]).summary == ""


def test_headline_is_the_default_target(analyzer):
    result = analyzer.analyze(TEXT, title="NATO rules out troops")
    assert result.targets == ["NATO rules out troops"]
    with pytest.raises(NoTargetError, match="pass --target"):
        analyzer.analyze(TEXT)


def test_gold_segmentation_and_article_targets_are_kept(analyzer):
    article = Article(id="g", text=TEXT, targets=["NATO troops in Ukraine"], sentences=[Sentence(0, 37, TEXT[:37])])
    result = analyzer.analyze(article)
    assert len(result.sentences) == 1 and result.targets == ["NATO troops in Ukraine"]
    back = result.to_article()
    assert back.text == TEXT and back.sentences[0].stance["NATO troops in Ukraine"] in ("favor", "against", "none")


def test_many_articles_in_shared_batches_match_one_by_one(analyzer):
    articles = [Article(id=str(i), text=t) for i, t in enumerate([TEXT, "Prices rose. Jobs fell.", "Storm hits."])]
    together = analyzer.analyze_many(articles, targets=["x"])
    alone = [analyzer.analyze(a, targets=["x"]) for a in articles]
    for a, b in zip(together, alone, strict=True):
        assert [s.text for s in a.sentences] == [s.text for s in b.sentences]
        for sa, sb in zip(a.sentences, b.sentences, strict=True):
            for label, p in sa.topic_scores.items():
                assert p == pytest.approx(sb.topic_scores[label], abs=1e-3)


def test_stance_context_is_read_only_by_a_model_trained_with_it(tmp_path):
    from conftest import tiny_labeler

    from stancesum.models.labeler import SentenceLabeler, stance_contexts

    model = tiny_labeler()
    model.config.stance_context = "previous"
    model.save_pretrained(tmp_path / "m")
    result = Analyzer.from_pretrained(tmp_path / "m", precision="fp32", summarizer=None).analyze(
        TEXT, title="NATO rules out troops", targets=["x"]
    )
    texts = [s.text for s in result.sentences]
    labeler = SentenceLabeler.from_pretrained(tmp_path / "m")
    expected = labeler.predict_stances(["x"] * 3, texts, contexts=stance_contexts(texts, "NATO rules out troops"))
    plain = labeler.predict_stances(["x"] * 3, texts)
    got = np.array([[s.stance["x"].scores[k] for k in labeler.schema.stances] for s in result.sentences])
    assert np.abs(got - expected).max() < 1e-4 and np.abs(expected - plain).max() > 1e-4
