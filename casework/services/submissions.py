"""The double-submit guard: claim a form's one-time token in the same transaction as its action."""

from django.db import IntegrityError, transaction

from casework.models import FormSubmission


class DuplicateSubmission(Exception):
    """This form was already submitted and performed; the repeat does nothing."""


def form_submission_claim(*, token: str, actor, action: str) -> None:
    """Call inside the action's transaction: a refusal rolls the claim back, so a corrected form can be resent."""
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=actor, action=action)
    except IntegrityError:
        raise DuplicateSubmission(token) from None
