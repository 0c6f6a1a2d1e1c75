"""Outgoing webhooks: ``endpoints`` (where to send: URL checks, events, secrets) and
``deliveries`` (one delivery per (event, endpoint), signed POSTs with retries).

Signed as Standard Webhooks (https://www.standardwebhooks.com): ``webhook-id`` (the event id, the
same on retries and redeliveries), ``webhook-timestamp`` and ``webhook-signature: v1,<base64>`` with a
``whsec_<base64 key>`` secret, made by the ``standardwebhooks`` package, so receivers verify with it.
Events of one object reach an endpoint in the order they happened: a delivery is not claimed while
an earlier one of the same object (``subject``) to the same endpoint is still queued or sending.
Endpoints (and every attempt) must be public addresses (``localbzz.net.vetted_address``).

Flow: an activity commits → ``localbzz.events`` calls ``deliveries.on_events`` → one ``WebhookDelivery``
row per active endpoint that wants the event type (the body is built and stored once) → a
django-q2 task per delivery (``deliveries.deliver``) after commit. A delivery is claimed with one
conditional UPDATE (queued, due, endpoint active → sending, attempts + 1, lease), so two workers
(or a worker and the sweep) never send it at the same time; the outcome is written with the
delivery row locked. Failed attempts are retried at ``RETRY_DELAYS`` (with jitter) driven by
``next_attempt_at``; ``deliveries.sweep`` (every minute) sends what is due and requeues deliveries whose
worker died mid-attempt. An endpoint whose every attempt failed for
``WEBHOOK_DISABLE_AFTER_HOURS`` is disabled, its queued deliveries are marked failed, and the
admins and owners are emailed.
"""
