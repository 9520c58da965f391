"""The review loop through Label Studio's own formats: prelabel -> export (tasks + labeling config, checked with
label-studio-sdk's LabelInterface) -> a Label Studio export of the reviewed tasks -> import -> train on it."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stancesum.cli import app

pytestmark = pytest.mark.integration
TEXTS = [
    "Ministers back wind farms\n\nThe energy minister said new wind farms will cut bills. Critics said the turbines "
    "spoil the coast. The vote is scheduled for Tuesday.\n",
    "Council weighs bus fares\n\nThe council proposed free buses for pupils. The opposition called the plan "
    "unaffordable. A decision is expected in May.\n",
]


def run(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def label_studio_export(tasks: list[dict], change: dict[int, tuple[str, str]]) -> list[dict]:
    """What Label Studio exports after a reviewer accepted each prediction (with the changes `change` made:
    task index -> (control name, new choice)): tasks with ids and submitted annotations."""
    out = []
    for n, task in enumerate(tasks):
        result = json.loads(json.dumps(task["predictions"][0]["result"]))
        for r in result:
            r.pop("score", None)
            r["id"] = f"r{n}-{r['from_name']}"
            if n in change and r["from_name"] == change[n][0]:
                r["value"]["choices"] = [change[n][1]]
        annotation = {"id": 100 + n, "completed_by": 1, "was_cancelled": False, "result": result, "lead_time": 3.2}
        out.append({"id": n + 1, "data": task["data"], "annotations": [annotation], "predictions": task["predictions"]})
    return out


def test_prelabel_export_import_round_trip_loses_nothing(tiny_model_dir, tmp_path):
    from label_studio_sdk.label_interface import LabelInterface

    from stancesum.models.articles_io import load_articles

    for k, text in enumerate(TEXTS):
        (tmp_path / f"a{k}.txt").write_text(text, encoding="utf-8")
    pre = tmp_path / "pre.jsonl"
    result = run(
        "prelabel",
        tmp_path / "a0.txt",
        tmp_path / "a1.txt",
        "--model",
        tiny_model_dir,
        "-o",
        pre,
        "-t",
        "wind farms",
        "-t",
        "free buses for pupils",
    )
    assert result.exit_code == 0, result.output
    prelabeled = load_articles(pre)
    assert all(
        a.annotation["reviewed"] is False and len(a.annotation["prelabel"]["confidence"]) == len(a.sentences)
        for a in prelabeled
    )
    from stancesum.inference.analyzer import resolve_precision

    assert all(f", {resolve_precision('auto')})" in a.annotation["by"] for a in prelabeled)  # what ran, not "auto"
    tasks_path = tmp_path / "tasks.json"
    result = run("export", pre, "--format", "label-studio", "-o", tasks_path)
    assert result.exit_code == 0, result.output
    tasks = json.loads(tasks_path.read_text())
    interface = LabelInterface((tmp_path / "tasks.xml").read_text())
    interface.validate()  # the labeling config is valid for Label Studio
    assert len(tasks) == sum(len(a.sentences) for a in prelabeled)
    for task in tasks:
        assert interface.validate_task({"data": task["data"]})  # (the SDK checks predictions separately, below)
        assert interface.validate_prediction(task["predictions"][0], return_errors=True) == []
    export = label_studio_export(tasks, {0: ("topic", "environment_energy"), 1: ("stance_2", "against")})
    for task in export:
        assert interface.validate_annotation(task["annotations"][0])
    export_path = tmp_path / "project-export.json"
    export_path.write_text(json.dumps(export))
    reviewed_path = tmp_path / "reviewed.jsonl"
    result = run("import", export_path, "--format", "label-studio", "-o", reviewed_path)
    assert result.exit_code == 0, result.output
    reviewed = {a.id: a for a in load_articles(reviewed_path)}
    for a in prelabeled:
        b = reviewed[a.id]
        assert (b.text, b.title, b.targets) == (a.text, a.title, a.targets) and b.annotation["reviewed"] is True
        assert [(s.start, s.end) for s in b.sentences] == [(s.start, s.end) for s in a.sentences]
    first = prelabeled[0]
    assert reviewed[first.id].sentences[0].topic == "environment_energy"
    assert reviewed[first.id].sentences[1].stance["free buses for pupils"] == "against"
    unchanged = [(s.topic, s.stance) for s in reviewed[prelabeled[1].id].sentences]
    assert unchanged == [(s.topic, s.stance) for s in prelabeled[1].sentences]
    # ...and the loop closes: retraining on the reviewed articles
    out = tmp_path / "retrained"
    result = run(
        "train",
        "--from",
        tiny_model_dir,
        "--data",
        reviewed_path,
        "--output-dir",
        out,
        "--epochs",
        "0.5",
        "--eval_steps",
        "5",
        "--replay_examples",
        "50",
        "--no-score-test",
        *[
            a
            for s in ("emergent", "perspectrum", "ibm_claim_stance", "vast", "basil", "fnc1")
            for a in (f"--stance_sources.{s}", "0")
        ],
        "--topic_sources.bbc_topics",
        "0",
        "--topic_sources.babe_topics",
        "0",
    )
    assert result.exit_code == 0, result.output
    card = (out / "README.md").read_text()
    assert "reviewed.jsonl" in card and "Before and after retraining" in card


def test_import_names_the_bad_task(tmp_path):
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps([{"id": 7, "data": {"text": "x"}}]))
    result = run("import", bad, "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 2 and "task 7" in result.stderr and "not a stancesum task" in result.stderr
