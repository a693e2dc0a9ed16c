"""gunicorn settings for `make serve` and production (`gunicorn -c backend/deploy/gunicorn.conf.py backend.wsgi`).

Processes, not threads: the face check (dlib) holds the GIL for ~0.2 s per photo, so a thread would stall every
other request of its process. ``gthread`` with one thread is a sync worker that also keeps idle keep-alive
connections out of the request slot. Every value can be overridden by the environment (``GUNICORN_CMD_ARGS`` too).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# CPU-bound work (face encodings, PBKDF2 logins, JSON): about one process per core plus one to cover I/O waits.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = 1
keepalive = 5
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle processes now and then: bounds slow leaks (dlib, Pillow) without a restart of the service.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The load balancer's X-Forwarded-Proto is trusted from these addresses only (BEHIND_TLS_PROXY=1 in settings).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None  # "-" for stdout; off by default (the proxy logs)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
proc_name = "yiwang"
