"""``citetools fmt``: one canonical layout that never drops or changes anything."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from citetools import bibfile
from citetools.bibvalue import Part
from citetools.cli import main
from citetools.fmt import format_bib

BIB = Path(__file__).parent / "data" / "bib"

MESSY = """% Header comment: stays at the top.

@ARTICLE{zeta2020last,
    Title="Zeta {Study}",
  author = {Zeta, Zoe},
      Year = 2020,
  journal = jn # " Supplement",
  doi = {10.5555/z}
}
% about alpha
@Misc(alpha2019first, author={{Alpha Group}}, title = {50\\% of {A}lpha}, year={2019},
  url={https://example.org/a%20b}, urldate = {2026-01-01}, month = may)

@string{jn = "Journal of Things"}
@comment{kept as written}
% trailing comment
"""

CANONICAL = """% Header comment: stays at the top.

@string{jn = {Journal of Things}}

% about alpha

@misc{alpha2019first,
  author = {{Alpha Group}},
  title = {50\\% of {A}lpha},
  year = {2019},
  month = may,
  url = {https://example.org/a%20b},
  urldate = {2026-01-01},
}

@article{zeta2020last,
  author = {Zeta, Zoe},
  title = {Zeta {Study}},
  journal = jn # { Supplement},
  year = {2020},
  doi = {10.5555/z},
}

@comment{kept as written}

% trailing comment
"""


def test_canonical_layout(tmp_path, capsys):
    path = tmp_path / "refs.bib"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    assert capsys.readouterr().err == f"{path}:0: rewritten in the canonical layout\n"
    assert path.read_text(encoding="utf-8") == CANONICAL
    assert main(["fmt", "--check", str(path)]) == 0
    assert capsys.readouterr().out == ""


def test_check_shows_a_diff_and_changes_nothing(tmp_path, capsys):
    path = tmp_path / "refs.bib"
    path.write_text(MESSY, encoding="utf-8")
    assert main(["fmt", "--check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:3: fmt-layout not in the canonical layout")
    assert "+@misc{alpha2019first,\n" in out
    assert "-@ARTICLE{zeta2020last,\n" in out
    assert path.read_text(encoding="utf-8") == MESSY


def test_good_file_is_already_canonical(capsys):
    assert main(["fmt", "--check", str(BIB / "good.bib")]) == 0


@pytest.mark.parametrize(
    "name", ["unbalanced-value.bib", "unclosed-entry.bib", "missing-comma.bib"]
)
def test_refuses_a_file_with_syntax_errors(tmp_path, capsys, name):
    path = tmp_path / name
    shutil.copy(BIB / name, path)
    before = path.read_bytes()
    assert main(["fmt", str(path)]) == 1
    out = capsys.readouterr()
    assert out.out.startswith(f"{path}:")
    assert out.err == f"{path}:0: left unchanged: fix the errors above first\n"
    assert path.read_bytes() == before


_ENTRY = "@misc{a2020t,\n  title = {T},\n  year = {2020},\n}\n"


@pytest.mark.parametrize(
    "text, line, code",
    [
        # The same field in two letter cases: one value would be lost.
        ("@misc{a2020t,\n  Title = {T},\n  title = {U},\n}\n", 3, "duplicate-field"),
        # BibTeX ends a quoted value at `\"`: braces would change what it means.
        ('@misc{a2020t,\n  author = "Schr\\"odinger, Erwin",\n}\n', 2, "quote-in-value"),
        ("<<<<<<< HEAD\n" + _ENTRY + "=======\n" + _ENTRY + ">>>>>>> theirs\n", 1,
         "conflict-marker"),
        ("@misc{a2020t,\n  title\n  year = {2020},\n}\n", 2, "syntax"),
        ("@misc{a2020t,\n  title = {T},\n  year = {2020},\n", 1, "unbalanced-braces"),
        ("@misc{a2020t,\n  title = {T}, % why\n  year = {2020},\n}\n", 2, "comment-in-entry"),
        # Closed too early: its last fields would be moved away from it.
        ("@misc{z2020t,\n  title = {Z}},\n  year = {2020},\n}\n" + _ENTRY, 2, "stray-brace"),
    ],
)  # fmt: skip
def test_refuses_what_it_cannot_keep(tmp_path, capsys, text, line, code):
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", str(path)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"{path}:{line}: {code} ")
    assert path.read_text(encoding="utf-8") == text


def test_text_between_entries_is_kept_verbatim_in_place(tmp_path, capsys):
    """BibTeX reads text outside entries as a comment: fmt keeps it, where it was."""
    text = (
        "### Sources for chapter 2 ###\n\n"
        "@misc{b2020t,\n  title = {B},\n  year = {2020},\n}\n\n"
        "see also https://example.org/a%20b\nA paragraph of prose about the next entry.\n\n"
        "@misc{a2020t,\n  year = {2020},\n  title = {A},\n}\n"
    )
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    out = path.read_text(encoding="utf-8")
    assert out.startswith("### Sources for chapter 2 ###\n")
    prose = "see also https://example.org/a%20b\nA paragraph of prose about the next entry."
    assert prose + "\n\n@misc{a2020t," in out  # still just above the entry it came before
    assert out.index("@misc{a2020t,") < out.index("@misc{b2020t,")


def test_concatenations_keep_their_meaning(tmp_path):
    text = '@string{jn = "Journal"}\n\n@misc{a2020t,\n  title = "Part " # jn # {, 2},\n}\n'
    path = tmp_path / "refs.bib"
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    out = path.read_text(encoding="utf-8")
    assert "title = {Part } # jn # {, 2}," in out
    assert bibfile.read(path).entries[0].fields["title"] == "Part Journal, 2"


def test_not_utf8_is_unreadable(tmp_path, capsys):
    path = tmp_path / "latin1.bib"
    shutil.copy(BIB / "latin1.bib", path)
    assert main(["fmt", str(path)]) == 2
    assert capsys.readouterr().out.startswith(f"{path}:3: not-utf8")


def test_writes_atomically_and_keeps_the_mode(tmp_path, monkeypatch):
    path = tmp_path / "refs.bib"
    path.write_text(MESSY, encoding="utf-8")
    path.chmod(0o640)
    replaced = []
    real_replace = os.replace

    def spy(src, dst):
        replaced.append((Path(src).parent, Path(dst)))
        assert Path(dst).read_text(encoding="utf-8") == MESSY  # old file intact until the rename
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    assert main(["fmt", str(path)]) == 0
    assert replaced == [(tmp_path, path)]
    assert path.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_check_names_windows_line_endings(tmp_path, capsys):
    path = tmp_path / "refs.bib"
    path.write_bytes(_ENTRY.replace("\n", "\r\n").encode())
    assert main(["fmt", "--check", str(path)]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith(f"{path}:1: fmt-layout Windows line endings (CRLF)")
    assert main(["fmt", str(path)]) == 0
    assert path.read_bytes() == _ENTRY.encode()


def test_a_symbolic_link_stays_and_the_file_it_points_to_is_written(tmp_path, capsys):
    # A reference manager's export, linked into the site.
    export = tmp_path / "export" / "library.bib"
    export.parent.mkdir()
    export.write_text(MESSY, encoding="utf-8")
    link = tmp_path / "refs.bib"
    link.symlink_to(export)
    assert main(["fmt", str(link)]) == 0
    assert link.is_symlink()
    assert export.read_text(encoding="utf-8") == CANONICAL
    assert sorted(p.name for p in export.parent.iterdir()) == ["library.bib"]


def test_a_file_that_cannot_be_written_is_named_and_left_as_it_was(tmp_path, capsys, monkeypatch):
    path = tmp_path / "refs.bib"
    path.write_text(MESSY, encoding="utf-8")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("tempfile.mkstemp", refuse)
    assert main(["fmt", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{path}:0: cannot write the file (permission denied): it is as it was")
    assert "Traceback" not in err
    assert path.read_text(encoding="utf-8") == MESSY


def test_duplicate_keys_are_both_kept(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(
        "@misc{b2020x, title={1}}\n@misc{a2020x, title={2}}\n@misc{b2020x, title={3}}\n"
    )
    assert main(["fmt", str(path)]) == 0
    text = path.read_text()
    assert text.index("{2}") < text.index("{1}") < text.index("{3}")


# -- Round trips -----------------------------------------------------------------

_PLAIN = st.text(
    alphabet=st.characters(
        codec="utf-8",
        categories=("L", "N", "P", "S", "Zs"),
        exclude_characters='{}"\\@%#',
    ),
    min_size=1,
    max_size=8,
)
# `\"` only inside braces: in a quoted value BibTeX ends the value there.
_ATOMS = st.one_of(
    _PLAIN,
    st.sampled_from(["\\%", "\\&", "{\\'e}", '{\\"o}', "{\\ss}", "--", " and ", "\n  ", "#"]),
)


def _text(depth: int = 2):
    """Balanced text: atoms and nested groups, never an unescaped `%`, `@` or `"` at the top."""
    if depth == 0:
        return st.lists(_ATOMS, max_size=4).map("".join)
    group = _text(depth - 1).map(lambda t: "{" + t + "}")
    quoted = st.just('{"}')
    return st.lists(st.one_of(_ATOMS, group, quoted), max_size=5).map("".join)


_NAME = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True)


@st.composite
def _value(draw, macros: list[str]):
    """A value as (parts, how it is written)."""
    n = draw(st.integers(1, 3))
    parts, written = [], []
    for _ in range(n):
        kind = draw(st.sampled_from(["brace", "quote", "number", "macro"]))
        if kind == "macro" and macros:
            name = draw(st.sampled_from(macros))
            parts.append(Part("macro", name))
            written.append(name)
        elif kind == "number":
            digits = draw(st.from_regex(r"[0-9]{1,4}", fullmatch=True))
            parts.append(Part("text", digits))
            written.append(digits)
        else:
            text = draw(_text())
            parts.append(Part("text", text))
            written.append(f'"{text}"' if kind == "quote" else "{" + text + "}")
    space = draw(st.sampled_from([" ", "", "\n    "]))
    return tuple(parts), f"{space}#{space}".join(written)


@st.composite
def bibliographies(draw):
    """A .bib text and what it holds: entries, @string macros and comments."""
    strings = draw(st.lists(_NAME, max_size=3, unique=True))
    macros = strings + ["jan", "dec"]
    blocks, expected_entries, expected_strings, comments = [], [], {}, []
    for name in strings:
        parts, written = draw(_value(macros=[m for m in strings if m < name]))
        expected_strings[name] = parts
        blocks.append(f"@string{{{name} = {written}}}")
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.from_regex(r"[A-Za-z][A-Za-z0-9:_-]{0,12}", fullmatch=True))
        kind = draw(st.sampled_from(["article", "Book", "MISC", "online", "artcle", "techreport"]))
        names = draw(st.lists(_NAME, max_size=6, unique=True))
        fields, lines = {}, []
        for field in names:
            parts, written = draw(_value(macros=macros))
            fields[field] = parts
            shown = draw(st.sampled_from([field, field.upper(), field.title()]))
            gap = draw(st.sampled_from([" = ", "=", "  =  "]))
            lines.append(f"{shown}{gap}{written}")
        sep = draw(st.sampled_from([",\n  ", ", ", ",\n\t"]))
        trailing = draw(st.sampled_from(["", ",", ",\n"]))
        opening, closing = draw(st.sampled_from([("{", "}"), ("(", ")")]))
        body = sep.join(lines)
        head = f"@{kind}{opening}{key}" + (f",\n  {body}{trailing}" if lines else ",")
        blocks.append(f"{head}\n{closing}")
        expected_entries.append((key, kind.lower(), fields))
    for _ in range(draw(st.integers(0, 3))):
        comment = draw(_PLAIN).strip() or "note"
        position = draw(st.integers(0, len(blocks)))
        if draw(st.booleans()):
            blocks.insert(position, f"% {comment}")
            comments.append(f"% {comment}")
        else:
            blocks.insert(position, f"@comment{{{comment}}}")
            comments.append(f"@comment{{{comment}}}")
    gap = draw(st.sampled_from(["\n", "\n\n", "\n\n\n"]))
    return gap.join(blocks) + "\n", expected_entries, expected_strings, comments


def _holds(bib, entries, strings, comments) -> None:
    assert bib.failures == []
    got = sorted((e.key, e.type, sorted(e.parts.items())) for e in bib.entries)
    assert got == sorted((key, kind, sorted(fields.items())) for key, kind, fields in entries)
    assert {s.name: s.parts for s in bib.strings.values()} == strings
    text = "\n".join(b.text for b in bib.blocks if isinstance(b, bibfile.BibComment))
    for comment in comments:
        assert comment in text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bibliographies())
def test_round_trip_keeps_every_entry_field_value_macro_and_comment(case):
    text, entries, strings, comments = case
    original = bibfile.parse(text)
    _holds(original, entries, strings, comments)
    canonical = format_bib(original)
    again = bibfile.parse(canonical)
    _holds(again, entries, strings, comments)
    assert [e.fields for e in sorted(again.entries, key=lambda e: e.key.lower())] == [
        e.fields for e in sorted(original.entries, key=lambda e: e.key.lower())
    ]
    assert format_bib(again) == canonical  # idempotent


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bibliographies())
def test_fmt_command_round_trip(tmp_path_factory, case):
    text, entries, strings, comments = case
    path = tmp_path_factory.mktemp("fmt") / "refs.bib"
    path.write_text(text, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    _holds(bibfile.read(path), entries, strings, comments)
    assert main(["fmt", "--check", str(path)]) == 0
