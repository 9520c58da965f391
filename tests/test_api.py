"""The public Python API: one namespace, lazy imports, the same results as the command line, README examples run."""

import json
import re
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO, SEED_TXT
from typer.testing import CliRunner

SEED_TARGETS = ["NATO troops deployed to Ukraine", "supplying weapons to Ukraine"]


def test_import_is_light_and_exports_are_lazy():
    code = (
        "import sys, stancesum; assert 'torch' not in sys.modules and 'transformers' not in sys.modules; "
        "print(sorted(stancesum.__all__)); stancesum.summarize; print('typer' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO.parent, check=True)
    assert "Analyzer" in out.stdout and "evaluate" in out.stdout and "train" in out.stdout


def test_no_top_level_module_but_stancesum(tmp_path):
    code = (
        "import importlib.util as u; "
        "print([m for m in ('models', 'inference', 'training', 'evaluation') if u.find_spec(m)])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.integration
def test_wheel_holds_only_the_stancesum_namespace(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("stancesum-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {
        "stancesum",
        wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info",
    }
    for required in (
        "stancesum/models/default/heads.safetensors",
        "stancesum/models/summarizer_default/scorer_head.safetensors",
        "stancesum/evaluation/metrics/stance_metrics/stance_metrics.py",
        "stancesum/commands/analyze.py",
        "stancesum/training/configs/default.yaml",
    ):
        assert required in names


def test_command_modules_do_not_import_each_other():
    for path in (REPO / "stancesum" / "commands").glob("*.py"):
        imported = set(re.findall(r"from stancesum\.commands\.(\w+) import", path.read_text()))
        assert imported <= {"common"}, (path.name, imported)


@pytest.mark.integration
def test_python_analyzer_and_cli_agree_on_the_seed_article():
    from stancesum import Analyzer
    from stancesum.cli import app

    text = SEED_TXT.read_text(encoding="utf-8")
    result = Analyzer.from_pretrained().analyze(text, targets=SEED_TARGETS)
    args = ["analyze", str(SEED_TXT), "--format", "json"] + [a for t in SEED_TARGETS for a in ("-t", t)]
    cli = CliRunner().invoke(app, args)
    assert cli.exit_code == 0, cli.output
    [row] = json.loads(cli.stdout)
    assert result.summary and result.summary == row["summary"]
    assert [s.topic for s in result.sentences] == [s["topic"] for s in row["sentences"]]
    assert [{t: p.label for t, p in s.stance.items()} for s in result.sentences] == [
        {t: p["label"] for t, p in s["stance"].items()} for s in row["sentences"]
    ]


def readme_python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


@pytest.mark.integration
@pytest.mark.parametrize("k", range(len(readme_python_blocks())))
def test_readme_python_examples_run(k, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    exec(compile(readme_python_blocks()[k], f"README.md python block {k}", "exec"), {})
    assert capsys.readouterr().out.strip()
