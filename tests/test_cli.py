import json

import pytest
from conftest import SEED_TXT
from typer.testing import CliRunner

from stancesum.cli import app

pytestmark = pytest.mark.integration  # spaCy splitting and a saved model directory

runner = CliRunner()
ARTICLE = (
    "NATO rules out troops\n\n"
    "NATO will not send troops to Ukraine. It will send weapons instead. Talks may come later.\n"
)


def run(*args, input=None):
    args = [str(a) for a in args]
    if args[0] == "analyze" and "-s" not in args:
        args += ["-s", "lead"]  # cheap; the trained summarizer has its own tests
    return runner.invoke(app, args, input=input)


@pytest.fixture
def txt(tmp_path):
    path = tmp_path / "nato.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_txt_headline_by_blank_line_or_by_its_look():
    from stancesum.inference.inputs import article_from_text

    def read(text):
        a = article_from_text(text, "x")
        return a.title, a.text

    assert read("NATO rules out troops\n\nNATO said no.\n") == ("NATO rules out troops", "NATO said no.\n")
    assert read("NATO rules out troops\nNATO said no.\n") == ("NATO rules out troops", "NATO said no.\n")
    assert read("NATO said no to troops.\nIt sends weapons.\n")[0] is None  # a sentence, not a headline
    assert read("“We will not send troops,” NATO said:\nIt sends weapons.\n")[0] is None
    assert read(" ".join(["word"] * 26) + "\nMore text.\n")[0] is None  # too long for a headline
    assert read("Only one line")[0] is None and read("By Jane Doe\n")[0] is None


def test_txt_with_headline_as_target_json(tiny_model_dir, txt):
    result = run("analyze", txt, "--model", tiny_model_dir, "--format", "json")
    assert result.exit_code == 0, result.output
    [analysis] = json.loads(result.stdout)
    assert analysis["id"] == "nato" and analysis["title"] == "NATO rules out troops"
    assert analysis["targets"] == ["NATO rules out troops"] and len(analysis["sentences"]) == 3
    assert set(analysis["by_target"]["NATO rules out troops"]["counts"]) == {"favor", "against", "none"}
    assert "1 article(s) named no targets" in result.stderr
    assert "named no targets" not in run("analyze", txt, "--model", tiny_model_dir, "-t", "weapons").stderr


@pytest.mark.parametrize(
    "fmt, marker", [("table", "T1 = weapons for Ukraine"), ("markdown", "| # | sentence | topic | T1 | T2 |")]
)
def test_human_formats(tiny_model_dir, txt, fmt, marker):
    result = run("analyze", txt, "--model", tiny_model_dir, "-f", fmt, "-t", "weapons for Ukraine", "-t", "peace talks")
    assert result.exit_code == 0, result.output
    assert marker in result.stdout and "NATO will not send troops to Ukraine." in result.stdout


def test_jsonl_output_is_the_article_format_and_written_atomically(tiny_model_dir, txt, tmp_path):
    from stancesum.models.articles_io import load_articles

    out = tmp_path / "out" / "pred.jsonl"
    result = run("analyze", txt, "--model", tiny_model_dir, "-f", "jsonl", "-o", out, "-t", "weapons for Ukraine")
    assert result.exit_code == 0, result.output
    [article] = load_articles(out)
    assert article.targets == ["weapons for Ukraine"] and len(article.sentences) == 3
    assert all(s.topic and s.stance["weapons for Ukraine"] in ("favor", "against", "none") for s in article.sentences)
    assert [p.name for p in out.parent.iterdir()] == ["pred.jsonl"]


def test_folder_jsonl_and_stdin_inputs(tiny_model_dir, txt, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text("Storm hits\n\nA storm hit the coast. Homes were lost.", encoding="utf-8")
    (folder / "README.md").write_text("# Notes\n\nNot an article.", encoding="utf-8")  # a folder's other files
    (folder / "splits.json").write_text('{"dev": ["a"]}', encoding="utf-8")
    jsonl = tmp_path / "arts.jsonl"
    jsonl.write_text(
        json.dumps({"id": "j1", "text": "Prices rose. Jobs fell.", "targets": ["tax cuts"]}) + "\n", encoding="utf-8"
    )
    result = run("analyze", folder, jsonl, "--model", tiny_model_dir, "-f", "json")
    assert result.exit_code == 0, result.output
    assert [a["id"] for a in json.loads(result.stdout)] == ["a", "b", "j1"]
    assert json.loads(result.stdout)[2]["targets"] == ["tax cuts"]
    piped = run(
        "analyze", "-", "--model", tiny_model_dir, "-f", "json", "-t", "x", input="One claim here. Another one."
    )
    assert piped.exit_code == 0, piped.output
    assert len(json.loads(piped.stdout)[0]["sentences"]) == 2


def test_seed_article_analyzes_with_the_trained_summarizer(tiny_model_dir):
    result = run(
        "analyze",
        SEED_TXT,
        "--model",
        tiny_model_dir,
        "-t",
        "NATO troops deployed to Ukraine",
        "-f",
        "json",
        "-s",
        "extractive",
        "--max-sentences",
        "2",
    )
    assert result.exit_code == 0, result.output
    [analysis] = json.loads(result.stdout)
    assert len(analysis["sentences"]) >= 15
    chosen = analysis["summary"].split("\n")
    assert len(chosen) == 2 and all(any(c == s["text"] for s in analysis["sentences"]) for c in chosen)


def test_summarize_command(txt):
    result = run("summarize", txt, "-s", "lead", "--max-sentences", "1", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "NATO will not send troops to Ukraine." in result.stdout


def one_line_error(result, *fragments):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip() and "once for fast CPU" not in line]
    assert lines and all(f in result.stderr for f in fragments), result.stderr
    return lines


@pytest.mark.parametrize(
    "content, fragment",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02\x03ELF", "binary"),
        ("Caf\u00e9 news. It is open.".encode("latin-1"), "not UTF-8"),
        (("word " * 500).encode(), "no sentence punctuation"),
        (("A sentence here. " * 70_000).encode(), "too long"),
    ],
)
def test_bad_inputs_give_one_line_errors(tiny_model_dir, tmp_path, content, fragment):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    lines = one_line_error(run("analyze", bad, "--model", tiny_model_dir, "-t", "x"), f"{bad}: ", fragment)
    assert len(lines) == 2  # the count line and the one failure


def test_missing_and_broken_model(tmp_path, txt):
    one_line_error(run("analyze", txt, "--model", tmp_path / "nope"), "nope", "does not exist")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "labeler_config.json").write_text("{not json")
    lines = one_line_error(run("analyze", txt, "--model", broken), "broken", "broken model directory")
    assert len(lines) == 1


def test_good_articles_survive_bad_ones(tiny_model_dir, txt, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok", "text": "Fine text here."}\n{"id": "broken", "text": 3}\n', encoding="utf-8")
    result = run("analyze", txt, bad, tmp_path / "missing.txt", "--model", tiny_model_dir, "-f", "json", "-t", "x")
    assert result.exit_code == 2
    assert [a["id"] for a in json.loads(result.stdout)] == ["nato", "ok"]
    assert "2 input(s) failed" in result.stderr and f"{bad}:2: field 'text'" in result.stderr
    assert "missing.txt: no such file or folder" in result.stderr


def test_first_run_says_it_exports_the_model(tiny_model_dir, txt, tmp_path, monkeypatch):
    monkeypatch.setenv("STANCESUM_CACHE", str(tmp_path / "cache"))
    first = run("analyze", txt, "--model", tiny_model_dir, "-t", "x", "--precision", "int8")
    assert first.exit_code == 0, first.output
    assert "exporting" in first.stderr and "once for fast CPU inference" in first.stderr
    second = run("analyze", txt, "--model", tiny_model_dir, "-t", "x", "--precision", "int8")
    assert second.exit_code == 0 and "exporting" not in second.stderr


def test_bad_json_and_empty_target(tiny_model_dir, txt, tmp_path):
    bad = tmp_path / "bad.jsonl"
    line = '{"id": "x", "text": "Prices rose."'  # the closing brace is missing
    bad.write_text(line + "\n", encoding="utf-8")
    one_line_error(
        run("analyze", bad, "--model", tiny_model_dir, "-t", "x"), f"{bad}:1: bad JSON", f"column {len(line) + 1}"
    )
    one_line_error(run("analyze", txt, "--model", tiny_model_dir, "-t", " "), "--target", "empty")


def test_no_target_and_no_headline(tiny_model_dir, tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("No headline here. Just text.", encoding="utf-8")
    one_line_error(run("analyze", plain, "--model", tiny_model_dir), f"{plain}: ", "pass --target")


def test_unknown_format(tiny_model_dir, txt):
    one_line_error(run("analyze", txt, "--model", tiny_model_dir, "-f", "xml"), "unknown --format")


def test_split_command(txt):
    result = run("split", txt)
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].split("\t")[2] == "NATO will not send troops to Ukraine."


def test_resume_keeps_what_an_interrupted_run_wrote(tiny_model_dir, tmp_path):
    from stancesum.models.articles_io import load_articles

    source = tmp_path / "in.jsonl"
    texts = [f"Article {k} says NATO will send troops. Others disagree about it." for k in range(5)]
    source.write_text("".join(json.dumps({"id": f"a{k}", "text": t}) + "\n" for k, t in enumerate(texts)))
    out = tmp_path / "out.jsonl"
    first = run("analyze", source, "--model", tiny_model_dir, "-f", "jsonl", "-o", out, "-t", "troops")
    assert first.exit_code == 0, first.output
    lines = out.read_text().splitlines(keepends=True)
    out.unlink()
    # an interrupted run: two complete lines and a third cut off mid-write
    (tmp_path / "out.jsonl.partial").write_text(lines[0] + lines[1] + lines[2][:40])
    resumed = run("analyze", source, "--model", tiny_model_dir, "-f", "jsonl", "-o", out, "-t", "troops", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert "3 analysed, 2 already there" in resumed.stderr
    again = out.read_text().splitlines(keepends=True)
    assert again[:2] == lines[:2] and sorted(again) == sorted(lines)  # nothing lost, nothing twice
    assert [a.id for a in load_articles(out)] == ["a0", "a1", "a2", "a3", "a4"]
    assert not (tmp_path / "out.jsonl.partial").exists()
    done = run("analyze", source, "--model", tiny_model_dir, "-f", "jsonl", "-o", out, "-t", "troops", "--resume")
    assert done.exit_code == 0 and "0 analysed, 5 already there" in done.stderr and out.read_text() == "".join(lines)


def test_resume_needs_a_jsonl_output_file(tiny_model_dir, txt):
    result = run("analyze", txt, "--model", tiny_model_dir, "--resume")
    assert result.exit_code == 2 and "--resume needs --output and --format jsonl" in result.stderr
