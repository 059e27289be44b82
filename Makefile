# Builds the co-responder FAQ with Sphinx. `make help` lists the targets.

PYTHON      ?= python3
VENVDIR     ?= .venv
BUILDDIR    ?= _build
# Warnings are errors: a broken citation must never reach readers.
SPHINXOPTS  ?= -n -W --keep-going
SPHINXBUILD  = $(VENVDIR)/bin/sphinx-build
PORT        ?= 8000

# Stamps record which pinned set the venv holds; editing a requirements file
# (or pyproject.toml) reinstalls on the next make.
DOCS_STAMP = $(VENVDIR)/.installed-docs
PDF_STAMP  = $(VENVDIR)/.installed-pdf
TEST_STAMP = $(VENVDIR)/.installed-test

.DEFAULT_GOAL := help

.PHONY: help
help:  ## List the targets.
	@echo "Usage: make TARGET"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(DOCS_STAMP): requirements.txt pyproject.toml
	@test -x $(VENVDIR)/bin/python || $(PYTHON) -m venv $(VENVDIR)
	$(VENVDIR)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
# compat: a path in a .pth file; the default import hook costs each `citetools` call ~30 ms.
	$(VENVDIR)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e . \
		--config-settings editable_mode=compat
	@touch $@

$(PDF_STAMP): $(DOCS_STAMP) requirements-pdf.txt
	$(VENVDIR)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-pdf.txt
	@touch $@

$(TEST_STAMP): $(DOCS_STAMP) $(PDF_STAMP) requirements-test.txt
	$(VENVDIR)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	@touch $@

.PHONY: venv
venv: $(TEST_STAMP)  ## Create .venv with every pinned dependency.

.PHONY: html
# The site offers the PDF and the ePub for download: both are built and copied in.
html: $(DOCS_STAMP) epub pdf  ## Build the site, with the PDF and the ePub, into _build/html.
	$(SPHINXBUILD) -M html . $(BUILDDIR) $(SPHINXOPTS)
	cp $(BUILDDIR)/pdf/co-responder-faq.pdf $(BUILDDIR)/epub/co-responder-faq.epub $(BUILDDIR)/html/

.PHONY: epub
epub: $(DOCS_STAMP)  ## Build the ePub into _build/epub.
	$(SPHINXBUILD) -M epub . $(BUILDDIR) $(SPHINXOPTS)

# -- The PDF edition (citetools/pdfbook.py, WeasyPrint) ---------------------------
PAPER ?= letter

.PHONY: pdf
pdf: $(PDF_STAMP)  ## Build the printable PDF: _build/pdf/co-responder-faq.pdf (PAPER=a4 for A4).
	$(VENVDIR)/bin/python -m citetools.pdfbook --builddir $(BUILDDIR) --paper $(PAPER)

.PHONY: serve
# The page's Content-Security-Policy would block the live-reload script autobuild injects.
serve: $(DOCS_STAMP)  ## Rebuild on save and reload the browser on 127.0.0.1:8000.
	$(VENVDIR)/bin/sphinx-autobuild . $(BUILDDIR)/html $(SPHINXOPTS) \
		-D html_hardening_csp_enabled=0 \
		--host 127.0.0.1 --port $(PORT) --watch citetools --watch _static

# -- Contributor checks (citetools lint, fmt, claims) --
# MAX_NEEDED=N makes `make check` fail when more than N claims await a source.
.PHONY: check
check: $(DOCS_STAMP)  ## Check references.bib and the pages' citations; count claims.
	$(VENVDIR)/bin/citetools lint
	$(VENVDIR)/bin/citetools fmt --check
	$(VENVDIR)/bin/citetools claims $(if $(MAX_NEEDED),--max-needed $(MAX_NEEDED))

# -- Code checks: the same pinned tools as the pre-commit hooks (settings in pyproject.toml) --
# Every check runs, so one `make lint` shows every problem; any failure fails the target.
LINTERS = "ruff check" "ruff format --check" codespell mypy "actionlint .github/workflows/*.yml"

.PHONY: lint
lint: $(TEST_STAMP)  ## Check the code: ruff, ruff format, codespell, mypy --strict, actionlint.
	@failed=; for linter in $(LINTERS); do \
		echo "$$linter"; $(VENVDIR)/bin/$$linter || failed="$$failed, $$linter"; \
	done; test -z "$$failed" || { echo "make lint: failed: $${failed#, }" >&2; exit 1; }

.PHONY: test
test: lint check $(TEST_STAMP)  ## Run the code and content checks, then the test suite (site, ePub, PDF).
	$(VENVDIR)/bin/python -m pytest

# Link checking: `citetools links --check` runs Sphinx's linkcheck builder (log in
# _build/linkcheck/sphinx.log; its exit status is ignored, the report decides), unless
# nothing changed and every link worked within the cache's age, then writes
# _build/linkcheck/sources.md and sources.json. Its exit status: 0 nothing broken,
# 1 a source (or a page's link) broken, 3 network unreachable; make itself exits 2 on
# any failure and names the status in its "Error 1" or "Error 3" line.
# LINKCHECKOPTS="--no-cache" checks every link again; "--format github" annotates.
LINKCHECKOPTS ?=

.PHONY: linkcheck
linkcheck: $(DOCS_STAMP)  ## Check every source's URL, DOI and archive; report: _build/linkcheck/sources.md.
	@$(VENVDIR)/bin/citetools links --check --builddir $(BUILDDIR) $(LINKCHECKOPTS)

# -- Performance (bench/) -------------------------------------------------------
.PHONY: bench
bench: $(TEST_STAMP)  ## Time builds, lint and link check (against lychee) at scale; writes _build/bench.json.
	$(VENVDIR)/bin/python -m bench.run --out $(BUILDDIR)/bench.json

# Upstream's own test suites with our patches of their code loaded (needs the
# package registry; not part of `make test`): see bench/upstream_tests.sh.
.PHONY: upstream-tests
upstream-tests:  ## Run sphinxcontrib-bibtex's, pybtex's and Sphinx's linkcheck tests with our patches.
	WORK=$(abspath $(BUILDDIR))/upstream-tests sh bench/upstream_tests.sh

.PHONY: clean
clean:  ## Remove the build output.
	rm -rf $(BUILDDIR)

.PHONY: clean-venv
clean-venv:  ## Remove the virtual environment.
	rm -rf $(VENVDIR)
