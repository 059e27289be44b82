"""A contributor's mistakes stop the build with the file, the line and a fix."""

import re

from conftest import copy_site, sphinx_build


def first_citation(site):
    for page in sorted((site / "faq").glob("*.md")):
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            match = re.search(r"\{cite:[a-z]+\}`(?:\{[^}]*\})?([a-z0-9]+)", line)
            if match:
                return page, number, match.group(1)
    raise AssertionError("no citation in the FAQ")


def _build_with_first_citation(tmp_path, old, new):
    """Build a copy of the site whose first citation has ``old`` replaced by ``new``
    (each with ``{key}`` for its key); the page, line and key, and the build."""
    site = copy_site(tmp_path / "site")
    page, line, key = first_citation(site)
    lines = page.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[line - 1] = lines[line - 1].replace(old.format(key=key), new.format(key=key), 1)
    page.write_text("".join(lines), encoding="utf-8")
    return page, line, key, sphinx_build(site, tmp_path / "out")


def test_unknown_key_fails_naming_page_and_line(tmp_path):
    page, line, key, result = _build_with_first_citation(tmp_path, "{key}", "{key}x")
    assert result.returncode != 0
    assert f'{page}:{line}: WARNING: could not find bibtex key "{key}x"' in result.stderr


def test_an_unreadable_citation_fails_naming_page_and_line(tmp_path):
    page, line, _, result = _build_with_first_citation(tmp_path, "{key}`", "{key},`")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert f"{page}:{line}: WARNING: cannot read the citation" in output
    assert "Traceback" not in output


def test_missing_comma_fails_naming_references_bib_and_line(tmp_path):
    site = copy_site(tmp_path / "site")
    bib = site / "references.bib"
    lines = bib.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.strip().startswith("title"))
    lines[number] = lines[number].rstrip().rstrip(",") + "\n"
    bib.write_text("".join(lines), encoding="utf-8")
    result = sphinx_build(site, tmp_path / "out")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    # The line lint names too: the end of the value that lacks its comma.
    assert f"{bib}:{number + 1}: ERROR: missing-comma missing comma" in output
    assert "Traceback" not in output
    assert bib.read_text(encoding="utf-8") == "".join(lines)


def test_repeated_key_fails_naming_the_second_entry(tmp_path):
    site = copy_site(tmp_path / "site")
    bib = site / "references.bib"
    text = bib.read_text(encoding="utf-8")
    first = re.search(r"@\w+\{([a-z0-9]+),", text)
    extra = f"\n@misc{{{first.group(1)},\n  title = {{Again}},\n  year = {{2020}},\n}}\n"
    bib.write_text(text + extra, encoding="utf-8")
    result = sphinx_build(site, tmp_path / "out")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    line = text.count("\n") + 2
    assert f"{bib}:{line}: ERROR: duplicate-key duplicate key `{first.group(1)}`" in output
    assert "Traceback" not in output
