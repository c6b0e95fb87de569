"""Labels in templates: what a person reads instead of a stored key (casework.presenters)."""

from django import template

from casework.presenters import change_reason_label

register = template.Library()


@register.filter
def reason_label(reason) -> str:
    """A history row's reason as it reads: ``{{ h.history_change_reason|reason_label }}``."""
    return change_reason_label(reason)
