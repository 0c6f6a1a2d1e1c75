"""Shared REST API conventions, used by every endpoint.

- Lists answer the envelope ``{"items", "total", "page", "page_size", "has_more"}`` and accept
  ``page``, ``page_size`` (at most 200), ``search``, ``sort_by`` and ``sort_order``.
- Every error answers ``{"error": {"code", "message", "details"}}``.
- Access is decided by ``agency.permissions``; ``agency.api.permissions.IsStaff`` translates it for DRF
  (the default permission class; this package imports no app).

One module per concern: ``errors`` (the envelope, exception handler, error schema), ``pagination``
(page numbers and keyset cursors), ``filters`` (search, sort), ``input`` (unknown fields refused),
``dates`` (RFC 3339 date-times), ``permissions`` (``Public``).
"""
