"""Demo and benchmark data, kept out of the product's domain folders.

- ``demo``: ``flask --app nominee seed-demo``, a small believable community built
  through the domain services, one step per domain.
- ``scale``: ``flask --app nominee seed-scale``, a synthetic programme of up to millions
  of rows written in bulk, and the benchmark's pages and cast (``benchmarks/bench.py``,
  ``tests/perf``).
- ``cli``: the two commands.

Only the command line imports this package (``nominee/cli.py`` registers
``nominee.seeding.cli``); no product module does. Apart from ``cli``, nothing here
imports Flask: the caller passes the session or connection.
"""
