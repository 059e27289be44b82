"""``make pdf``: the FAQ as a printed handout, ``_build/pdf/co-responder-faq.pdf``.

Sphinx's ``singlehtml`` builder resolves every page, citation and bibliography
into one HTML file. This module turns that file into a book (a title page, a
table of contents with page numbers, then each page of the site as a chapter
opening on a new page) and has WeasyPrint lay it out with
``_static/faq-pdf.css`` as a tagged PDF/UA-1 document: language and title in its
metadata, every font embedded, bookmarks from the chapter headings.

Every answer keeps its own Sources list, as on the site, so a page handed out on
its own still names its sources; the References page, which repeats every entry,
is left out. A link to a page the book leaves out goes to that page on the web.
The book's HTML is kept beside the PDF (``book.html``) for tests and reviewers.

Exit status: 0 written, 1 the Sphinx build or the book failed, 2 a usage error or
a font the layout needs is not installed.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from os import environ
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from bs4.element import AttributeValueList, NavigableString
from sphinx.application import Sphinx
from sphinx.errors import SphinxError

PDF_NAME = "co-responder-faq.pdf"
STYLESHEET = Path("_static") / "faq-pdf.css"
#: ``make pdf PAPER=...``: the CSS page size for each.
PAPER_SIZES = {"letter": "letter", "a4": "A4"}
#: Pages of the site the book leaves out, and why.
LEFT_OUT = {"references": "every entry already follows the answer that cites it"}
#: The families _static/faq-pdf.css sets text in (Debian's fonts-dejavu-core and -extra).
FONTS = {
    "DejaVu Serif": ("Book", "Bold", "Italic", "Bold Italic"),
    "DejaVu Sans": ("Book", "Bold"),
    "DejaVu Sans Mono": ("Book",),
}

INTRODUCTION = "Introduction"
_DOCUMENT = "document-"


class BookError(Exception):
    """A problem the person running ``make pdf`` must fix; the message says what."""


@dataclass(frozen=True)
class Edition:
    """What the title page and the PDF's metadata say about the book."""

    title: str
    publisher: str
    description: str
    release: str
    printed: date
    address: str
    language: str


@dataclass
class Chapter:
    docname: str
    slug: str
    content: Tag
    title: str = ""


# -- Building the single page ---------------------------------------------------


def build_singlehtml(srcdir: Path, outdir: Path) -> tuple[Path, Edition]:
    """Build every page into one HTML file, with the site's warnings-as-errors options."""
    try:
        app = _build(srcdir, outdir)
    except SphinxError as error:
        raise BookError(f"the Sphinx build failed: {error}") from error
    if app.statuscode:
        raise BookError("the Sphinx build failed: see the warnings above")
    config = app.config
    edition = Edition(
        title=config.project,
        publisher=_apostrophes(config.author),
        description=config.epub_description,
        release=config.release,
        printed=_printed_on(),
        address=config.html_baseurl,
        language=config.language,
    )
    return Path(app.outdir) / f"{config.root_doc}.html", edition


def _build(srcdir: Path, outdir: Path) -> Sphinx:
    app = Sphinx(
        srcdir,
        srcdir,
        outdir / "singlehtml",
        outdir / "doctrees",
        "singlehtml",
        # The basic theme: plain markup, none of the web theme's navigation.
        confoverrides={"html_theme": "basic", "nitpicky": True},
        status=None,
        warningiserror=True,
        keep_going=True,
    )
    app.build()
    return app


def _printed_on() -> date:
    """Today, or the date reproducible builds fix in ``SOURCE_DATE_EPOCH``."""
    epoch = environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return datetime.fromtimestamp(int(epoch), UTC).date()
    return date.today()


def _apostrophes(text: str) -> str:
    """conf.py's names are typed with straight apostrophes; print them curly."""
    return re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)


# -- From one page to a book ------------------------------------------------------


def compose(page: str, edition: Edition, root_doc: str = "index") -> str:
    """The book's HTML, from the ``singlehtml`` builder's page."""
    soup = BeautifulSoup(page, "html.parser")
    body = soup.select_one("div.body")
    if body is None:
        raise BookError("the singlehtml page has no div.body: was it built with the basic theme?")
    chapters = [c for c in _split(body, root_doc) if c.docname not in LEFT_OUT]
    ids = {c.docname: _ids(c.content) for c in chapters}
    for chapter in chapters:
        _tidy(chapter.content)
        _relevel_headings(chapter)
    for chapter in chapters:
        _relink(chapter, chapters, ids, edition.address)
        _prefix_ids(chapter)
        _print_link_addresses(chapter.content)
    _rename_root(chapters)
    return _book(edition, chapters)


def _rename_root(chapters: list[Chapter]) -> None:
    """The home page's title is the book's: as the first chapter, and wherever a heading
    names it (the claims list), it is the introduction."""
    root_title = chapters[0].title
    chapters[0].title = INTRODUCTION
    for chapter in chapters:
        for heading in chapter.content.find_all(re.compile(r"^h[1-6]$")):
            if " ".join(heading.get_text().split()) == root_title:
                heading.string = INTRODUCTION


def _split(body: Tag, root_doc: str) -> list[Chapter]:
    """Each document's content, in reading order.

    The builder nests each page's content where the toctree naming it stood, after a
    ``<span id="document-NAME">``. Taken out from the last to the first, a page
    holds none of the pages it lists itself.
    """
    markers = [
        span for span in body.find_all("span", id=True) if str(span["id"]).startswith(_DOCUMENT)
    ]
    chapters = []
    for marker in reversed(markers):
        content = marker.find_next_sibling()
        if not isinstance(content, Tag):
            raise BookError(f"no content after {marker['id']} in the singlehtml page")
        docname = str(marker["id"]).removeprefix(_DOCUMENT)
        chapters.append(Chapter(docname, _slug(docname), content.extract()))
        marker.decompose()
    for wrapper in body.select("div.toctree-wrapper"):
        wrapper.decompose()
    root = body.find("section")
    if not isinstance(root, Tag):
        raise BookError("the singlehtml page has no content")
    chapters.append(Chapter(root_doc, _slug(root_doc), root.extract()))
    chapters.reverse()
    return chapters


def _slug(docname: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", docname.lower()).strip("-")


def _ids(content: Tag) -> set[str]:
    return {str(tag["id"]) for tag in content.find_all(id=True)} | {str(content.get("id", ""))}


def _tidy(content: Tag) -> None:
    """Drop what only a browser can use: heading links, hover text, back-reference lists."""
    for added in content.select("a.headerlink, span.citation-needed-reason, span.backrefs"):
        added.decompose()
    for link in content.select("a[title]"):
        del link["title"]
    # The pages' source line breaks, as spaces: the word before a marker ends at one.
    for text in content.find_all(string=re.compile("\n")):
        if text.find_parent(["pre", "script", "style"]) is None:
            text.replace_with(text.replace("\n", " "))
    for marker in content.select("sup.citation-needed"):
        _keep_with_previous_word(marker)


def _keep_with_previous_word(marker: Tag) -> None:
    """A marker never starts a line on its own: it stays with the word it follows."""
    before = marker.previous_sibling
    if not isinstance(before, NavigableString) or not before or before[-1].isspace():
        return
    head, _, word = before.rpartition(" ")
    glue = BeautifulSoup("", "html.parser").new_tag("span")
    glue["class"] = AttributeValueList(["nowrap"])
    before.replace_with(head + " " if head else "")
    marker.insert_before(glue)
    glue.append(word)
    glue.append(marker.extract())


def _relevel_headings(chapter: Chapter) -> None:
    """The builder nests pages' headings under the home page's: each chapter starts at h1."""
    headings = chapter.content.find_all(re.compile(r"^h[1-6]$"))
    if not headings:
        raise BookError(f"{chapter.docname} has no title")
    shift = int(headings[0].name[1]) - 1
    for heading in headings:
        heading.name = f"h{max(1, int(heading.name[1]) - shift)}"
    chapter.title = " ".join(headings[0].get_text().split())


def _relink(
    chapter: Chapter, chapters: list[Chapter], ids: dict[str, set[str]], address: str
) -> None:
    """Point every link within the site at its target in the book, or at the web page."""
    slugs = {c.docname: c.slug for c in chapters}
    for link in chapter.content.find_all("a", href=True):
        href = str(link["href"])
        if not href.startswith("#"):
            continue
        docname, fragment = _target(href)
        if docname is None:
            owners = [chapter.docname] if fragment in ids[chapter.docname] else []
            owners = owners or [d for d, held in ids.items() if fragment in held]
            if len(owners) != 1:
                raise BookError(f"{chapter.docname}: the link {href} has no single target")
            docname = owners[0]
        if docname in slugs:
            if fragment and fragment not in ids[docname]:
                raise BookError(f"{chapter.docname}: the link {href} has no target")
            link["href"] = "#" + (_anchor(slugs[docname], fragment) if fragment else slugs[docname])
            if not _is_citation_link(link):
                _add_page_number(link)
        else:
            link["href"] = f"{address}{docname}.html" + (f"#{fragment}" if fragment else "")
            link["class"] = AttributeValueList(["reference", "external"])


def _target(href: str) -> tuple[str | None, str | None]:
    """``#document-NAME#frag`` -> (NAME, frag); ``#document-NAME`` -> (NAME, None);
    ``#frag`` -> (None, frag)."""
    parts = href[1:].split("#")
    if parts[0].startswith(_DOCUMENT):
        return parts[0].removeprefix(_DOCUMENT), (parts[-1] if len(parts) > 1 else None)
    return None, parts[-1]


def _is_citation_link(link: Tag) -> bool:
    """Citations, markers and back-references are links readers follow on screen only."""
    return (
        link.find_parent("span", class_="bibtex-citation") is not None
        or link.find_parent("sup", class_="citation-needed") is not None
        or link.get("role") == "doc-backlink"
    )


def _add_page_number(link: Tag) -> None:
    """``(page 7)`` after a link to another part of the book, after its closing quote."""
    number = BeautifulSoup("", "html.parser").new_tag("a", href=str(link["href"]))
    number["class"] = AttributeValueList(["page-number"])
    number.string = "page "
    following = link.next_sibling
    if isinstance(following, NavigableString) and following.startswith("\u201d"):
        quote = NavigableString("\u201d")
        following.replace_with(quote)
        quote.insert_after(" (", number, ")" + following[1:])
    else:
        link.insert_after(" (", number, ")")


def _anchor(slug: str, fragment: str) -> str:
    return f"{slug}--{fragment}"


def _prefix_ids(chapter: Chapter) -> None:
    """Page ids repeat across pages (``sources``, ``id1``): each chapter's get its name."""
    for tag in chapter.content.find_all(id=True):
        tag["id"] = _anchor(chapter.slug, str(tag["id"]))
    chapter.content["id"] = chapter.slug
    chapter.content["class"] = AttributeValueList(["chapter", f"chapter-{chapter.slug}"])


def _print_link_addresses(content: Tag) -> None:
    """Paper cannot follow a link: print its full address, itself a link on screen.

    A DOI shows as its resolver's address; any other link whose text is not its
    address is followed by the address in parentheses.
    """
    for link in content.select("a.external[href]"):
        href = str(link["href"])
        text = " ".join(link.get_text().split())
        if text == href or not href.startswith(("http://", "https://")):
            continue
        if text.lower().startswith("doi:"):
            link.string = href
            continue
        address = BeautifulSoup("", "html.parser").new_tag("a", href=href)
        address["class"] = AttributeValueList(["reference", "external", "address"])
        address.string = href
        link.insert_after(" (", address, ")")


def _book(edition: Edition, chapters: list[Chapter]) -> str:
    printed = f"{edition.printed:%B} {edition.printed.day}, {edition.printed.year}"
    contents = "\n".join(f'<li><a href="#{c.slug}">{escape(c.title)}</a></li>' for c in chapters)
    body = "\n".join(str(c.content) for c in chapters)
    return f"""<!DOCTYPE html>
<html lang="{escape(edition.language)}">
<head>
<meta charset="utf-8">
<title>{escape(edition.title)}</title>
<meta name="author" content="{escape(edition.publisher)}">
<meta name="description" content="{escape(edition.description)}">
<meta name="dcterms.created" content="{edition.printed.isoformat()}">
</head>
<body>
<section class="title-page" id="title-page">
<p class="publisher">{escape(edition.publisher)}</p>
<h1 class="book-title">{escape(edition.title)}</h1>
<p class="subtitle">{escape(edition.description)}</p>
<p class="edition">Edition {escape(edition.release)} · {printed}</p>
<p class="address">Read it online, every source a click away:<br>
<a class="reference external" href="{escape(edition.address)}">{escape(edition.address)}</a></p>
<div class="how-to-read">
<p>A citation in the text names a source’s authors and year; the source itself, with its
full address, is listed under <em>Sources</em> at the end of the same answer. A claim our
research could not yet source carries the mark [citation needed]; the list of claims
awaiting sources, at the end, says why for each one.</p>
</div>
</section>
<section class="contents" id="contents">
<h1>Contents</h1>
<ol>
{contents}
</ol>
</section>
{body}
</body>
</html>
"""


# -- Laying it out ---------------------------------------------------------------


def missing_fonts() -> list[str]:
    """The families and styles the stylesheet uses that fontconfig cannot find."""
    try:
        listed = subprocess.run(
            ["fc-list", ":", "family", "style"], capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return ["fc-list, which lists them"]
    have: set[tuple[str, str]] = set()
    for line in listed.splitlines():
        families, _, styles = line.partition(":style=")
        for family in families.split(","):
            have.update((family, style) for style in styles.split(","))
    return [
        f"{family} {style}"
        for family, styles in FONTS.items()
        for style in styles
        if (family, style) not in have
    ]


def render(book: str, base: Path, stylesheet: Path, paper: str, target: Path) -> int:
    """Lay *book* out as a tagged PDF/UA-1 file at *target*; its number of pages."""
    try:
        import weasyprint  # type: ignore[import-untyped]  # loaded only when a PDF is made
    except OSError as error:  # WeasyPrint loads Pango's shared libraries as it is imported
        raise LibrariesMissing(
            f"WeasyPrint cannot load Pango ({error}) (Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0)"
        ) from None

    stylesheets = [
        weasyprint.CSS(filename=str(stylesheet)),
        weasyprint.CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}"),
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    document = weasyprint.HTML(string=book, base_url=str(base)).render(
        stylesheets=stylesheets, pdf_variant="pdf/ua-1"
    )
    document.write_pdf(target, pdf_variant="pdf/ua-1")
    return len(document.pages)


def make_pdf(srcdir: Path, builddir: Path, paper: str) -> tuple[Path, int]:
    missing = missing_fonts()
    if missing:
        raise FontsMissing(
            "fonts the PDF is set in are not installed: "
            + ", ".join(missing)
            + " (Debian: apt-get install fontconfig fonts-dejavu-core fonts-dejavu-extra)"
        )
    outdir = builddir / "pdf"
    page, edition = build_singlehtml(srcdir, outdir)
    book = compose(page.read_text(encoding="utf-8"), edition)
    (outdir / "book.html").write_text(book, encoding="utf-8")
    target = outdir / PDF_NAME
    return target, render(book, page.parent, srcdir / STYLESHEET, paper, target)


class FontsMissing(BookError):
    pass


class LibrariesMissing(BookError):
    pass


def _paper(value: str) -> str:
    if value.lower() not in PAPER_SIZES:
        raise argparse.ArgumentTypeError(
            f"unknown paper size {value!r}: use one of {', '.join(PAPER_SIZES)}"
        )
    return value.lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m citetools.pdfbook", description=__doc__.splitlines()[0] if __doc__ else ""
    )
    parser.add_argument("--srcdir", type=Path, default=Path("."), help="the site's sources")
    parser.add_argument("--builddir", type=Path, default=Path("_build"), help="writes BUILDDIR/pdf")
    parser.add_argument("--paper", type=_paper, default="letter", help="letter (default) or a4")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return int(exit.code or 0)
    try:
        target, pages = make_pdf(args.srcdir, args.builddir, args.paper)
    except (FontsMissing, LibrariesMissing) as error:
        print(f"make pdf: {error}", file=sys.stderr)
        return 2
    except BookError as error:
        print(f"make pdf: {error}", file=sys.stderr)
        return 1
    print(f"make pdf: wrote {target} ({pages} pages, {args.paper})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
