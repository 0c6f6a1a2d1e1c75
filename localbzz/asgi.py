"""The ASGI application: Django's HTTP, and the live-update WebSocket (``/ws/events/``).

Served by daphne's runserver in development (``make run``) and by gunicorn with uvicorn workers
in the production image. The WebSocket routes live in the top layer (``hub.live.routing``) and are
named here by string, like ``ROOT_URLCONF``.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "localbzz.settings")
http = get_asgi_application()  # first: it sets Django up before anything imports a model

from channels.routing import ProtocolTypeRouter  # noqa: E402
from django.utils.module_loading import import_string  # noqa: E402

application = ProtocolTypeRouter({"http": http, "websocket": import_string("hub.live.routing.application")})
