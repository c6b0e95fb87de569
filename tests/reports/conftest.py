from datetime import date

import pytest

from casework.models import Campaign

from .scenario import PERIOD, build


@pytest.fixture
def scenario(world):
    return build(world)


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        city=world.city,
        code="seed-000",
        name=PERIOD.name,
        issuing_document="常州市全面开展学校及周边安全排查整改进一步加强学校安全防范工作方案",
        starts_on=PERIOD.start,
        ends_on=PERIOD.end,
        statistics_cutoff=date(2019, 7, 31),
        report_due=date(2019, 8, 7),
    )
