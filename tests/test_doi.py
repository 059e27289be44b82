"""One reading of a DOI for `lint`, `add` and the link check: the forms contributors paste."""

from __future__ import annotations

import pytest

from citetools.bibfile import parse
from citetools.checks import check_entry
from citetools.doi import bare_doi
from citetools.linkcheck.doi import checked_uri

DOI = "10.1186/s12888-018-1836-2"


@pytest.mark.parametrize(
    "written",
    [
        DOI,
        f"doi:{DOI}",
        f"DOI: {DOI}",
        f"https://doi.org/{DOI}",
        f"http://dx.doi.org/{DOI}",
        f"doi.org/{DOI}",
        "https://doi.org/10.1186%2Fs12888-018-1836-2",
    ],
)
def test_every_way_of_writing_a_doi_reads_as_the_doi(written):
    assert bare_doi(written) == DOI


@pytest.mark.parametrize("written", ["", "s12888-018-1836-2", "https://example.org/10.1186/x"])
def test_text_that_is_not_a_doi_is_not_read_as_one(written):
    assert bare_doi(written) is None


@pytest.mark.parametrize("pasted", [f"https://doi.org/{DOI}", f"doi:{DOI}", f"doi.org/{DOI}"])
def test_lint_asks_for_the_doi_without_its_resolver(pasted):
    bib = parse(f"@article{{a,\n  doi = {{{pasted}}},\n}}\n")
    messages = [f.message for f in check_entry(bib, bib.entries[0]) if f.code == "doi-format"]
    assert messages == [f"write the DOI without the resolver: `doi = {{{DOI}}}`"]


def test_the_link_check_asks_the_resolver_about_a_doi_link_and_leaves_others_alone():
    base = "http://127.0.0.1:9"
    assert checked_uri(f"https://doi.org/{DOI}#section", base) == f"{base}/api/handles/{DOI}"
    assert checked_uri(f"http://dx.doi.org/{DOI}", base) == f"{base}/api/handles/{DOI}"
    assert checked_uri(f"https://example.org/{DOI}", base) == f"https://example.org/{DOI}"
    assert checked_uri(f"doi.org/{DOI}", base) == f"doi.org/{DOI}"
