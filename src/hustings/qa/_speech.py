"""The question on screen read aloud, offline, with Debian's ``espeak-ng`` when installed.

Optional twice: the overlay asks for speech only when its URL says ``?speech=1``, and the
server speaks only when the ``espeak-ng`` program is on the path (``available``);
otherwise ``speak`` returns ``None`` and the overlay stays silent, never broken. The text
goes to the program on standard input, so no question can pass it an option.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Final

from hustings.errors import PlatformUnavailableError

__all__ = ["available", "speak"]

_PROGRAM: Final = "espeak-ng"
_TIMEOUT_S: Final = 15.0


def available() -> bool:
    """Whether ``espeak-ng`` is installed."""
    return shutil.which(_PROGRAM) is not None


def speak(text: str, voice: str = "en", words_per_minute: int = 160) -> bytes | None:
    """``text`` spoken as a WAV file's bytes; ``None`` when ``espeak-ng`` is not installed."""
    program = shutil.which(_PROGRAM)
    if program is None:
        return None
    try:
        done = subprocess.run(  # a fixed program; the text goes on stdin
            [program, "--stdout", "-v", voice, "-s", str(words_per_minute)],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=True,
        )
    except (subprocess.SubprocessError, OSError) as exc:
        raise PlatformUnavailableError(f"espeak-ng could not speak: {exc}") from exc
    return done.stdout
