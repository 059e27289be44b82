"""Where a value's braces and quotes close, as BibTeX (and pybtex) read them."""

import pytest

from citetools.bibvalue import Part, parse_value


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("{a {b} c}", "a {b} c"),  # braces nest
        ('"x {"} y"', 'x {"} y'),  # a quote inside braces is text
        ("{\\{}}", "\\{}"),  # a backslash escapes nothing
        ('"Health \\& {J}ustice"', "Health \\& {J}ustice"),
    ],
)
def test_value_closes_where_bibtex_closes_it(raw: str, text: str) -> None:
    parsed = parse_value(raw)
    assert parsed.error_at is None
    assert parsed.parts == (Part("text", text),)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{a", "the `{` is never closed"),
        ('"a {b"', 'the `"` is never closed'),  # the quote is inside an open brace
        ('"a } b" c', 'the `"` is never closed'),  # after a stray `}` no quote closes it
    ],
)
def test_unclosed_value_is_reported_at_its_opening(raw: str, message: str) -> None:
    parsed = parse_value(raw)
    assert (parsed.error_at, parsed.error) == (0, message)
