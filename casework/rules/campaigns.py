"""The campaign's records, declared once: a school return's steps, an inspection's, a campaign's.

Each step names its label, the statuses it may start from and the status it leads to; the services
check and move the status from here, and every history row's reason reads as the step's label.
"""

from dataclasses import dataclass

from casework.models.campaign import InspectionStatus, ReturnStatus

from .roles import Role


@dataclass(frozen=True)
class Step:
    label: str
    sources: frozenset  # empty: the step creates the record
    target: str | None  # None: the status stays
    roles: frozenset
    refused: str = ""  # what the refusal says when the status does not allow it: "报表当前状态为“…”，{refused}。"

    def allowed_from(self, status: str) -> bool:
        return status in self.sources


R, RS, IS = Role, ReturnStatus, InspectionStatus

# The school return (附件1): the school fills and submits its part; its own police station (属地派出所)
# confirms or sends it back.
RETURN_STEPS = {
    "return_start": Step("开始填报报表", frozenset(), RS.DRAFT, frozenset({R.SCHOOL_STAFF})),
    "return_save": Step("保存报表", frozenset({RS.DRAFT}), None, frozenset({R.SCHOOL_STAFF}), refused="学校不能再修改"),
    "return_submit": Step(
        "学校提交报表", frozenset({RS.DRAFT}), RS.SUBMITTED, frozenset({R.SCHOOL_STAFF}), refused="不能提交"
    ),
    "return_confirm": Step(
        "派出所确认报表", frozenset({RS.SUBMITTED}), RS.CONFIRMED, frozenset({R.POLICE_STATION}), refused="不能确认"
    ),
    "return_send_back": Step(
        "派出所退回报表", frozenset({RS.SUBMITTED}), RS.DRAFT, frozenset({R.POLICE_STATION}), refused="不能退回"
    ),
}

# An inspection is planned, then its results are recorded once (who inspects: casework.access.INSPECTION_ROLES).
INSPECTION_STEPS = {
    "inspection_plan": Step("安排检查", frozenset(), IS.PLANNED, frozenset()),
    "inspection_record": Step("录入检查结果", frozenset({IS.PLANNED}), IS.RECORDED, frozenset()),
}

CAMPAIGN_STEPS = {
    "campaign_create": Step("发布专项整治", frozenset(), None, frozenset({R.CITY_ADMIN})),
}

# Edits that are no step of any record's life.
EDIT_LABELS = {
    "admin_edit": "后台修改",
}


def step_label(name: str) -> str | None:
    for table in (RETURN_STEPS, INSPECTION_STEPS, CAMPAIGN_STEPS):
        if name in table:
            return table[name].label
    return EDIT_LABELS.get(name)
