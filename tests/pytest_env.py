"""Loaded with -p before Django starts: tests run with the embedded defaults."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-for-production-use-0123456789")
# The benchmark tools (tools/bench) are installed for their own tests; production never has them.
os.environ.setdefault("BENCH_TOOLS", "1")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
# Tests speak plain HTTP on loopback: no redirect to HTTPS, cookies not limited to HTTPS.
for name in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"):
    os.environ.setdefault(name, "0")
