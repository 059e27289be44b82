"""What the tests and the benchmarks run against: copies of the site and generated sites
(``sitegen``), and loopback web servers (``linkserver``). Not part of the citetools package:
``pytest`` and ``python -m bench.run`` find it from the project folder."""
