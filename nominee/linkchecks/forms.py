from __future__ import annotations

from nominee.web import BaseForm


class CheckLinkForm(BaseForm):
    """An empty form: only the CSRF token, for "Check the link now"."""
