"""The benchmark (``manage.py bench``) and the bulk province generator (``manage.py generate_province``).

Outside the shipped package on purpose: the benchmark's SQL floor writes hazard state, history, the chain
head, notifications and viewflow's task tables with raw SQL, and the generator is a bulk writer (COPY /
executemany) — neither goes through the transition services, so neither may ship with the service. The app
is installed only where ``BENCH_TOOLS=1`` (``make bench``, the test run).
"""
