"""Live updates: committed domain events fanned out to the pages that show what changed.

``fanout`` decides who gets which event (groups per staff access level, per client portal, per
person); ``consumers`` is the one WebSocket (``/ws/events/``) a page opens; ``relay`` carries the
events of other processes to the web process when there is no Redis channel layer. The browser
side is ``static/js/live.js`` with htmx's WebSocket extension. See docs/architecture.md.
"""
