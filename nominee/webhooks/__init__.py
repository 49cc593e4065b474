"""Webhooks: organizers' endpoints, and signed deliveries of domain events through the
outbox (see ``services``)."""
