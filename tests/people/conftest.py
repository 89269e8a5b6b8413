"""The two-campaign fixtures are shared with the web tests (defined in tests/web/conftest)."""

from tests.web.conftest import any_campaign, campaign, web_factory

__all__ = ["any_campaign", "campaign", "web_factory"]
