from __future__ import annotations

from nominee.web import BaseForm


class RetryForm(BaseForm):
    """An empty form: only the CSRF token, for the "Retry" button."""
