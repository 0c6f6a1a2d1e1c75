"""Every date-time the API writes is valid RFC 3339."""

from __future__ import annotations

from datetime import UTC

from rest_framework import serializers

# --------------------------------------------------------------------------------------------
# Date-times
# --------------------------------------------------------------------------------------------


def use_rfc3339_offsets() -> None:
    """Every date-time the API writes is a valid RFC 3339 date-time.

    DRF writes them in the active time zone; before standard time (New York: 1883) a zone's offset
    is its local mean time, with seconds (-04:56:02), which RFC 3339 and most clients cannot read.
    Such values are written in UTC instead (same instant). Installed once, by LocalbzzConfig.ready,
    so it covers every serializer, declared fields and model fields alike.
    """
    enforce_timezone = serializers.DateTimeField.enforce_timezone
    if getattr(enforce_timezone, "rfc3339", False):
        return

    def enforce_whole_minute_offsets(self, value):
        value = enforce_timezone(self, value)
        offset = value.utcoffset() if hasattr(value, "utcoffset") else None
        if offset is not None and offset.total_seconds() % 60:
            return value.astimezone(UTC)
        return value

    enforce_whole_minute_offsets.rfc3339 = True  # type: ignore[attr-defined]  # the mark that it is patched
    serializers.DateTimeField.enforce_timezone = enforce_whole_minute_offsets  # type: ignore[method-assign]  # deliberate
