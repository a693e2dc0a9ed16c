"""gunicorn settings for `make serve` and production (`gunicorn -c backend/deploy/gunicorn.conf.py backend.wsgi`).

Processes, not threads: the face check (dlib) holds the GIL for ~0.2-0.4 s per photo, so a thread would stall every
other request of its process. And **sync** workers rather than gthread with one thread: a gthread worker keeps
accepting connections while its one thread is busy, so a request queues behind a face check in that process even
when another process is idle; a sync worker accepts only when it is free, so the kernel hands the connection to an
idle process. In interleaved A/B runs (docs/PERFORMANCE.md) throughput was the same within the machine's noise and
the p99 of polling and of enrolment applications was 2-4x lower with sync. The load balancer, not gunicorn, keeps
client connections alive. Every value can be overridden by the environment (``GUNICORN_CMD_ARGS`` too).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# 2 x cores + 1: requests wait on PostgreSQL and Redis round trips part of the time; each process holds ~250 MB once
# the face models are loaded, so memory, not CPU, caps this on small machines.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
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
