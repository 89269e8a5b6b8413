"""Live channels: a workspace's own accounts read and answered through their platforms.

``base`` says what a connector is, ``http`` how it meets rate limits, ``secrets`` how its
credentials are kept, ``connections`` how a workspace connects, syncs and watches them,
and ``outbound`` how a reply leaves exactly once. Platforms are plugins
(``register_connectors``); Mastodon is built in.
"""

from __future__ import annotations

__all__: list[str] = []
