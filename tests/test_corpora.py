"""Readers of the public corpora: tiny synthetic files in each corpus's real layout, plus integration tests
(marked) that read the real data in ../shared/data and skip when it is absent."""

from __future__ import annotations

import csv
import json
import time
from collections import Counter
from pathlib import Path

import pytest

from stancesum.training.corpora import (
    STANCE_CORPORA,
    SUMMARY_CORPORA,
    TOPIC_CORPORA,
    UNLABELED,
    CorpusError,
    StanceExample,
    TopicExample,
    babe_stance,
    babe_topics,
    basil,
    bbc_summary,
    bbc_topics,
    emergent,
    fnc1,
    ibm_claim_stance,
    perspectrum,
    split_by_topic,
    split_label_counts,
    vast,
    xsum_val,
)
from stancesum.training.corpora.bbc_news_summary import match_extract
from stancesum.training.corpora.fnc1 import best_sentences
from stancesum.training.corpora.types import assign_splits, read_text, split_sentences
from stancesum.training.corpora.vast import natural_topic


def write_csv(path: Path, header: list[str], rows: list[list], delimiter: str = ",", bom: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)


def write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def groups_in_one_split(examples: list[StanceExample]) -> bool:
    splits: dict[str, set[str]] = {}
    for e in examples:
        splits.setdefault(e.group, set()).add(e.split)
    return all(len(s) == 1 for s in splits.values())


# ---- shared helpers ---------------------------------------------------------------------------------------


def test_example_types_validate_labels_and_splits():
    with pytest.raises(ValueError, match="label"):
        StanceExample("t", "x", "pro", "s", "g", "train")
    with pytest.raises(ValueError, match="split"):
        StanceExample("t", "x", "favor", "s", "g", "validation")
    with pytest.raises(ValueError, match="topic"):
        TopicExample("x", "politics", "s", "train")


def test_assign_splits_is_deterministic_and_exact():
    keys = [f"k{i}" for i in range(100)]
    a = assign_splits(keys, salt="x", dev=0.1, test=0.1)
    assert a == assign_splits(list(reversed(keys)), salt="x", dev=0.1, test=0.1)
    assert Counter(a.values()) == {"train": 80, "dev": 10, "test": 10}
    assert a != assign_splits(keys, salt="y", dev=0.1, test=0.1)


def test_split_sentences():
    text = 'Mr. Smith went to the U.S. on Monday. "It works!" he said. Prices rose 2.5%.\nA new line'
    assert split_sentences(text) == [
        "Mr. Smith went to the U.S. on Monday.",
        '"It works!" he said.',
        "Prices rose 2.5%.",
        "A new line",
    ]
    assert split_sentences('"It works!" said he.', guarded=False) == ['"It works!"', "said he."]


def test_read_text_falls_back_to_cp1252_with_a_warning_naming_the_file(tmp_path):
    path = tmp_path / "odd.txt"
    path.write_bytes("costs \xa35".encode("cp1252"))
    with pytest.warns(UserWarning, match="odd.txt"):
        assert read_text(path) == "costs £5"


def test_missing_corpus_and_bad_columns_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="emergent_train.csv"):
        emergent(tmp_path)
    write_csv(tmp_path / "emergent" / "emergent_train.csv", ["id", "claimHeadline"], [[0, "c"]])
    with pytest.raises(CorpusError, match="emergent_train.csv.*missing column"):
        emergent(tmp_path)


def test_registries_name_the_loaders():
    assert set(STANCE_CORPORA) == {
        "emergent",
        "perspectrum",
        "ibm_claim_stance",
        "vast",
        "vast_by_topic",
        "basil",
        "fnc1",
        "babe_stance",
    }
    assert set(TOPIC_CORPORA) == {"babe_topics", "bbc_topics"}
    assert set(SUMMARY_CORPORA) == {"bbc_summary", "xsum_val"}


# ---- stance corpora ---------------------------------------------------------------------------------------


def test_emergent(tmp_path):
    rows = [
        [i, f"claim {i // 2}", f"headline {i}", ["for", "against", "observing"][i % 3], f"a{i}", f"c{i // 2}"]
        for i in range(20)
    ]
    write_csv(
        tmp_path / "emergent" / "emergent_train.csv",
        ["id", "claimHeadline", "articleHeadline", "articleHeadlineStance", "articleId", "claimId"],
        rows,
    )
    out = emergent(tmp_path)
    assert [e.label for e in out[:3]] == ["favor", "against", "none"]
    assert (out[0].target, out[0].text, out[0].group, out[0].source) == ("claim 0", "headline 0", "c0", "emergent")
    assert groups_in_one_split(out)
    assert Counter(e.split for e in {e.group: e for e in out}.values()) == {"train": 8, "dev": 2}
    assert out == emergent(tmp_path)


def test_perspectrum(tmp_path):
    root = tmp_path / "perspectrum"
    write_json(
        root / "perspectrum_with_answers_v1.0.json",
        [
            {
                "cId": 1,
                "text": "Claim one ",
                "source": "x",
                "topics": [],
                "perspectives": [
                    {
                        "pids": [10, 11, 11],
                        "stance_label_3": "SUPPORT",
                        "stance_label_5": "SUPPORT",
                        "voter_counts": [],
                        "evidence": [],
                    },
                    {
                        "pids": [12],
                        "stance_label_3": "undermine",
                        "stance_label_5": "UNDERMINE",
                        "voter_counts": [],
                        "evidence": [],
                    },
                    {
                        "pids": [13],
                        "stance_label_3": "not-a-perspective",
                        "stance_label_5": "x",
                        "voter_counts": [],
                        "evidence": [],
                    },
                ],
            },
            {
                "cId": 2,
                "text": "Claim two",
                "source": "x",
                "topics": [],
                "perspectives": [
                    {
                        "pids": [10],
                        "stance_label_3": "UNDERMINE",
                        "stance_label_5": "UNDERMINE",
                        "voter_counts": [],
                        "evidence": [],
                    }
                ],
            },
        ],
    )
    write_json(
        root / "perspective_pool_v1.0.json",
        [{"pId": i, "text": f"perspective {i}", "source": "x"} for i in range(10, 14)],
    )
    write_json(root / "dataset_split_v1.0.json", {"1": "train", "2": "test"})
    out = perspectrum(tmp_path)
    assert [(e.target, e.text, e.label, e.split, e.group) for e in out] == [
        ("Claim one", "perspective 10", "favor", "train", "1"),
        ("Claim one", "perspective 11", "favor", "train", "1"),
        ("Claim one", "perspective 12", "against", "train", "1"),
        ("Claim two", "perspective 10", "against", "test", "2"),
    ]


IBM_HEADER = [
    "topicId",
    "split",
    "topicText",
    "topicTarget",
    "topicSentiment",
    "claims.claimId",
    "claims.stance",
    "claims.claimCorrectedText",
    "claims.claimOriginalText",
]


def test_ibm_claim_stance_orients_stance_by_topic_sentiment(tmp_path):
    write_csv(
        tmp_path / "ibm_claim_stance" / "claim_stance_dataset_v1.repaired.csv",
        IBM_HEADER,
        [
            [1, "train", "This house would ban boxing", "boxing", -1, 1, "PRO", "Boxing causes brain damage", "x"],
            [1, "train", "This house would ban boxing", "boxing", -1, 2, "CON", "Boxing teaches discipline", "x"],
            [2, "test", "This house supports nuclear energy", "nuclear energy", 1, 3, "PRO", "It is clean", "x"],
        ],
    )
    motion = ibm_claim_stance(tmp_path)
    assert [(e.target, e.label, e.split, e.group) for e in motion] == [
        ("This house would ban boxing", "favor", "train", "1"),
        ("This house would ban boxing", "against", "train", "1"),
        ("This house supports nuclear energy", "favor", "test", "2"),
    ]
    assert [(e.target, e.label) for e in ibm_claim_stance(tmp_path, target="topic_target")] == [
        ("boxing", "against"),
        ("boxing", "favor"),
        ("nuclear energy", "favor"),
    ]


def test_vast(tmp_path):
    header = ["Tweet", "Target 1", "Stance 1", "seen?", "GT Target", "new_topic", "Wiki"]
    rows = [
        [f"comment {i}", f"topic {i % 10}", ["FAVOR", "AGAINST", "NONE"][i % 3], 1, "invalid", f"topic {i % 10}", ""]
        for i in range(30)
    ]
    rows.append(["a comment", "place table", "AGAINST", 0, "invalid", "a place at the table", ""])
    rows.append(["b comment", "library", "NONE", 0, "invalid", "greece's approach to its financial crisis", ""])
    write_csv(tmp_path / "vast" / "zerostance_vast_raw_val_all_onecol.csv", header, rows)
    out = vast(tmp_path)
    assert {e.split for e in out} == {"dev"} and len(out) == 32
    assert [e.label for e in out[:3]] == ["favor", "against", "none"]
    assert (out[-2].target, out[-2].group) == ("a place at the table", "place table")
    assert out[-1].target == "library"
    resplit = split_by_topic(out)
    assert resplit == split_by_topic(out) and groups_in_one_split(resplit)
    assert Counter(e.split for e in {e.group: e for e in resplit}.values()) == {"train": 8, "dev": 4}


def test_natural_topic():
    assert (
        natural_topic("protect child child abuse", "protect children from child abuse")
        == "protect children from child abuse"
    )
    assert natural_topic("walmart", "wal-mart") == "wal-mart"
    assert natural_topic("salt", "current privacy rules") == "salt"


def write_basil(
    tmp_path: Path,
    triplet: str,
    n: int,
    title: str,
    paragraphs: list[list[str]],
    spans: list[dict],
    entities: list[str],
    uuid: str = "u",
) -> None:
    write_json(
        tmp_path / "basil" / "articles" / "2019" / f"{triplet}_{n}.json",
        {
            "source": "fox",
            "main-entities": entities,
            "main-event": "e",
            "title": title,
            "url": "",
            "date": "2019-01-01",
            "uuid": uuid,
            "triplet-uuid": triplet,
            "body-paragraphs": paragraphs,
        },
    )
    write_json(
        tmp_path / "basil" / "annotations" / "resolved" / "2019" / f"{triplet}_{n}_ann.json",
        {"triplet-uuid": triplet, "uuid": uuid, "article-level-annotations": {}, "phrase-level-annotations": spans},
    )


def span(sid: str, txt: str, target: str, polarity: str, aim: str = "dir") -> dict:
    return {
        "txt": txt,
        "id": sid,
        "start": 0,
        "end": len(txt),
        "target": target,
        "polarity": polarity,
        "aim": aim,
        "indirect-target-name": "",
        "indirect-ally-opponent-sentiment": "",
        "bias": "inf",
        "quote": "no",
        "speaker": "",
        "notes": "",
    }


def test_basil(tmp_path):
    paragraphs = [
        ["Donald Trump praised the deal.", "Critics said Trump lied again."],
        ["The weather was fine.", "Trump spoke in Ohio."],
        ["His allies in Congress failed.", "Trump won and lost."],
    ]
    spans = [
        span("title", "Trump triumphs", "Donald_Trump", "pos"),
        span("p1", "lied again", "Donald_Trump", "neg"),
        span("p1_1", "Critics said", "Trump", "neg"),  # one-word name folds into the article's person
        span("p4", "failed", "Donald_Trump", "neg", aim="ind_pro"),
        span("p5", "won", "Donald_Trump", "pos"),
        span("p5_1", "lost", "Donald_Trump", "neg"),
    ]
    write_basil(tmp_path, "t1", 1, "Trump triumphs in Ohio", paragraphs, spans, ["Donald Trump"], uuid="empty")
    out = basil(tmp_path)
    got = [(e.text, e.target, e.label) for e in out]
    assert got == [
        ("Trump triumphs in Ohio", "Donald Trump", "favor"),
        ("Donald Trump praised the deal.", "Donald Trump", "none"),
        ("Critics said Trump lied again.", "Donald Trump", "against"),
        ("Trump spoke in Ohio.", "Donald Trump", "none"),
    ]
    assert {(e.group, e.source) for e in out} == {("t1", "basil")}
    indirect = basil(tmp_path, include_indirect=True)
    assert ("His allies in Congress failed.", "Donald Trump", "against") in [
        (e.text, e.target, e.label) for e in indirect
    ]


def test_basil_splits_by_triplet_and_rejects_misplaced_spans(tmp_path):
    for t in range(10):
        for n in (1, 2, 3):
            write_basil(
                tmp_path,
                f"t{t}",
                n,
                "Pelosi speaks",
                [["Nancy Pelosi spoke."]],
                [span("p0", "spoke", "Nancy_Pelosi", "neg")],
                ["Nancy Pelosi"],
            )
    out = basil(tmp_path)
    assert groups_in_one_split(out) and Counter(e.split for e in out) == {"train": 48, "dev": 6, "test": 6}
    write_basil(tmp_path, "t0", 1, "x", [["Nancy Pelosi spoke."]], [span("p3", "spoke", "Nancy_Pelosi", "neg")], [])
    with pytest.raises(CorpusError, match="t0_1_ann.json.*p3"):
        basil(tmp_path)


def write_fnc1(tmp_path: Path, bodies: dict[int, str], stances: list[tuple[str, int, str]]) -> None:
    write_csv(tmp_path / "fnc1" / "train_bodies.csv", ["Body ID", "articleBody"], [[k, v] for k, v in bodies.items()])
    write_csv(
        tmp_path / "fnc1" / "train_stances_reconstructed.csv",
        ["Headline", "Body ID", "Stance"],
        [list(s) for s in stances],
    )


def test_fnc1_picks_the_body_sentence_closest_to_the_headline(tmp_path):
    bodies = {
        1: "The weather was cold on Monday. Police confirmed that a giant spider bit the tourist in Bali. More soon.",
        2: "Experts deny the spider story entirely. A giant spider did not bite any tourist in Bali, they said.",
        3: "Markets fell sharply today in Tokyo and in London after the report.",
    }
    write_fnc1(
        tmp_path,
        bodies,
        [
            ("Giant spider bit tourist in Bali", 1, "agree"),
            ("Giant spider bit tourist in Bali", 2, "disagree"),
            ("Giant spider bit tourist in Bali", 2, "disagree"),  # duplicate row
            ("Giant spider bit tourist in Bali", 3, "unrelated"),
            ("Spider bites tourist in Bali", 1, "discuss"),
        ],
    )
    out = fnc1(tmp_path)
    assert [(e.label, e.text, e.group) for e in out] == [
        ("favor", "Police confirmed that a giant spider bit the tourist in Bali.", "1"),
        ("against", "A giant spider did not bite any tourist in Bali, they said.", "2"),
        ("none", "Police confirmed that a giant spider bit the tourist in Bali.", "1"),
    ]
    assert [e.target for e in out] == ["Giant spider bit tourist in Bali"] * 2 + ["Spider bites tourist in Bali"]
    assert groups_in_one_split(out)


def test_fnc1_is_bounded(tmp_path):
    bodies = {i: f"Officials confirmed the claim number {i} today in the capital city." for i in range(40)}
    stances = [
        (f"Claim number {i} confirmed", i, ["agree", "disagree", "discuss", "unrelated"][i % 4]) for i in range(40)
    ]
    write_fnc1(tmp_path, bodies, stances)
    out = fnc1(tmp_path, max_pairs=12, none_fraction=0.25)
    assert len(out) == 12
    labels = Counter(e.label for e in out)
    assert labels["against"] == 9 and labels["none"] == 3 and labels["favor"] == 0
    assert out == fnc1(tmp_path, max_pairs=12, none_fraction=0.25)


def test_best_sentences():
    sentences = ["Nothing here at all.", "The spider bit him.", "A giant spider bit a tourist."]
    assert best_sentences("Giant spider bites tourist", sentences, top_k=1) == ["A giant spider bit a tourist."]
    assert best_sentences("Giant spider bites tourist", sentences, top_k=2) == sentences[1:]
    assert best_sentences("Giant spider bites tourist", sentences, min_overlap=0.9) == []


# ---- topic and summary corpora ----------------------------------------------------------------------------


def test_babe_topics(tmp_path):
    header = ["text", "news_link", "outlet", "topic", "type", "label_bias", "label_opinion", "biased_words"]
    write_csv(
        tmp_path / "babe" / "final_labels_SG2.csv",
        header,
        [
            ["Emissions rose again.", "l1", "o", "environment", "left", "", "", "[]"],
            ["Gun sales rose.", "l2", "o", "gun-control", "left", "", "", "[]"],
            ["The Senate voted.", "l3", "o", "elections-2020", "left", "", "", "[]"],
        ],
        delimiter=";",
        bom=True,
    )
    write_csv(
        tmp_path / "babe" / "final_labels_SG1.csv",
        header,
        [
            ["Emissions rose again.", "l1", "o", "environment", "left", "", "", "[]"],
            ["A vaccine was approved.", "l4", "o", "vaccines", "left", "", "", "[]"],
        ],
        delimiter=";",
        bom=True,
    )
    out = babe_topics(tmp_path)
    assert [(e.text, e.topic) for e in out] == [
        ("Emissions rose again.", "environment_energy"),
        ("The Senate voted.", "domestic_politics"),
        ("A vaccine was approved.", "health_medicine"),
    ]
    pairs = babe_stance(tmp_path)
    assert [(e.target, e.text, e.label) for e in pairs] == [
        ("stronger action against climate change", "Emissions rose again.", UNLABELED),
        ("stricter gun control laws", "Gun sales rose.", UNLABELED),
        ("vaccination", "A vaccine was approved.", UNLABELED),
    ]  # the 2020 elections name no position, so that sentence has no pair
    with pytest.raises(ValueError, match="label must be one of"):  # only a teacher-labeled source may be unlabeled
        StanceExample("t", "x", UNLABELED, "emergent", "g", "train")


def write_bbc(
    tmp_path: Path, category: str, number: str, title: str, body: str, extract: str, encoding: str = "utf-8"
) -> None:
    for folder, text in (("articles", f"{title}\n\n{body}\n"), ("summaries", extract)):
        path = tmp_path / "bbc_news_summary" / folder / category / f"{number}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))


def test_bbc_summary_matches_the_extract_to_article_sentences(tmp_path):
    body = 'Profits rose 5% to $1.1bn.\n\nThe firm said so. "It was great!" said the boss. Shares fell.'
    write_bbc(tmp_path, "business", "001", "Profits up", body, 'Shares fell.Profits rose 5% to $1.1bn."It was great!"')
    (doc,) = bbc_summary(tmp_path)
    assert doc.id == "business/001" and doc.title == "Profits up"
    assert doc.sentences == [
        "Profits rose 5% to $1.1bn.",
        "The firm said so.",
        '"It was great!"',
        "said the boss.",
        "Shares fell.",
    ]
    assert doc.reference == 'Shares fell. Profits rose 5% to $1.1bn. "It was great!"'
    assert doc.reference_sentence_ids == [0, 2, 4]


def test_match_extract_keeps_unmatched_text():
    assert match_extract("A b c.Unknown text here.C d.", ["A b c.", "C d.", "c."]) == (
        ["A b c.", "Unknown text here.", "C d."],
        [0, 1],
    )


def test_bbc_topics_maps_caps_and_reads_cp1252(tmp_path):
    for i in range(6):
        write_bbc(
            tmp_path,
            "sport",
            f"{i:03d}",
            f"Team wins the cup number {i}",
            "The final score was three to one. Fans celebrated in the streets all night long.",
            "x",
        )
    write_bbc(
        tmp_path,
        "tech",
        "001",
        "New phone costs \xa3500 in the shops",
        "It is fast. The battery lasts for two days now.",
        "x",
        encoding="cp1252",
    )
    with pytest.warns(UserWarning, match="tech/001.txt"):
        out = bbc_topics(tmp_path, max_per_label=10)
    counts = Counter(e.topic for e in out)
    assert counts == {"culture_sports": 10, "science_technology": 2}
    assert "New phone costs £500 in the shops" in [e.text for e in out]
    assert "It is fast." not in [e.text for e in out]  # under min_words


def test_bbc_topic_and_summary_splits_agree(tmp_path):
    for i in range(30):
        write_bbc(
            tmp_path,
            "politics",
            f"{i:03d}",
            f"Minister number {i} resigns today",
            "He left the cabinet on Monday.",
            "x",
        )
    docs = {d.id: d.split for d in bbc_summary(tmp_path)}
    assert Counter(docs.values()) == {"train": 24, "dev": 3, "test": 3}
    topics = bbc_topics(tmp_path)
    assert {e.split for e in topics if e.text == "Minister number 7 resigns today"} == {docs["politics/007"]}


def test_xsum_val(tmp_path):
    path = tmp_path / "xsum_val" / "xsum_validation_1000.jsonl"
    path.parent.mkdir(parents=True)
    path.write_text(
        json.dumps({"id": "1", "document": "First line.\nSecond line. Third.", "summary": "One line. "})
        + "\n"
        + json.dumps({"id": "2", "document": "", "summary": "Empty."})
        + "\n",
        encoding="utf-8",
    )
    (doc,) = xsum_val(tmp_path)
    assert (doc.id, doc.title, doc.sentences, doc.reference, doc.reference_sentence_ids, doc.split) == (
        "1",
        None,
        ["First line.", "Second line.", "Third."],
        "One line.",
        None,
        "test",
    )


# ---- the real data ----------------------------------------------------------------------------------------


def timed(loader, data_dir: Path):
    start = time.perf_counter()
    out = loader(data_dir)
    assert time.perf_counter() - start < 10, f"{loader.__name__} took over 10 s"
    return out


@pytest.mark.integration
def test_real_stance_corpora(shared_data):
    counts = {name: split_label_counts(timed(loader, shared_data)) for name, loader in STANCE_CORPORA.items()}
    assert sum(sum(c.values()) for c in counts["emergent"].values()) == 2071
    assert counts["emergent"]["dev"] == {"against": 84, "favor": 183, "none": 138}  # 48 of the 240 claims
    assert {s: sum(c.values()) for s, c in counts["perspectrum"].items()} == {"train": 6963, "dev": 2070, "test": 2772}
    assert counts["ibm_claim_stance"] == {
        "train": {"against": 414, "favor": 621},
        "test": {"against": 653, "favor": 698},
    }
    assert counts["vast"] == {"dev": {"against": 684, "favor": 681, "none": 697}}
    assert set(counts["vast_by_topic"]) == {"train", "dev"}
    assert sum(sum(c.values()) for c in counts["basil"].values()) == 5112
    assert sum(sum(c.values()) for c in counts["fnc1"].values()) <= 6000
    unlabeled = counts.pop("babe_stance")
    assert unlabeled == {"train": {"unlabeled": 2318}, "dev": {"unlabeled": 290}, "test": {"unlabeled": 286}}
    assert all(set(c) <= {"favor", "against", "none"} for name in counts for c in counts[name].values())


@pytest.mark.integration
def test_real_ibm_topic_target_flips_negative_motions(shared_data):
    motion, target = ibm_claim_stance(shared_data), ibm_claim_stance(shared_data, target="topic_target")
    flipped = sum(a.label != b.label for a, b in zip(motion, target, strict=True))
    assert flipped == 880  # the rows whose topicSentiment is -1


@pytest.mark.integration
def test_real_topic_and_summary_corpora(shared_data):
    with pytest.warns(UserWarning, match="sport/199.txt"):
        bbc = timed(bbc_topics, shared_data)
    assert Counter(e.topic for e in bbc) == {
        t: 1500 for t in ("culture_sports", "domestic_politics", "economy_business", "science_technology")
    }
    babe = timed(babe_topics, shared_data)
    assert len(babe) == 2669
    with pytest.warns(UserWarning, match="sport/199.txt"):
        docs = timed(bbc_summary, shared_data)
    assert len(docs) == 2225 and Counter(d.split for d in docs) == {"train": 1781, "dev": 222, "test": 222}
    assert sum(bool(d.reference_sentence_ids) for d in docs) == 2225
    xsum = timed(xsum_val, shared_data)
    assert len(xsum) == 999 and {d.split for d in xsum} == {"test"}
