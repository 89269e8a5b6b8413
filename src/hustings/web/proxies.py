"""Which peers may say who the client is: the operator's list of trusted reverse proxies.

Behind nginx or Caddy every request comes from the proxy, and only the proxy's
``X-Forwarded-For`` says which client sent it; that address is what the login rate limit
counts. Believed from anyone, the header lets a client name a new address on every guess
and never hit the per-client limit (uvicorn's ``--proxy-headers`` believed it from any
local process). So no forwarded header is believed unless the peer is listed here:
``HUSTINGS_TRUSTED_PROXIES`` or ``hustings serve --trusted-proxy`` (addresses or CIDR
networks, comma-separated in the variable). The default trusts nobody.

From a listed proxy, uvicorn's ``ProxyHeadersMiddleware`` takes the client to be the
right-most address in ``X-Forwarded-For`` that is not itself a listed proxy, and the
scheme from ``X-Forwarded-Proto`` (so cookies are ``Secure`` behind a TLS proxy).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable

from hustings.errors import ConfigError

__all__ = ["ENV", "trusted_proxies"]

ENV = "HUSTINGS_TRUSTED_PROXIES"


def trusted_proxies(given: Iterable[str] | None = None) -> list[str]:
    """The trusted proxies: ``given`` if not None, else ``HUSTINGS_TRUSTED_PROXIES``.

    Each entry must be an IP address or network; anything else is a ``ConfigError``
    (uvicorn would otherwise keep a typo as a literal that never matches, silently).
    """
    if given is None:
        given = os.environ.get(ENV, "").split(",")
    found = []
    for entry in (e.strip() for e in given):
        if not entry:
            continue
        try:
            if "/" in entry:
                ipaddress.ip_network(entry, strict=False)
            else:
                ipaddress.ip_address(entry)
        except ValueError as exc:
            raise ConfigError(
                f"trusted proxy {entry!r} is not an IP address or network (e.g. 10.0.0.0/8)"
            ) from exc
        found.append(entry)
    return found
