import pytest

from stancesum.models.schema import DEFAULT_TOPICS, STANCE_LABELS, LabelSchema


def test_default_schema_has_twelve_described_topics():
    schema = LabelSchema()
    assert len(schema.topics) == 12 and all(schema.topics.values())
    assert schema.topic_labels[0] == "military_defense" and schema.topic_labels[-1] == "other"
    assert schema.stances == STANCE_LABELS == ("favor", "against", "none")


def test_save_load_round_trip(tmp_path):
    schema = LabelSchema().with_topics(["sport_results"])
    schema.save(tmp_path)
    loaded = LabelSchema.load(tmp_path)
    assert loaded == schema and loaded.topic_labels[-1] == "sport_results"
    assert LabelSchema().with_topics(list(DEFAULT_TOPICS)) == LabelSchema()


def test_invalid_schemas_rejected():
    with pytest.raises(ValueError, match="at least one topic"):
        LabelSchema(topics={})
    with pytest.raises(ValueError, match="stance labels"):
        LabelSchema(stances=("pro", "con"))
