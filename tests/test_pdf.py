"""The PDF edition (``make pdf``): the whole FAQ on paper, with its sources, and on screen,
tagged for assistive technology.

The PDF is built once, as ``make pdf`` builds it, from the real pages; the tests read it
with pypdf (structure, links, fonts, metadata) and pypdfium2 (text where it is printed),
and render the title page and an answer page to ``_build/screenshots/``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pypdfium2
import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from pypdf import PdfReader
from pypdf.generic import Destination
from test_content import normalise, seed_paragraphs

from citetools import pdfbook

from conftest import PROJECT, copy_site

SCREENSHOTS = PROJECT / "_build" / "screenshots"
INCH = 72
LETTER = (8.5 * INCH, 11 * INCH)
A4 = (595.28, 841.89)
MARKER = "[citation needed]"
# The address a build names without SITE_BASEURL: the one `make serve` uses (conf.py).
DEFAULT_ADDRESS = "http://127.0.0.1:8000/"


@pytest.fixture(scope="session")
def edition(tmp_path_factory) -> Path:
    """``make pdf``'s output directory: the PDF and the book's HTML beside it."""
    builddir = tmp_path_factory.mktemp("pdf-build")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SITE_BASEURL", "READTHEDOCS_CANONICAL_URL", "SOURCE_DATE_EPOCH"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "citetools.pdfbook", "--builddir", str(builddir)],
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return builddir / "pdf"


@pytest.fixture(scope="session")
def pdf(edition) -> Path:
    return edition / pdfbook.PDF_NAME


@pytest.fixture(scope="session")
def reader(pdf) -> PdfReader:
    return PdfReader(pdf)


@pytest.fixture(scope="session")
def book(edition) -> BeautifulSoup:
    return BeautifulSoup((edition / "book.html").read_text(encoding="utf-8"), "html.parser")


@cache
def page_margins() -> tuple[float, float, float, float]:
    """Top, right, bottom and left margins of the stylesheet's ``@page`` rule, in points."""
    css = (PROJECT / pdfbook.STYLESHEET).read_text(encoding="utf-8")
    rule = re.search(r"@page\s*\{[^@}]*?margin:\s*([^;]+);", css)
    assert rule, "no margin in the @page rule"
    values = [float(value.removesuffix("in")) * INCH for value in rule[1].split()]
    # CSS shorthand: one to four values, the missing ones repeating those opposite.
    top = values[0]
    right = values[1] if len(values) > 1 else top
    bottom = values[2] if len(values) > 2 else top
    left = values[3] if len(values) > 3 else right
    return top, right, bottom, left


def body_texts(pdf: Path) -> list[str]:
    """Each page's text inside its margins: without the running header and page number."""
    top, right, bottom, left = page_margins()
    document = pypdfium2.PdfDocument(pdf)
    texts = []
    for page in document:
        width, height = page.get_size()
        texts.append(
            page.get_textpage().get_text_bounded(left, bottom, width - right, height - top)
        )
    return texts


def joined(texts: list[str]) -> str:
    """The text as a reader copies it: lines joined, no break inside a hyphenated word.

    The layout never hyphenates, so a hyphen or dash ending a line is the author's
    (PDFium reports a line-end hyphen as U+0002, a soft hyphen it has joined). List
    bullets are left out: WeasyPrint paints them after their items' text, so in the
    page's text they fall between words (the tags give them their place).
    """
    text = "\n".join(texts).replace("\r", "").replace("\x02", "-").replace("•", " ")
    text = re.sub(r"([-–])\n", r"\1", text)
    return normalise(text)


def text_at(pdf: Path, page_index: int, top: float, depth: float = 30) -> str:
    """The text printed in a band *depth* points deep below *top* on a page."""
    page = pypdfium2.PdfDocument(pdf)[page_index]
    width, _ = page.get_size()
    return " ".join(page.get_textpage().get_text_bounded(0, top - depth, width, top + 2).split())


def chapter_pages(reader: PdfReader) -> dict[str, int]:
    """Each bookmark's title and the index of the page it opens."""
    return {item.title: reader.get_destination_page_number(item) for item in reader.outline}


# -- A document: title page, contents, one chapter per page, headers ------------------


def test_pdf_is_us_letter_and_weighs_under_one_megabyte(pdf, reader):
    assert pdf.stat().st_size <= 1024 * 1024, f"{pdf.stat().st_size} bytes"
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(LETTER)


def test_paper_a4_lays_the_same_book_out_on_a4(edition, tmp_path):
    target = tmp_path / "a4.pdf"
    pages = pdfbook.render(
        (edition / "book.html").read_text(encoding="utf-8"),
        edition / "singlehtml",
        PROJECT / pdfbook.STYLESHEET,
        "a4",
        target,
    )
    reader = PdfReader(target)
    assert len(reader.pages) == pages
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(A4, abs=0.1)
    make = subprocess.run(
        ["make", "-n", "pdf", "PAPER=a4"], cwd=PROJECT, capture_output=True, text=True
    )
    assert "--paper a4" in make.stdout


def test_title_page_names_the_faq_its_publisher_edition_date_and_address(pdf):
    title = " ".join(body_texts(pdf)[0].split())
    assert "Co-responder FAQ" in title
    assert "Greenfield People’s Budget" in title
    assert re.search(r"Edition \d{4}\.\d{2} · [A-Z][a-z]+ \d{1,2}, \d{4}", title), title
    assert DEFAULT_ADDRESS in title


def test_contents_gives_the_page_each_chapter_starts_on(pdf, reader, book):
    chapters = chapter_pages(reader)
    titles = [" ".join(a.get_text().split()) for a in book.select(".contents a")]
    assert titles and list(chapters)[1:] == titles
    contents = joined([body_texts(pdf)[chapters["Contents"]]])
    for title in titles:
        number = chapters[title] + 1
        assert re.search(re.escape(title) + r"[ .]*" + str(number) + r"\b", contents), title


def test_each_chapter_opens_a_page_under_its_title_with_headers_and_page_numbers(pdf, reader):
    chapters = chapter_pages(reader)
    document = pypdfium2.PdfDocument(pdf)
    total = len(document)
    texts = body_texts(pdf)
    for title, index in chapters.items():
        assert normalise(texts[index]).startswith(title), title
    top, right, bottom, left = page_margins()
    for index, page in enumerate(document):
        width, height = page.get_size()
        textpage = page.get_textpage()
        header = " ".join(textpage.get_text_bounded(0, height - top, width, height).split())
        footer = " ".join(textpage.get_text_bounded(0, 0, width, bottom).split())
        if index == 0:
            assert header == footer == "", "the title page has no header or page number"
            continue
        assert header.startswith("Co-responder FAQ"), header
        assert footer == f"Page {index + 1} of {total}"


def test_questions_each_start_on_a_new_page(reader):
    faq = sorted(p.stem for p in (PROJECT / "faq").glob("*.md"))
    pages = chapter_pages(reader)
    assert len(pages) == len(set(pages.values())), "two chapters share a page"
    assert len(pages) >= len(faq) + 3  # contents, introduction, questions, claims


# -- The authors' words, in order, as a reader copies them ------------------------


def test_every_seed_paragraph_is_printed_in_order(pdf, book):
    text = joined(body_texts(pdf))
    # What the edition adds around the authors' words: citations, markers, page numbers.
    added = {normalise(span.get_text()) for span in book.select("span.bibtex-citation")} | {MARKER}
    for piece in sorted(added, key=len, reverse=True):
        text = text.replace(piece, "")
    text = normalise(re.sub(r" \(page \d+\)", "", text))
    position = 0
    for paragraph in seed_paragraphs():
        found = text.find(paragraph, position)
        assert found >= 0, f"missing or out of order: {paragraph[:80]}"
        position = found + len(paragraph)


def test_text_copies_out_with_smart_quotes_and_dashes(pdf):
    text = joined(body_texts(pdf))
    assert "“Co-responders” are social workers" in text
    assert "Aren’t police important" in text
    assert "a completely different framework–one that offers justice" in text
    assert '"' not in text.replace("\\", "")


# -- Citations, markers, notes ---------------------------------------------------


def _links(reader: PdfReader):
    """(page index, annotation) for every link annotation."""
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots", []):
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/Link":
                yield index, annotation


def _link_text(pdf: Path, index: int, rect) -> str:
    left, bottom, right, top = (float(v) for v in rect)
    page = pypdfium2.PdfDocument(pdf)[index]
    return " ".join(page.get_textpage().get_text_bounded(left, bottom, right, top).split())


def test_every_citation_lands_on_its_entry(pdf, reader, book):
    destinations: dict[str, Destination] = reader.named_destinations
    entries = {str(li["id"]): li for li in book.select("li.citation[id]")}
    checked = 0
    for index, link in _links(reader):
        if "/Dest" not in link:
            continue
        name = str(link["/Dest"])
        assert name in destinations, f"page {index + 1}: link to {name}, which is nowhere"
        if name not in entries:
            continue
        label = " ".join(entries[name].find(class_="label").get_text().split())
        destination = destinations[name]
        landed = text_at(pdf, reader.get_destination_page_number(destination), destination.top)
        assert landed.startswith(label), (name, landed[:80])
        assert _link_text(pdf, index, link["/Rect"]).strip("[]") in label
        checked += 1
    assert checked >= len(book.select("span.bibtex-citation a")) > 0


def test_every_internal_link_lands_where_its_target_is_printed(pdf, reader, book):
    destinations = reader.named_destinations
    for _, link in _links(reader):
        if "/Dest" not in link:
            continue
        target = book.find(id=str(link["/Dest"]))
        assert isinstance(target, Tag), link["/Dest"]
        destination = destinations[str(link["/Dest"])]
        landed = text_at(pdf, reader.get_destination_page_number(destination), destination.top)
        first_word = re.search(r"\w{3,}", target.get_text())
        assert first_word and first_word[0] in landed, (str(link["/Dest"]), landed[:80])


def test_every_source_address_is_printed_whole_and_clickable(pdf, reader):
    printed = re.sub(r"\s+", "", joined(body_texts(pdf)))
    addresses = {
        str(link["/A"]["/URI"]) for _, link in _links(reader) if "/URI" in link.get("/A", {})
    }
    assert len(addresses) > 40
    for address in addresses:
        assert address in printed, address


def test_markers_are_printed_and_claims_listed_with_reasons_at_the_end(pdf, reader, book):
    texts = body_texts(pdf)
    text = joined(texts)
    markers = book.select("sup.citation-needed")
    claims = book.select("section.chapter-claims-awaiting-sources li[id]")
    assert len(markers) == len(claims) > 0
    # Every marker, and the report's own mention of one in its introduction.
    assert text.count(MARKER) >= len(markers)
    last = list(chapter_pages(reader).items())[-1]
    assert last[0] == "Claims awaiting sources"
    report = joined(texts[last[1] :])
    for claim in claims:
        reason = normalise(claim.find_all("p")[-1].get_text(" "))
        assert reason.startswith("Why a source is needed:")
        assert reason in report, reason


def test_editors_notes_are_set_apart_under_their_title(pdf, book):
    notes = book.select("div.admonition")
    text = joined(body_texts(pdf))
    assert notes and text.count("EDITOR’S NOTE") == len(notes)


# -- Accessible and well made ----------------------------------------------------


def test_no_text_leaves_the_margins(pdf):
    top, right, bottom, left = page_margins()
    # A glyph may overhang its advance by a point or two (DejaVu Serif's "J").
    tolerance = 2.0
    for number, page in enumerate(pypdfium2.PdfDocument(pdf), start=1):
        width, height = page.get_size()
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            x0, y0, x1, y1 = textpage.get_charbox(index)
            if x0 == x1:  # spaces and line ends have no ink
                continue
            assert left - tolerance <= x0 and x1 <= width - right + tolerance, (
                f"page {number}: {textpage.get_text_range(index, 1)!r} at x {x0:.1f}-{x1:.1f}"
            )
            # Running headers and page numbers sit in the margins, clear of the edge.
            assert top / 3 <= height - y1 and bottom / 3 <= y0, f"page {number}: y {y0:.1f}"


def test_every_font_is_embedded_and_dejavu(reader):
    seen = set()
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendants = [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]
            for descendant in descendants:
                descriptor = descendant["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font
            seen.add(str(font["/BaseFont"]).split("+")[-1])
    assert seen and all(name.startswith("DejaVu") for name in seen), seen


def test_pdf_is_tagged_with_language_title_and_bookmarks(reader, book):
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"].value is True
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == "Co-responder FAQ"
    assert reader.metadata.author == "Greenfield People’s Budget"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert "<pdfuaid:part>1</pdfuaid:part>" in xmp or 'pdfuaid:part="1"' in xmp
    questions = [" ".join(h.get_text().split()) for h in book.select("section.chapter > h1")]
    assert [item.title for item in reader.outline] == ["Contents", *questions]


def test_title_and_answer_pages_render_for_a_reviewer(pdf, reader):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    first_answer = min(
        index for title, index in chapter_pages(reader).items() if title.endswith("?")
    )
    document = pypdfium2.PdfDocument(pdf)
    for name, index in (("pdf-title", 0), ("pdf-answer", first_answer)):
        image = document[index].render(scale=150 / INCH).to_pil()
        image.save(SCREENSHOTS / f"{name}.png")
        # Printed matter, not a blank page: a share of the pixels is ink.
        inked = sum(image.convert("L").histogram()[:128])
        assert inked > 0.005 * image.width * image.height, name


# -- Building it -------------------------------------------------------------------


def test_a_missing_font_stops_the_build_with_the_package_to_install(monkeypatch, capsys):
    monkeypatch.setattr(pdfbook, "missing_fonts", lambda: ["DejaVu Serif Italic"])
    assert pdfbook.main(["--builddir", "unused"]) == 2
    error = capsys.readouterr().err
    assert "DejaVu Serif Italic" in error and "fonts-dejavu-extra" in error


def test_missing_pango_stops_the_pdf_with_the_packages_to_install(monkeypatch, tmp_path):
    """WeasyPrint loads Pango as it is imported: without it, a message, never a traceback."""

    def no_pango(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("builtins.__import__", _failing_import("weasyprint", no_pango))
    with pytest.raises(pdfbook.LibrariesMissing, match="libpangoft2-1.0-0"):
        pdfbook.render("<p>x</p>", tmp_path, tmp_path / "x.css", "letter", tmp_path / "x.pdf")


def _failing_import(name, fail):
    real = __import__

    def importer(module, *args, **kwargs):
        if module == name:
            fail()
        return real(module, *args, **kwargs)

    return importer


def test_a_page_that_fails_the_site_build_stops_the_pdf_with_the_warning(tmp_path):
    site = copy_site(tmp_path / "site")
    page = sorted((site / "faq").glob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nA claim {cite:p}`nosuchkey2099`.\n")
    result = subprocess.run(
        [sys.executable, "-m", "citetools.pdfbook", "--srcdir", str(site)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "nosuchkey2099" in result.stderr and "Traceback" not in result.stderr
    assert "make pdf: the Sphinx build failed" in result.stderr
    assert not (tmp_path / "_build" / "pdf" / pdfbook.PDF_NAME).exists()


def test_unknown_paper_size_is_refused(capsys):
    assert pdfbook.main(["--paper", "legal"]) == 2
    assert "unknown paper size 'legal'" in capsys.readouterr().err


# -- The site offers both downloads ------------------------------------------------

DOWNLOADS = {pdfbook.PDF_NAME, "co-responder-faq.epub"}


def test_home_page_and_every_menu_link_both_downloads(site_html):
    pages = [p for p in site_html.rglob("*.html") if not p.name.startswith("_")]
    home = BeautifulSoup((site_html / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert {a["href"] for a in home.select("article a[href^='co-responder-faq.']")} == DOWNLOADS
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        menu = soup.select_one(".sidebar-drawer")
        assert menu is not None, page.name
        linked = {
            a["href"].rsplit("/", 1)[-1] for a in menu.select("a[href$='.pdf'], a[href$='.epub']")
        }
        assert linked == DOWNLOADS, page.name


def test_make_html_builds_and_copies_in_the_files_the_site_links_to(site_epub):
    assert (site_epub / "co-responder-faq.epub").exists()
    make = subprocess.run(
        ["make", "-n", "html", "BUILDDIR=out"], cwd=PROJECT, capture_output=True, text=True
    )
    copy = [line for line in make.stdout.splitlines() if line.startswith("cp ")]
    assert copy, make.stdout
    sources = copy[-1].split()[1:-1]
    assert {Path(s).name for s in sources} == DOWNLOADS
    assert copy[-1].split()[-1].rstrip("/") == "out/html"
    assert any("citetools.pdfbook" in line for line in make.stdout.splitlines())


def test_the_epub_offers_no_download_links(site_epub):
    (index,) = site_epub.glob("index.xhtml")
    assert "co-responder-faq.pdf" not in index.read_text(encoding="utf-8")


def test_the_hosts_publish_the_pdf_and_the_epub_with_the_site():
    pages = yaml.safe_load((PROJECT / ".github/workflows/pages.yml").read_text(encoding="utf-8"))
    runs = " ".join(step.get("run", "") for step in pages["jobs"]["build"]["steps"])
    assert "make html" in runs and "fonts-dejavu-extra" in runs and "libpangoft2" in runs
    rtd = yaml.safe_load((PROJECT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert {"requirements": "requirements-pdf.txt"} in rtd["python"]["install"]
    assert "epub" in rtd["formats"] and "fonts-dejavu-extra" in rtd["build"]["apt_packages"]
    post_build = rtd["build"]["jobs"]["post_build"]
    assert any("citetools.pdfbook" in command for command in post_build)
    for published in (
        "$READTHEDOCS_OUTPUT/pdf/",
        "$READTHEDOCS_OUTPUT/html/",
        "$READTHEDOCS_OUTPUT/html/co-responder-faq.epub",
    ):
        assert any(command.endswith(published) for command in post_build), published
