"""The Celery app for production: workers deliver notifications, beat runs the periodic jobs.

    celery -A config worker -l info
    celery -A config beat -l info

The broker comes from CELERY_BROKER_URL, else REDIS_URL (settings.py). The embedded default needs
none of this: `manage.py deliver_notifications --loop` runs the same code in process.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hazards")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Delivery is also woken on commit (notifications.services._wake_worker); this catches retries.
    "deliver-notifications": {
        "task": "notifications.deliver",
        "schedule": float(os.environ.get("NOTIFY_POLL_SECONDS", "10")),
    },
    # Idempotent: a reminder goes out once per (hazard, deadline, threshold), however often this runs.
    "run-due-checks": {
        "task": "notifications.run_due_checks",
        "schedule": float(os.environ.get("DUE_CHECKS_EVERY_SECONDS", "3600")),
    },
}
