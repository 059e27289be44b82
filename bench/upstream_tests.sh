#!/bin/sh
# Prove our patches of other projects against their own tests: sphinxcontrib-bibtex's and
# pybtex's test suites, at the versions pinned in requirements.txt, with
# citetools.sphinxext.bibtex_speedups loaded into every build (bench/upstream_patches.py),
# and Sphinx's linkcheck tests with citetools.sphinxext.linkcheck_sources loaded
# (bench/upstream_linkcheck.py).
# Needs the package registry (a venv and the two source archives, kept in $WORK);
# not part of `make test`. Run it before accepting a new version in
# citetools/sphinxext/upstream_versions.py. Exit status: that of the first failing suite.
#
#   sh bench/upstream_tests.sh            (or: make upstream-tests)
set -eu
cd "$(dirname "$0")/.."
PROJECT=$(pwd)
WORK=${WORK:-$PROJECT/_build/upstream-tests}
PYTHON=${PYTHON:-python3}
pin() { sed -n "s/^$1==//p" "$2"; }
BIBTEX=$(pin sphinxcontrib-bibtex requirements.txt)
PYBTEX=$(pin pybtex requirements.txt)
SPHINX=$(pin Sphinx requirements.txt)
PYTEST=$(pin pytest requirements-test.txt)
# sphinxcontrib-bibtex's test extra (test_autoapi.py); not a dependency of the site.
AUTOAPI=3.9.0

mkdir -p "$WORK"
test -x "$WORK/venv/bin/python" || "$PYTHON" -m venv "$WORK/venv"
PIP="$WORK/venv/bin/python -m pip --disable-pip-version-check -q"
$PIP install -r requirements.txt "pytest==$PYTEST" "sphinx-autoapi==$AUTOAPI"
$PIP install --no-deps -e .
$PIP download --no-deps --no-binary :all: -d "$WORK" \
    "sphinxcontrib-bibtex==$BIBTEX" "pybtex==$PYBTEX" "sphinx==$SPHINX"
tar -xzf "$WORK/sphinxcontrib_bibtex-$BIBTEX.tar.gz" -C "$WORK"
tar -xzf "$WORK/pybtex-$PYBTEX.tar.gz" -C "$WORK"
tar -xzf "$WORK/sphinx-$SPHINX.tar.gz" -C "$WORK"

run() {  # run DIRECTORY PLUGIN PYTEST-ARGUMENTS...
    dir=$1
    plugin=$2
    shift 2
    echo "== $(basename "$dir"): its tests with $plugin"
    (cd "$dir" && PYTHONPATH="$PROJECT" "$WORK/venv/bin/python" -m pytest \
        -p "$plugin" -q -p no:cacheprovider "$@")
}
status=0
run "$WORK/sphinxcontrib_bibtex-$BIBTEX" bench.upstream_patches || status=$?
# pybtex's tests and its modules' doctests (its own configuration runs those from
# src/; here they run on the installed copy, the one that is patched).
run "$WORK/pybtex-$PYBTEX" bench.upstream_patches tests --pyargs pybtex \
    || { test $status -ne 0 || status=$?; }
run "$WORK/sphinx-$SPHINX" bench.upstream_linkcheck tests/test_builders/test_build_linkcheck.py \
    || { test $status -ne 0 || status=$?; }
exit $status
