"""Without Chromium the browser tests skip and say why, except under CI=true."""

from __future__ import annotations

import pytest

from .conftest import browser_unavailable


def test_missing_browser_skips_locally_with_the_reason(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        browser_unavailable("/usr/bin/chromium is missing: apt-get install chromium")


def test_missing_browser_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        browser_unavailable("/usr/bin/chromium is missing: apt-get install chromium")
