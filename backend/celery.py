"""Celery application.

Only used when ``REDIS_URL`` is set; otherwise ``CELERY_TASK_ALWAYS_EAGER`` makes every task run inline, so a
newcomer's ``make run`` needs no broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

app = Celery("yiwang")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
