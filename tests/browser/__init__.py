"""Tests that drive Chromium through Playwright."""
