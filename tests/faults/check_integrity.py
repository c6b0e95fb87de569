"""Run inside `manage.py shell`: every hazard's state, transition log and history agree; chains hold."""

import json

from casework.audit.chain import verify_hazard_chains
from casework.models import Hazard

bad = []
for hazard in Hazard.objects.filter(title__startswith="故障测试"):
    log = list(hazard.transitions.order_by("seq").values_list("to_state", flat=True))
    history = list(hazard.history.order_by("history_date", "history_id").values_list("state", flat=True))
    if not log or log[-1] != hazard.state or history != log:
        bad.append(hazard.pk)
print(
    json.dumps(
        {
            "hazards": Hazard.objects.filter(title__startswith="故障测试").count(),
            "inconsistent": bad,
            "chain_breaks": [b.reason for b in verify_hazard_chains()],
        }
    )
)
