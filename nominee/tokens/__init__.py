"""Personal access tokens for the JSON API (``nominee.api``), and the replies kept for
retried writes (``Idempotency-Key``)."""
