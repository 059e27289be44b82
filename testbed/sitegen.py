"""Sites for the benchmarks: synthetic ones at any size, and bare copies.

A synthetic site has the real site's shape: the project's own ``conf.py`` and
static files, answer pages under ``faq/`` that cite with the roles the authors
use and end with a per-page Sources list, and a References page listing the
whole ``references.bib``. Every entry, name, title and link in it is made up
(``example.org`` links, DOIs under the ``10.5555`` test prefix) and only ever
written to a temporary directory.

A bare copy is the same pages with every citation replaced by its plain text,
every bibliography removed and the bibtex extensions switched off: the cost of
Sphinx and MyST alone, which the real build is compared with.

A plain copy is the same pages with every citation and bibliography replaced by
what the site's HTML shows for it, written as Markdown (the same words and
links), and the bibtex extensions switched off: between the bare copy and the
site, it tells what the bibliographies' text costs to build from what the
machinery that makes it costs.
"""

from __future__ import annotations

import html
import random
import re
import shutil
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, NavigableString
from bs4.element import PreformattedString
from docutils import nodes
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from citetools import pages, siteconf

PROJECT = Path(__file__).resolve().parents[1]
# Directories the site's conf.py refers to (theme files, templates).
SITE_ASSET_DIRS = ("_static", "_templates")
GENERATED_PAGES = ["index.md", "faq/*.md", "references.md", "claims-awaiting-sources.md"]

SURNAMES = (
    "Alvarez Baptiste Chen Dubois Eriksen Fofana Garc{\\'\\i}a Haddad Ibrahim Jansen "
    "Kowalski Lef{\\`e}vre M{\\\"u}ller Nakamura O'Connor Petrov Quispe Rossi Sato "
    "Tremblay Uchenna Vargas Walker Xu Yilmaz Zhang Brooks Okafor Lindqvist Moreau "
    "Novak Shapiro Whitfield Kaur Mensah Ortega Bj{\\\"o}rk Fischer Greco Hern{\\'a}ndez"
).split()
GIVEN = (
    "Ana Bilal Chiara Dmitri Emeka Fatima Gaspard Hana Ingrid Jonas Keiko Lucas "
    "Mar{\\'\\i}a Nadia Oskar Priya Renée Sofia Tom{\\'a}s Uma Victor Wen Yusuf Zo{\\\"e}"
).split()
ORGANISATIONS = (
    "Municipal Crisis Services Board",
    "Regional Health Authority",
    "Council on Community Safety",
    "Institute for Public Policy Research",
    "Office of the City Auditor",
    "Peer Support Network",
)
WORDS = (
    "crisis response police mental health co-responder peer support outcomes "
    "evaluation community safety emergency calls diversion services program "
    "review evidence costs arrests de-escalation training dispatch mobile team "
    "housing outreach substance use trust equity budget"
).split()
ACRONYMS = ("{CAHOOTS}", "{STAR}", "{CIT}", "{B-HEARD}", "{911}", "{EMS}")
JOURNALS = (
    "Journal of Community Safety",
    "Psychiatric Services",
    "Health \\& Justice",
    "Policing: An International Journal",
    "International Journal of Law and Psychiatry",
)
MONTHS = "jan feb mar apr may jun jul aug sep oct nov dec".split()
# (type, weight): roughly the mix of the real bibliography.
TYPES = (
    ("article", 35),
    ("misc", 40),
    ("techreport", 15),
    ("book", 5),
    ("incollection", 3),
    ("inproceedings", 2),
)


def _person(rng: random.Random) -> str:
    given = rng.choice(GIVEN)
    if rng.random() < 0.3:
        given = f"{given[0]}."
    return f"{rng.choice(SURNAMES)}, {given}"


def _authors(rng: random.Random) -> str:
    if rng.random() < 0.15:
        return "{" + rng.choice(ORGANISATIONS) + "}"
    count = rng.choice((1, 1, 2, 2, 3, 4, 6, 8))
    return " and ".join(_person(rng) for _ in range(count))


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(5, 12))
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), rng.choice(ACRONYMS))
    if rng.random() < 0.2:
        words.append("`in brief'")
    title = " ".join(words)
    return title[0].upper() + title[1:]


def _entry(rng: random.Random, number: int) -> tuple[str, str]:
    kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0]
    year = rng.randint(1995, 2025)
    authors = _authors(rng)
    surname = re.sub(r"\\.|[^a-z]", "", authors.split(",")[0].split()[-1].lower())
    key = f"{surname}{year}synthetic{number}"
    fields = {"author": authors, "title": _title(rng), "year": str(year)}
    if kind == "article":
        fields["journal"] = rng.choice(JOURNALS)
        fields["volume"] = str(rng.randint(1, 80))
        fields["number"] = str(rng.randint(1, 12))
        start = rng.randint(1, 900)
        fields["pages"] = f"{start}--{start + rng.randint(5, 30)}"
        fields["doi"] = f"10.5555/synthetic.{number}"
        fields["url"] = f"https://doi.org/{fields['doi']}"
    elif kind == "misc":
        fields["howpublished"] = f"{rng.choice(ORGANISATIONS)} website"
    elif kind == "techreport":
        fields["institution"] = rng.choice(ORGANISATIONS)
        fields["number"] = f"R{rng.randint(100, 999)}"
        if rng.random() < 0.3:
            fields["type"] = "Policy Brief"
    elif kind == "book":
        fields["publisher"] = "Example University Press"
        fields["address"] = "Greenfield"
        fields["isbn"] = f"978-0-00-{number:06d}-0"
    else:
        fields["booktitle"] = "Proceedings on " + _title(rng)
        fields["editor"] = _person(rng)
        fields["publisher"] = "Example Press"
        fields["pages"] = f"{rng.randint(1, 99)}--{rng.randint(100, 199)}"
    if "url" not in fields and rng.random() < 0.85:
        fields["url"] = f"https://example.org/{surname}/{year}/report-{number}"
        if rng.random() < 0.4:
            fields["urldate"] = f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
        if rng.random() < 0.2:
            fields["archiveurl"] = f"https://archive.example.org/2025/{fields['url']}"
            fields["archivedate"] = "2025-06-01"
            if rng.random() < 0.5:
                fields["urlstatus"] = "dead"
    if rng.random() < 0.6:
        fields["note"] = "Synthetic entry for benchmarks; " + " ".join(rng.sample(WORDS, 6))
    if rng.random() < 0.7:
        fields["month"] = rng.choice(MONTHS)  # a BibTeX macro, written without braces
    width = max(map(len, fields))
    body = ",\n".join(
        f"  {name:<{width}} = {value if name == 'month' else '{' + value + '}'}"
        for name, value in fields.items()
    )
    return key, f"@{kind}{{{key},\n{body}\n}}\n"


def write_bib(path: Path, entries: int, seed: int = 1) -> list[str]:
    """A ``references.bib`` of *entries* synthetic entries; returns their keys."""
    rng = random.Random(seed)
    keys, texts = [], []
    for number in range(entries):
        key, text = _entry(rng, number)
        keys.append(key)
        texts.append(text)
    path.write_text("\n".join(texts), encoding="utf-8")
    return keys


def _answer(rng: random.Random, number: int, keys: list[str], citations: int) -> str:
    """An answer page citing *citations* keys the ways the authors do."""
    cited = rng.sample(keys, citations)
    roles = []
    while cited:
        shape = rng.random()
        if shape < 0.15 and len(cited) >= 2:
            roles.append(f"{{cite:p}}`{cited.pop()},{cited.pop()}`")
        elif shape < 0.3:
            roles.append(f"{{cite:t}}`{cited.pop()}`")
        elif shape < 0.4:
            roles.append(f"{{cite:p}}`{{see}}{cited.pop()}{{p. {rng.randint(2, 90)}}}`")
        else:
            roles.append(f"{{cite:p}}`{cited.pop()}`")
    paragraphs, sentences = [], []
    for role in roles:
        words = " ".join(rng.sample(WORDS, 12))
        sentences.append(f"{words[0].upper()}{words[1:]} {role}.")
        if len(sentences) == 3:
            paragraphs.append(" ".join(sentences))
            sentences = []
    if number % 4 == 0:
        sentences.append(
            "An unsourced claim about response times {citation-needed}`No study measured this`."
        )
    if sentences:
        paragraphs.append(" ".join(sentences))
    body = "\n\n".join(paragraphs)
    return f"# Question {number}: what does the evidence say?\n\n{body}\n\n{SOURCES}"


# Every page that cites ends with its own sources, as the site's pages do.
SOURCES = "## Sources\n\n```{bibliography}\n:filter: docname in docnames\n```\n"


def _copy_site_config(dest: Path, project: Path) -> None:
    shutil.copy2(project / "conf.py", dest / "conf.py")
    for name in SITE_ASSET_DIRS:
        if (project / name).is_dir():
            shutil.copytree(project / name, dest / name)


def _append_to_conf(site: Path, heading: str, text: str) -> None:
    with (site / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f"\n\n# -- {heading} (added by bench/sitegen.py) --\n{text}")


def generate_site(
    dest: Path,
    pages: int,
    citations: int,
    entries: int,
    seed: int = 1,
    project: Path = PROJECT,
) -> Path:
    """A site of *pages* answers citing *citations* keys each from *entries*."""
    dest.mkdir(parents=True)
    _copy_site_config(dest, project)
    _append_to_conf(dest, "Generated pages", f"include_patterns = {GENERATED_PAGES!r}\n")
    rng = random.Random(seed)
    keys = write_bib(dest / "references.bib", entries, seed)
    (dest / "faq").mkdir()
    names = [f"q{number:04d}" for number in range(1, pages + 1)]
    for number, name in enumerate(names, start=1):
        (dest / "faq" / f"{name}.md").write_text(
            _answer(rng, number, keys, citations), encoding="utf-8"
        )
    toctree = "\n".join(
        [f"faq/{name}" for name in names] + ["references", "claims-awaiting-sources"]
    )
    (dest / "index.md").write_text(
        "# Synthetic FAQ\n\nA generated site for benchmarks "
        f"{{cite:p}}`{keys[0]}`.\n\n```{{toctree}}\n:maxdepth: 1\n{toctree}\n```\n\n{SOURCES}",
        encoding="utf-8",
    )
    (dest / "references.md").write_text(
        "# References\n\n```{bibliography}\n:all:\n```\n", encoding="utf-8"
    )
    (dest / "claims-awaiting-sources.md").write_text(
        "# Claims awaiting sources\n\n```{claims-awaiting-sources}\n```\n", encoding="utf-8"
    )
    return dest


# ``{cite:p}`{see}key{p. 5}` `` -> "(see key p. 5)": the reader still sees words there.
CITE_ROLE = re.compile(r"\{(?:foot)?cite(?::\w+)?\}`([^`]*)`")
BIBLIOGRAPHY = re.compile(r"^(`{3,}|:{3,})\{(?:foot)?bibliography\}.*?^\1[ \t]*$\n?", re.M | re.S)
BIBTEX_IMPORT = re.compile(r"^\s*(?:from|import)\s+(?:pybtex|sphinxcontrib\.bibtex)\b", re.M)


def _plain_citation(match: re.Match) -> str:
    text = re.sub(r"\s*,\s*", ", ", re.sub(r"[{}]", " ", match.group(1)))
    return "(" + " ".join(text.split()) + ")"


def strip_citations(markdown: str) -> str:
    """The page as it reads without the bibtex machinery."""
    return BIBLIOGRAPHY.sub("", CITE_ROLE.sub(_plain_citation, markdown))


# Characters that could make Markdown of a text; escaped, they print as themselves.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>{}#|~$&!])")
# What would open a block at the start of a line: a numbered or bulleted list, a comment.
_BLOCK_START = re.compile(r"^(?:(\d+)(?=[.)])|(?=[-+%]))")
# In a link's <address>: what would end it or be read as an escape or a reference.
_ADDRESS_SPECIAL = re.compile(r"([\\<>&])")
_WEB_ADDRESS = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)


def _markdown(element: Any) -> str:
    """*element*'s text, links and emphasis as Markdown on one line.

    A link within the site stays an HTML link: as Markdown it would be a
    cross-reference for MyST to resolve, and the plain pages hold no citation
    targets; a web address would be printed after it in the ePub.
    """
    parts = []
    for child in element.children:
        if isinstance(child, PreformattedString):  # a comment or declaration: not text
            continue
        if isinstance(child, NavigableString):
            parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", str(child)))
        elif child.name == "a":
            href = child.get("href", "")
            if _WEB_ADDRESS.match(href):
                address = _ADDRESS_SPECIAL.sub(r"\\\1", href)
                parts.append(f"[{_markdown(child)}](<{address}>)")
            else:
                parts.append(f'<a href="{html.escape(href)}">{_markdown(child)}</a>')
        elif child.name == "em":
            text = _markdown(child)
            # Emphasis starts and ends at a word: spaces go outside the asterisks.
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
            parts.append(f"{lead}*{text.strip()}*{trail}" if text.strip() else text)
        else:
            parts.append(_markdown(child))
    return re.sub(r"\s+", " ", "".join(parts))


def _line(element: Any) -> str:
    """*element* as Markdown text that may start a line without opening a block."""
    return _BLOCK_START.sub(r"\1\\", _markdown(element).strip(), count=1)


def _role_keys(role: re.Match) -> list[str]:
    """The keys a match of ``CITE_ROLE`` cites, read as sphinxcontrib-bibtex reads them."""
    return [target.key for target in parse_citation_targets(role.group(1))]


def _list_ids(template: str) -> re.Pattern:
    """The ids ``bibtex_bibliography_id`` gives the lists: ``sources-1``, ``sources-2``..."""

    def field(name: re.Match) -> str:
        return r"\d+" if name.group() == r"\{bibliography_count\}" else ".+"

    return re.compile("^" + re.sub(r"\\\{\w+\\\}", field, re.escape(template)) + "$")


def _items(found: Any) -> str:
    """A bibliography's list (*found*: the list, or the container holding it) as Markdown."""
    entries = found if found.name in ("ul", "ol") else found.find(["ul", "ol"])
    if entries is None:
        raise ValueError(f"no list in the bibliography `{found.get('id')}`")
    first = int(entries.get("start", 1))
    return "".join(
        f"{f'{first + number}.' if entries.name == 'ol' else '-'} {_line(item)}\n"
        for number, item in enumerate(entries.find_all("li", recursive=False))
    )


def _plain_page(markdown: str, html_page: str, list_id: re.Pattern) -> str:
    soup = BeautifulSoup(html_page, "html.parser")
    content = soup.find("article") or soup
    citations = iter(content.select("span.bibtex-citation"))
    lists = iter(content.find_all(id=list_id))

    def citation(match: re.Match) -> str:
        shown = next(citations)
        targets = [link.get("href", "").rpartition("#")[2] for link in shown.find_all("a")]
        for key in _role_keys(match):
            if not any(nodes.make_id(key) in target for target in targets):
                raise ValueError(f"the HTML's citation in that place does not link to `{key}`")
        return _line(shown)

    try:
        plain = BIBLIOGRAPHY.sub(lambda _: _items(next(lists)), CITE_ROLE.sub(citation, markdown))
    except StopIteration:
        raise ValueError("the HTML has fewer citations or lists than the page") from None
    if next(citations, None) is not None or next(lists, None) is not None:
        raise ValueError("the HTML has more citations or lists than the page")
    return plain


def make_plain(site: Path, rendered: Path, project: Path = PROJECT) -> Path:
    """Write into *site*'s pages, for each citation and bibliography, what the site's HTML
    build *rendered* shows for it, and switch its bibtex extensions off."""
    config = read_config(site)
    list_id = _list_ids(config["bibtex_bibliography_id"])
    for page in siteconf.page_sources(site, config):
        name = page.relative_to(site).with_suffix(".html").as_posix()
        text = page.read_text(encoding="utf-8")
        try:
            # Placed in order of the page: a role MyST does not render (in code, a
            # comment) has no text in the HTML to take.
            written = [key for role in CITE_ROLE.finditer(text) for key in _role_keys(role)]
            if written != [citation.key for citation in pages.scan(page, text).citations]:
                raise ValueError("a citation role is in code or a comment")
            plain = _plain_page(text, (rendered / name).read_text(encoding="utf-8"), list_id)
        except ValueError as error:
            raise ValueError(f"{name}: {error}") from None
        page.write_text(plain, encoding="utf-8")
    _switch_bibtex_off(site, "Plain build: the bibliographies' text, no bibtex", project)
    return site


def bibtex_extensions(extensions: list[str], project: Path = PROJECT) -> list[str]:
    """sphinxcontrib.bibtex and the local extensions that need it or pybtex."""
    found = []
    for name in extensions:
        if name.startswith("sphinxcontrib.bibtex"):
            found.append(name)
            continue
        module = project / (name.replace(".", "/") + ".py")
        if module.is_file() and BIBTEX_IMPORT.search(module.read_text(encoding="utf-8")):
            found.append(name)
    return found


def read_config(site: Path) -> dict:
    """The settings *site*'s conf.py makes, read as the build and ``citetools lint`` read them."""
    return siteconf.read(site / siteconf.FILENAME)


def copy_site(project: Path, dest: Path) -> Path:
    """The real site's sources: its conf.py, assets, pages and bibliography."""
    config = read_config(project)
    dest.mkdir(parents=True)
    _copy_site_config(dest, project)
    names = set(config.get("bibtex_bibfiles", []))
    names.update(str(p.relative_to(project)) for p in siteconf.page_sources(project, config))
    for name in sorted(names):
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(project / name, dest / name)
    return dest


def make_bare(site: Path, project: Path = PROJECT) -> Path:
    """Strip *site*'s citations and bibliographies, and switch its bibtex extensions off."""
    for page in site.rglob("*.md"):
        page.write_text(strip_citations(page.read_text(encoding="utf-8")), encoding="utf-8")
    _switch_bibtex_off(site, "Bare build: no bibtex", project)
    return site


def _switch_bibtex_off(site: Path, heading: str, project: Path) -> None:
    off = bibtex_extensions(read_config(site)["extensions"], project)
    _append_to_conf(site, heading, f"extensions = [e for e in extensions if e not in {off!r}]\n")
