"""Every error Hustings raises on purpose descends from one root.

::

    HustingsError
    ├── ConfigError(ValueError)          bad settings, URLs, option combinations
    ├── StoreError                       the database refused or is at the wrong schema
    ├── RecordRefusedError(ValueError)   one record outside what both stores accept: an id
    │                                    or a text too long, a number or a date out of range
    ├── ImportError_                     an input that cannot be imported at all
    │   ├── UnknownFormatError(ValueError)   no importer recognises the file
    │   ├── SourceUnreadableError(OSError)   missing, a directory of nothing, unreadable
    │   └── ImportRunningError               another live process is importing the same file
    ├── NlpError(ValueError)             a classifier's bad input: task, target, examples
    ├── PluginError                      two plugins registered the same name
    ├── WorkspaceError                   a request the workspace cannot satisfy
    │   ├── NotFoundError(LookupError)   no such thing *in this workspace* (also for
    │   │                                another workspace's ids: never reveal they exist)
    │   ├── PermissionDeniedError(PermissionError)   the user's role does not allow it
    │   ├── ConflictError                someone else got there first (claim, merge, an
    │   │                                account another workspace holds)
    │   ├── InvalidInputError(ValueError)   a value the user must fix (unfilled placeholder)
    │   └── AuthError                    wrong password, bad session
    │       └── RateLimitedError         too many failed logins: wait before trying again
    └── ConnectorError                   a live platform connection could not do its work
        ├── CredentialsError(PermissionError)   credentials revoked, wrong or unreadable
        ├── PlatformUnavailableError(ConnectionError)  429/5xx/network after every retry
        │   └── QuotaExhaustedError          the platform's daily quota is spent (YouTube)
        ├── PlatformResponseError(ValueError)   an answer that is not the API's (HTML, bad JSON)
        └── SendOutcomeUnknownError(TimeoutError)  a send timed out: it may have left

A bad *record* is not an exception: importers quarantine it and carry on (the runner turns a
``RecordRefusedError`` into a quarantine row; only a caller writing records one by one, such
as the push API, sees it raised). The other errors are for whole inputs a user must fix.
The CLI catches ``HustingsError`` in one place and prints one red line (exit 1); the web
layer maps the workspace errors to 404, 403, 409, 422 and 401/429.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "ConfigError",
    "ConflictError",
    "ConnectorError",
    "CredentialsError",
    "HustingsError",
    "ImportError_",
    "ImportRunningError",
    "InvalidInputError",
    "NlpError",
    "NotFoundError",
    "PermissionDeniedError",
    "PlatformResponseError",
    "PlatformUnavailableError",
    "PluginError",
    "QuotaExhaustedError",
    "RateLimitedError",
    "RecordRefusedError",
    "SendOutcomeUnknownError",
    "SourceUnreadableError",
    "StoreError",
    "UnknownFormatError",
    "WorkspaceError",
]


class HustingsError(Exception):
    """Root of all deliberate Hustings errors."""


class ConfigError(HustingsError, ValueError):
    pass


class StoreError(HustingsError):
    pass


class RecordRefusedError(HustingsError, ValueError):
    """A record the store will not hold as it is; the message says which field and why."""


class ImportError_(HustingsError):
    pass


class ImportRunningError(ImportError_):
    """The same file is being imported by a process that is still alive."""


class UnknownFormatError(ImportError_, ValueError):
    pass


class SourceUnreadableError(ImportError_, OSError):
    pass


class NlpError(HustingsError, ValueError):
    """Bad input to a classifier: unknown task or target, malformed examples, missing data."""


class PluginError(HustingsError):
    pass


class ConnectorError(HustingsError):
    """A connection to a platform failed; the message is what its health page shows."""


class CredentialsError(ConnectorError, PermissionError):
    """The platform refused the stored credentials (revoked, expired, wrong), or Hustings
    cannot decrypt them (the secret key changed): reconnect the account."""


class PlatformUnavailableError(ConnectorError, ConnectionError):
    """The platform kept answering 429 or 5xx, or could not be reached, after every retry."""


class QuotaExhaustedError(PlatformUnavailableError):
    """The platform refuses more calls until its quota resets: retrying now cannot help."""


class PlatformResponseError(ConnectorError, ValueError):
    """The server answered, but not with the API: an HTML page, malformed JSON, a wrong shape."""


class SendOutcomeUnknownError(ConnectorError, TimeoutError):
    """A send timed out after the request left: the platform may have published it, so it is
    checked for (``find_sent``) before any retry, never sent again blindly."""


class WorkspaceError(HustingsError):
    """Root of the errors of the workspace layer and the capabilities on it."""


class NotFoundError(WorkspaceError, LookupError):
    pass


class PermissionDeniedError(WorkspaceError, PermissionError):
    pass


class ConflictError(WorkspaceError):
    pass


class InvalidInputError(WorkspaceError, ValueError):
    pass


class AuthError(WorkspaceError):
    pass


class RateLimitedError(AuthError):
    """Too many failed logins for this address or client: wait before trying again."""
