"""The due checks of casework, found by the runner in ``notifications.due`` (it imports ``<app>.due_checks``).

Importing a check module registers its checks: the hazards' deadline reminders, listed supervision's
progress reports and raising, the campaigns' phase and report-due reminders.
"""

from casework.services import campaign_checks, due_checks, listing_checks

CHECK_MODULES = (due_checks, listing_checks, campaign_checks)
