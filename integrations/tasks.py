"""django-q2 task functions of integrations: thin, the work is in the services."""

from __future__ import annotations

from integrations.services.webhooks import deliveries


def deliver_webhook(delivery_id: str) -> str:
    return deliveries.deliver(delivery_id)


def sweep() -> dict:
    """Every minute (django-q2 Schedule): send due webhook retries, requeue abandoned attempts."""
    return deliveries.sweep()
