"""django-q2 task functions of integrations: thin, the work is in the services."""

from __future__ import annotations


def deliver_webhook(delivery_id: str) -> str:
    from integrations.services import webhooks

    return webhooks.deliver(delivery_id)


def sweep() -> dict:
    """Every minute (django-q2 Schedule): send due webhook retries, requeue abandoned attempts."""
    from integrations.services import webhooks

    return webhooks.sweep()
