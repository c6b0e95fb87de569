"""The demo data includes listings in each situation, and loading it twice changes nothing."""

from casework.audit.chain import verify_hazard_chains
from casework.demo.changzhou import seed_demo
from casework.models import HazardTransition, Listing, ListingState, MissedProgressReport
from notifications.models import Notification


def test_the_demo_lists_cases_in_every_situation_and_a_second_load_adds_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_demo()
    listings = Listing.objects.all()
    assert {(l.level, l.state) for l in listings} >= {
        ("district", "active"),
        ("city", "active"),
        ("district", "delisted"),
    }
    assert listings.filter(raised_at__isnull=False, state=ListingState.ACTIVE).exists()
    assert listings.filter(hazard__sensitive=True, level="city").exists()
    assert MissedProgressReport.objects.exists()
    assert verify_hazard_chains() == []
    before = (
        list(listings.values_list("id", "state", "raised_at")),
        HazardTransition.objects.count(),
        Notification.objects.count(),
        MissedProgressReport.objects.count(),
    )

    seed_demo()

    assert (
        list(Listing.objects.values_list("id", "state", "raised_at")),
        HazardTransition.objects.count(),
        Notification.objects.count(),
        MissedProgressReport.objects.count(),
    ) == before
