"""Run mypy on the installed layout: stancesum.models is the folder models/, and so on (pyproject's package-dir).

    python scripts/typecheck.py [mypy options]

mypy resolves modules from folders, not from setuptools' editable-install hooks, so this builds a tree of symbolic
links shaped like the installed package (build/typecheck/stancesum/...) and checks that.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import tomllib

REPO = Path(__file__).resolve().parents[1]
TREE = REPO / "build" / "typecheck"


def main() -> int:
    package_dir = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    shutil.rmtree(TREE, ignore_errors=True)
    for name, folder in sorted(package_dir.items()):  # parents before children
        target = TREE.joinpath(*name.split("."))
        target.mkdir(parents=True, exist_ok=True)
        for item in (REPO / folder).iterdir():
            if item.suffix == ".py" or (item.is_dir() and (item / "__init__.py").is_file()):
                link = target / item.name
                if not link.exists():
                    link.symlink_to(item)
    config = ["--config-file", str(REPO / "pyproject.toml")]
    return subprocess.call([sys.executable, "-m", "mypy", *config, *sys.argv[1:], str(TREE / "stancesum")], cwd=TREE)


if __name__ == "__main__":
    sys.exit(main())
