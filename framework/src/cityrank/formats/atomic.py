"""Writing a file whole or not at all (no numpy: the command line imports it at start-up)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import CityrankError


def write_atomic(path, text: str | bytes, *, force: bool = True) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file in the same folder, then
    rename, so a failure never leaves a half-written file; refuse an existing file unless ``force``."""
    path = Path(path)
    if path.exists() and not force:
        raise CityrankError("the file exists; use --force to overwrite it", file=path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CityrankError("the output folder does not exist", file=path)
    if path.is_dir():
        raise CityrankError("is a folder, not a file", file=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", dir=folder)
    except OSError as exc:
        raise CityrankError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CityrankError(f"cannot write: {exc.strerror or exc}", file=path) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
