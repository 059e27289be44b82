"""A speed patch on an upstream version it was not written for: off, one warning, same pages."""

import shutil

import pytest
from sphinxcontrib.bibtex.domain import BibtexDomain
from sphinxcontrib.bibtex.transforms import BibliographyTransform

from citetools.sphinxext import bibtex_speedups, upstream_versions

from conftest import ROOTS

PATCHES = {
    "sphinxcontrib-bibtex": ["citetools.sphinxext.bibtex_speedups"],
    "pybtex": ["citetools.sphinxext.bibtex_speedups"],
    "sphinx": ["citetools.sphinxext.search_stems", "citetools.sphinxext.site_menu"],
    "furo": ["citetools.sphinxext.site_menu"],
}


def build(make_app, tmp_path, name):
    srcdir = tmp_path / name
    shutil.copytree(ROOTS / "test-speedups-upstream", srcdir)
    app = make_app("html", srcdir=srcdir)
    app.build()
    # Another app follows in this process: give docutils back its node classes.
    app.cleanup()
    return app


def pages(app):
    return {
        path.relative_to(app.outdir).as_posix(): path.read_bytes()
        for path in sorted(app.outdir.rglob("*.html"))
    }


def test_the_pinned_versions_are_the_tested_ones(make_app, tmp_path):
    app = build(make_app, tmp_path, "pinned")
    assert app.warning.getvalue() == ""
    assert bibtex_speedups.is_active(app)
    assert type(app.env.get_domain("cite")) is bibtex_speedups.BibtexDomainSpeedups


@pytest.mark.parametrize("distribution", PATCHES)
def test_an_untested_version_switches_its_patches_off(
    make_app, tmp_path, monkeypatch, distribution
):
    fast = build(make_app, tmp_path, "fast")
    tested = upstream_versions.installed_version
    monkeypatch.setattr(
        upstream_versions,
        "installed_version",
        lambda name: "99.0" if name == distribution else tested(name),
    )
    slow = build(make_app, tmp_path, "slow")

    warnings = slow.warning.getvalue().strip().splitlines()
    assert len(warnings) == len(PATCHES[distribution]), warnings
    for warning, patch in zip(warnings, PATCHES[distribution], strict=True):
        assert f"{patch} is switched off" in warning
        assert f"{distribution} 99.0" in warning
        assert "The output is the same, only slower." in warning
    if distribution in ("sphinxcontrib-bibtex", "pybtex"):
        assert not bibtex_speedups.is_active(slow)
        assert type(slow.env.get_domain("cite")) is BibtexDomain
        # Upstream's lists, filled before Sphinx's resolver as upstream's resolve_xref needs.
        assert BibliographyTransform.run is bibtex_speedups._UPSTREAM_TRANSFORM_RUN
        assert BibliographyTransform.default_priority == 5
    assert pages(slow) == pages(fast)
    assert "Byrne" in pages(slow)["index.html"].decode()
