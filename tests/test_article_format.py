import json

import pytest

from stancesum.models.article import Article, ArticleFormatError, Sentence
from stancesum.models.articles_io import load_articles, save_articles
from stancesum.models.schema import LabelSchema

TEXT = "NATO will not send troops. Weapons will flow."


def record(**overrides):
    data = {
        "id": "a1",
        "title": "T",
        "source": "S",
        "date": "2024-11-27",
        "url": None,
        "license": None,
        "text": TEXT,
        "targets": ["NATO troops in Ukraine"],
        "sentences": [
            {
                "start": 0,
                "end": 26,
                "text": "NATO will not send troops.",
                "topic": "military_defense",
                "stance": {"NATO troops in Ukraine": "against"},
            },
            {
                "start": 27,
                "end": 45,
                "text": "Weapons will flow.",
                "topic": "military_defense",
                "stance": {"NATO troops in Ukraine": "none"},
            },
        ],
        "summary": "No troops.",
    }
    data.update(overrides)
    return data


def write_lines(path, *records):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def test_round_trip(tmp_path):
    articles = load_articles(write_lines(tmp_path / "in.jsonl", record(), record(id="a2", sentences=[], targets=[])))
    assert articles[0].sentences[0] == Sentence(
        0, 26, "NATO will not send troops.", "military_defense", {"NATO troops in Ukraine": "against"}
    )
    assert not articles[1].is_segmented
    save_articles(tmp_path / "out.jsonl", articles)
    again = load_articles(tmp_path / "out.jsonl")
    assert [a.to_dict() for a in again] == [a.to_dict() for a in articles]
    assert again[0].to_dict() == record()


def test_unlabeled_minimal_article():
    article = Article.from_dict({"id": "x", "text": "Hello there."})
    assert article.title is None and article.targets == [] and article.sentences == []


@pytest.mark.parametrize(
    "change, field, fragment",
    [
        (
            {"sentences": [{"start": 0, "end": 26, "topic": "sport"}]},
            "sentences[0].topic",
            "unknown topic label 'sport'",
        ),
        ({"sentences": [{"start": 0, "end": 99}]}, "sentences[0].start", "out of range"),
        ({"sentences": [{"start": -1, "end": 5}]}, "sentences[0].start", "out of range"),
        ({"sentences": [{"start": 0, "end": 26}, {"start": 20, "end": 45}]}, "sentences[1].start", "overlaps"),
        (
            {"sentences": [{"start": 0, "end": 26, "stance": {"Brexit": "favor"}}]},
            "sentences[0].stance",
            "not in 'targets'",
        ),
        (
            {"sentences": [{"start": 0, "end": 26, "stance": {"NATO troops in Ukraine": "pro"}}]},
            "sentences[0].stance['NATO troops in Ukraine']",
            "'pro' is not one of favor/against/none",
        ),
        ({"sentences": [{"start": 0, "end": 26, "text": "NATO will"}]}, "sentences[0].text", "does not match"),
        ({"date": "27/11/2024"}, "date", "YYYY-MM-DD"),
        ({"targets": "Brexit"}, "targets", "list of non-empty strings"),
        ({"text": "   "}, "text", "empty"),
        ({"id": 7}, "id", "must be a string"),
        ({"titel": "NATO"}, "titel", "unknown field (did you mean 'title'?)"),
        ({"target": ["NATO troops in Ukraine"]}, "target", "did you mean 'targets'?"),
    ],
)
def test_validation_errors_name_file_line_and_field(tmp_path, change, field, fragment):
    path = write_lines(tmp_path / "bad.jsonl", record(id="ok"), record(**change))
    with pytest.raises(ArticleFormatError) as info:
        load_articles(path)
    err = info.value
    assert (err.path, err.line, err.field) == (str(path), 2, field)
    assert fragment in str(err) and str(err).startswith(f"{path}:2: field '{field}'")


def test_other_metadata_is_ignored(tmp_path):
    """An outlet's own fields (genre, provenance, ...) do not stop a file from being read."""
    path = write_lines(tmp_path / "meta.jsonl", record(genre="news", provenance={"batch": 3}, colour="red"))
    (article,) = load_articles(path)
    assert article.id == record()["id"] and "genre" not in article.to_dict()


def test_missing_text_field(tmp_path):
    data = record()
    del data["text"]
    with pytest.raises(ArticleFormatError, match=r":1: field 'text': missing required field"):
        load_articles(write_lines(tmp_path / "m.jsonl", data))


def test_bad_json_names_line(tmp_path):
    with pytest.raises(ArticleFormatError, match=r"bad\.jsonl:2: bad JSON"):
        load_articles(write_lines(tmp_path / "bad.jsonl", record(), '{"id": "x", '))


def test_duplicate_id(tmp_path):
    with pytest.raises(ArticleFormatError, match="duplicate id 'a1'"):
        load_articles(write_lines(tmp_path / "d.jsonl", record(), record()))


def test_every_bad_line_is_reported(tmp_path):
    path = write_lines(tmp_path / "two.jsonl", "{", record(), "[1]")
    with pytest.raises(ArticleFormatError) as info:
        load_articles(path)
    assert f"{path}:1:" in str(info.value) and f"{path}:3:" in str(info.value)


def test_bad_encoding_and_binary(tmp_path):
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(json.dumps(record()).encode().replace(b"NATO will", b"NATO \xe9ill"))
    with pytest.raises(ArticleFormatError, match=r"latin\.jsonl: is not UTF-8 text"):
        load_articles(latin)
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\x00\x01\x02PK")
    with pytest.raises(ArticleFormatError, match="binary file"):
        load_articles(binary)


def test_empty_file(tmp_path):
    with pytest.raises(ArticleFormatError, match="holds no articles"):
        load_articles(write_lines(tmp_path / "e.jsonl"))


def test_custom_schema_accepts_its_labels(tmp_path):
    schema = LabelSchema().with_topics(["sport"])
    path = write_lines(tmp_path / "s.jsonl", record(sentences=[{"start": 0, "end": 26, "topic": "sport"}]))
    assert load_articles(path, schema)[0].sentences[0].topic == "sport"


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "out.jsonl"
    save_articles(path, [Article.from_dict(record())])
    before = path.read_text()

    class Boom(Article):
        def to_dict(self):
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        save_articles(path, [Article.from_dict(record()), Boom(id="b", text="x")])
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["out.jsonl"]
