"""Run by the fault test inside `manage.py shell`: report and assign hazards in a loop, through the
services, retrying when the database is away. Bounded by count and time; prints what it committed."""

import json
import time
from datetime import timedelta

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from casework.models import Membership, Role
from casework.services import transitions as svc

deadline = time.monotonic() + float(__import__("os").environ.get("WRITER_SECONDS", "20"))
staff = Membership.objects.filter(role=Role.SCHOOL_STAFF).select_related("org_unit", "user").first()
officer = Membership.objects.get(role=Role.DISTRICT_OFFICER, org_unit_id=staff.org_unit.district_id).user
committed, failures = [], 0
for i in range(400):
    if time.monotonic() > deadline:
        break
    try:
        hazard = svc.hazard_report(
            actor=staff.user,
            school_id=staff.org_unit_id,
            title=f"故障测试{i}",
            description="d",
            category="fire",
            key_place="library",
            occurred_at=timezone.now(),
        )
        svc.hazard_assign(
            hazard_id=hazard.pk,
            actor=officer,
            responsible_person="王",
            measures="m",
            deadline=timezone.localdate() + timedelta(days=9),
            occurred_at=timezone.now(),
        )
        committed.append(hazard.pk)
    except DatabaseError:
        failures += 1
        close_old_connections()
        time.sleep(0.2)
    time.sleep(0.05)
print(json.dumps({"committed": committed, "failures": failures}))
