"""The WebSocket half of the ASGI application (``localbzz.asgi`` names it by string, as
``ROOT_URLCONF`` names ``hub.urls``: the bottom layer does not import the top one)."""

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

from hub.live.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/events/", LiveConsumer.as_asgi())]

# The Origin must be one of ALLOWED_HOSTS (no cross-site page opens a socket with our cookies);
# the consumer further requires it to be the socket's own host (one portal cannot listen to another).
application = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
