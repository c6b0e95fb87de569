"""Organisations (a tree: city → district → school, stations and offices) and the roles people hold."""

from django.conf import settings
from django.db import models

# The vocabulary lives with the rules; re-exported here for the models' and migrations' readers.
from casework.rules.roles import ROLE_UNIT_KINDS, SENSITIVE_ROLES, OrgKind, Role  # noqa: F401


class SchoolKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", "幼儿园"
    PRIMARY = "primary", "小学"
    JUNIOR = "junior", "初中"
    SENIOR = "senior", "高中"
    VOCATIONAL = "vocational", "职业学校"
    UNIVERSITY = "university", "高校"


class OrgUnit(models.Model):
    name = models.CharField("名称", max_length=120)
    kind = models.CharField("类型", max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Denormalised ancestors: scope filters are one indexed equality, never a tree walk.
    city = models.ForeignKey(
        "self", verbose_name="所属市", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "self", verbose_name="所属区", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    school_kind = models.CharField("学校类型", max_length=20, choices=SchoolKind.choices, blank=True)
    police_station = models.ForeignKey(
        "self",
        verbose_name="属地派出所",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools",
        limit_choices_to={"kind": OrgKind.POLICE_STATION},
    )
    code = models.CharField("代码", max_length=40, blank=True)

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="orgunit_unique_name_under_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.city, self.district = self._ancestors()
        super().save(*args, **kwargs)

    def _ancestors(self):
        if self.kind == OrgKind.CITY:
            return None, None
        if self.kind == OrgKind.DISTRICT:
            return self.parent, None
        parent = self.parent
        if parent is None:
            return None, None
        if parent.kind == OrgKind.DISTRICT:
            return parent.parent, parent
        return parent.city, parent.district


class Membership(models.Model):
    """A user holds a role within an org unit; what they see follows the unit's place in the tree."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    org_unit = models.ForeignKey(OrgUnit, verbose_name="单位", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit", "role"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["org_unit", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.org_unit} · {self.get_role_display()}"


class SchoolPlacedMixin:
    """For rows that belong to a school: the district and city are copied from it on first save, so
    every scope filter is one indexed equality (and the district can be the distribution column)."""

    def save(self, *args, **kwargs):
        if self.school_id and not self.district_id:
            self.district_id = self.school.district_id
            self.city_id = self.school.city_id
        super().save(*args, **kwargs)
