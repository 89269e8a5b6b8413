"""The web app: server-rendered pages (Jinja2 + vendored htmx) and a JSON API with OpenAPI.

    >>> from hustings.web import create_app
    >>> app = create_app(store)          # doctest: +SKIP

Run it with ``hustings serve``. The app holds no business logic: every route calls a
function of ``hustings.inbox`` or ``hustings.people``.
"""

from __future__ import annotations

from hustings.web.app import create_app
from hustings.web.demo import create_demo_workspace

__all__ = ["create_app", "create_demo_workspace"]
