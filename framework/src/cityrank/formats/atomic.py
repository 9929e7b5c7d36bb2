"""Writing a file whole or not at all (no numpy: the command line imports it at start-up)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import CityrankError


def refuse_existing(path, force: bool) -> None:
    """Before any work: an existing file at ``path`` needs ``force`` (a device or pipe such as
    ``/dev/stdout`` does not: it is written, not replaced)."""
    try:
        st = os.stat(path)
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and not force:
        raise CityrankError("the file exists; use --force to overwrite it", file=path)


def write_atomic(path, text: str | bytes, *, force: bool = True) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file in the same folder, then
    rename, so a failure never leaves a half-written file; refuse an existing file unless ``force``.

    A link to a file is written through (the file is replaced, the link stays); a device, pipe
    or socket (``/dev/stdout``) is written in place, since renaming over it would replace it."""
    path = Path(path)
    data = text.encode("utf-8") if isinstance(text, str) else text
    try:
        st = os.stat(path)  # follows links
    except (FileNotFoundError, NotADirectoryError):  # a new file (its folder is checked below)
        st = None
    except OSError as exc:
        raise CityrankError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise CityrankError("is a folder, not a file", file=path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise CityrankError(f"cannot write: {exc.strerror or exc}", file=path) from None
        return
    refuse_existing(path, force)
    shown, path = path, Path(os.path.realpath(path)) if st is not None and path.is_symlink() else path
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise CityrankError("the output folder does not exist", file=shown)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name[:64]}.", dir=folder)
    except OSError as exc:
        raise CityrankError(f"cannot write here: {exc.strerror or exc}", file=shown) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it the usual mode
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CityrankError(f"cannot write: {exc.strerror or exc}", file=shown) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
