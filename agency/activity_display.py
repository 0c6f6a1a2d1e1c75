"""How an activity event's changes read to people: one renderer per kind of value.

Labels come from one place, the models' choices (``Post.status`` → "Waiting for approval"); a
change ``[old, new]`` reads "Status: Waiting for approval → Waiting for the client"; a list is a
list ("Crew: Leo Frame, Maya Lens"), never a change; a date-time is written in a named zone (a
post's in its client's zone); counts are pluralised."""

from __future__ import annotations

from datetime import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.template.defaultfilters import filesizeformat

from localbzz import zones
from localbzz.templatetags import ui

# Fields whose value is a list of names (so a list of two is not an [old, new] pair).
LIST_FIELDS = {"accounts", "crew", "platforms", "hashtags", "tags", "media", "events", "scopes", "files"}
# Enum fields named in events of other models than the one that holds their choices.
CHOICES_ELSEWHERE = {
    "platform": ("publishing", "SocialAccount"),
    "route": ("publishing", "SocialAccount"),
    "kind": ("publishing", "MediaAsset"),
    "provider": ("generation", "GenerationJob"),
    "role": ("portal", "ClientUser"),
    "access_level": ("agency", "TeamMember"),
    "priority": ("agency", "PortalRequest"),
}
COMMENT_FIELDS = {"comment", "reason", "message", "caption"}
HIDDEN_FIELDS = {"user_agent", "attachment_id"}  # kept for the audit log's CSV and search, noise in a sentence
# Verbs whose last word does not read as a sentence about their target ("added Spring shoot").
VERB_WORDS = {"attachment.added": "attached a file to", "attachment.removed": "removed a file from"}


def _model_field(model, name: str):
    for candidate in (model, apps.get_model(*CHOICES_ELSEWHERE[name]) if name in CHOICES_ELSEWHERE else None):
        if candidate is None:
            continue
        try:
            return candidate._meta.get_field(name)
        except FieldDoesNotExist:
            continue
    return None


LABELS = {"ip": "IP address", "surface": "Signed in on", "scheduled_at": "Publish at"}


def field_label(model, name: str) -> str:
    if name in LABELS:
        return LABELS[name]
    field = _model_field(model, name) if model is not None else None
    label = str(getattr(field, "verbose_name", "") or name.replace("_", " "))
    return label[:1].upper() + label[1:]


def choice_label(model, name: str, value) -> str | None:
    """The human label of an enum value from the model's choices, None when there are none."""
    field = _model_field(model, name) if model is not None else None
    choices = (
        dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    )  # a relation has none
    return str(choices[value]) if value in choices else None


def _moment(value) -> datetime | None:
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else None
    return None


def value_text(model, name: str, value, zone=None) -> str:
    """One value as people read it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_text(model, name, v, zone) for v in value)
    label = choice_label(model, name, value)
    if label is not None:
        return label
    moment = _moment(value)
    if moment is not None:
        return zones.when(moment, zone)
    if name == "bytes" and isinstance(value, int):
        return str(filesizeformat(value))
    if name == "minutes" and isinstance(value, int):
        return ui.hours(value * 60)  # as the pages write tracked time: "1h 40m"
    return str(value)


def is_change(name: str, value) -> bool:
    if not (isinstance(value, list) and len(value) == 2):
        return False
    if name in LIST_FIELDS:  # a list of names, unless both sides are lists themselves
        return all(isinstance(v, list) for v in value)
    return True


def summary(event) -> str:
    """The event's changes as one sentence, e.g. "Status: Waiting for approval → Approved"."""
    model = ContentType.objects.get_for_id(event.target_type_id).model_class() if event.target_type_id else None
    client_zoned = model is not None and model._meta.label in zones.CLIENT_ZONED and event.client_id
    zone = event.client if client_zoned else None  # a post or shoot in its client's zone (selectors join it)
    parts = []
    for name, value in (event.changes or {}).items():
        if name in HIDDEN_FIELDS:
            continue
        if name in COMMENT_FIELDS and isinstance(value, str):
            parts.append(f"“{value}”")
        elif is_change(name, value):
            old, new = (value_text(model, name, v, zone) for v in value)
            # A value set for the first time reads as itself ("Publish at: Mon 7 Dec, 09:30 PST"), not "— → …".
            parts.append(
                f"{field_label(model, name)}: {new}" if old == "—" else f"{field_label(model, name)}: {old} → {new}"
            )
        else:
            parts.append(f"{field_label(model, name)}: {value_text(model, name, value, zone)}")
    return "; ".join(parts)
