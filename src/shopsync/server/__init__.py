"""The long-running service: webhooks, status page, metrics."""
