from django import template

from publishing.forms import format_slots
from publishing.services.missed import client_note

register = template.Library()


@register.filter
def slots(value) -> str:
    return format_slots(value)


@register.filter
def client_late_note(post) -> str:
    """What the client reads when the post's time passed before it approved (else "")."""
    return client_note(post)
