"""The linkcheck extension inside one Sphinx build of its test root: DOIs are asked of the
resolver, never of the publisher, and the run leaves the manifest `citetools links` reads.
(tests/test_linkcheck.py runs the same root through `citetools links`, as maintainers do.)"""

from __future__ import annotations

import json
import shutil

import pytest

from citetools.linkcheck import doi
from citetools.linkcheck.manifest import FILENAME
from testbed.linkserver import REGISTERED_DOI, closed_port, serving

from conftest import ROOTS


@pytest.fixture
def checked(tmp_path, make_app, monkeypatch):
    """The root's links checked once against servers on 127.0.0.1."""
    with serving() as server, serving() as busy:
        site = shutil.copytree(ROOTS / "test-linkcheck-sources", tmp_path / "site")
        ports = {"PORT": server.port, "BUSY_PORT": busy.port, "CLOSED": closed_port()}
        for path in site.iterdir():
            text = path.read_text(encoding="utf-8")
            for name, port in ports.items():
                text = text.replace(f"@{name}@", str(port))
            path.write_text(text, encoding="utf-8")
        monkeypatch.setenv(doi.RESOLVER_VARIABLE, f"http://127.0.0.1:{server.port}")
        app = make_app("linkcheck", srcdir=site)
        app.build()
        results = [json.loads(line) for line in (app.outdir / "output.json").open()]
        yield app, server, {r["uri"]: r for r in results}


def test_a_doi_is_checked_against_its_registration_at_the_resolver(checked):
    app, server, results = checked
    resolver = f"http://127.0.0.1:{server.port}"
    assert results[doi.registration_url(REGISTERED_DOI, resolver)]["status"] == "working"
    assert results[doi.registration_url("10.5555/unregistered", resolver)]["status"] == "broken"
    assert not [uri for uri in results if uri.startswith(doi.READER_RESOLVER)]


def test_the_run_leaves_a_manifest_of_what_it_checked(checked):
    app, _, _ = checked
    manifest = json.loads((app.outdir / FILENAME).read_text(encoding="utf-8"))
    assert "references.bib" in manifest["inputs"]
