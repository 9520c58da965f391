import pytest

from stancesum.models.segmentation import SegmentationError, SentenceSplitter

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def splitter():
    return SentenceSplitter()


def texts(splitter, text):
    sentences = splitter.split(text)
    for s in sentences:
        assert text[s.start : s.end] == s.text and s.text == s.text.strip()
    return [s.text for s in sentences]


def test_abbreviations_and_amounts(splitter):
    text = (
        "Mr. Smith went to Washington D.C. on Monday. The U.S. economy grew by $2.5 bn. in the third quarter, "
        "officials said. Dr. Jones of St. Mary's Hospital disagreed."
    )
    assert texts(splitter, text) == [
        "Mr. Smith went to Washington D.C. on Monday.",
        "The U.S. economy grew by $2.5 bn. in the third quarter, officials said.",
        "Dr. Jones of St. Mary's Hospital disagreed.",
    ]


def test_quotations_stay_with_their_sentence(splitter):
    text = "He said: “Trump is right” to do so. Rutte explained, “We will get Putin to the table.” Then he left."
    assert texts(splitter, text) == [
        "He said: “Trump is right” to do so.",
        "Rutte explained, “We will get Putin to the table.”",
        "Then he left.",
    ]


def test_bylines_list_items_and_lines_are_units(splitter):
    text = "NATO chief speaks\n\nBy Tamilla Hasanova\n- First item\n- Second item.\n  * Third item  \n\nIt ended."
    assert texts(splitter, text) == [
        "NATO chief speaks",
        "By Tamilla Hasanova",
        "- First item",
        "- Second item.",
        "* Third item",
        "It ended.",
    ]


def test_no_boundary_inside_a_token(splitter):
    assert texts(splitter, "He spoke to reporters, per Caliber.Az. Then he left.") == [
        "He spoke to reporters, per Caliber.Az.",
        "Then he left.",
    ]


def test_offsets_survive_leading_whitespace_and_crlf(splitter):
    text = "   First one.  Second one!\r\n\r\nThird?  "
    sentences = splitter.split(text)
    assert [(s.start, s.end) for s in sentences] == [(3, 13), (15, 26), (30, 36)]


def test_split_many_matches_split(splitter):
    a, b = "One. Two.", "Three here. Four there."
    assert splitter.split_many([a, b]) == [splitter.split(a), splitter.split(b)]


def test_long_text_without_punctuation_is_an_error(splitter):
    with pytest.raises(SegmentationError, match="no sentence punctuation"):
        splitter.split("word " * 200)
    assert texts(splitter, "Trump wins") == ["Trump wins"]
