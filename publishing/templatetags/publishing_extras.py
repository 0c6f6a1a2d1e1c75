from django import template

from publishing.forms import format_slots

register = template.Library()


@register.filter
def slots(value) -> str:
    return format_slots(value)
