"""``make bench`` (``python -m bench.run``): timings of builds, lint and link checks."""
