"""Text from outside (search boxes, filters, file names) made storable in PostgreSQL.

PostgreSQL's text types cannot hold the NUL character (psycopg refuses the query: a 500), and
UTF-8 cannot encode a lone surrogate (which a JSON body can carry as ``"\\ud800"``). ``storable``
drops both and keeps everything else, so "a\\x00b" searches for "ab".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.http import QueryDict
from django.utils.translation import ngettext

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: str) -> str:
    """``value`` without the characters PostgreSQL cannot store or compare (NUL, lone surrogates)."""
    return _UNSTORABLE.sub("", value)


def storable_query(data: QueryDict | Mapping | None) -> QueryDict | Mapping | None:
    """A copy of query-string ``data`` with every value made :func:`storable` (for filter forms and
    FilterSets: "a\\x00b" then searches for "ab" instead of failing in SQL or being ignored)."""
    if data is None:
        return None
    if isinstance(data, QueryDict):
        cleaned = QueryDict(mutable=True)
        for key, values in data.lists():
            cleaned.setlist(storable(key), [storable(v) for v in values])
        return cleaned
    return {storable(k): storable(v) if isinstance(v, str) else v for k, v in data.items()}


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: "1 post", "2 posts" (``ngettext``; the plural
    defaults to the singular plus "s"). Every count shown to people goes through this or the
    ``pluralize`` template filter, never a noun written in the plural alone ("1 posts")."""
    return f"{n} {ngettext(singular, plural or singular + 's', n)}"
