"""The recorded Mastodon server of the connector tests, for the plan's outbound paths."""

from tests.connectors.conftest import mastodon, replay_server

__all__ = ["mastodon", "replay_server"]
