"""Writing a file whole or not at all (no numpy: the command line imports it at start-up)."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from ..errors import CityrankError


def refuse_existing(path, force: bool) -> None:
    """Before any work: an existing file at ``path`` needs ``force`` (a device or pipe such as
    ``/dev/stdout`` does not: it is written, not replaced), and a new one a folder to go in."""
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        if not Path(path).parent.is_dir():  # missing, or a file where a folder should be
            raise CityrankError("the output folder does not exist", file=path) from None
        return
    except OSError:
        return
    if stat.S_ISREG(st.st_mode) and not force:
        raise CityrankError("the file exists; use --force to overwrite it", file=path)


def write_atomic(path, text: str | bytes, *, force: bool = True) -> None:
    """Write ``text`` (or bytes) to ``path`` through a temporary file in the same folder, then
    rename, so a failure never leaves a half-written file; refuse an existing file unless ``force``.

    A link to a file is written through (the file is replaced, the link stays); a device, pipe
    or socket (``/dev/stdout``) is written in place, since renaming over it would replace it."""
    write_all({path: text}, force=force)


def write_all(files, *, force: bool = True) -> None:
    """Write every file of ``files`` (path → text or bytes) whole, or none of them: each goes
    to a temporary file beside it, and the renames come once every one is written (a full
    disk on the third file leaves the first two as they were). Files as :func:`write_atomic`."""
    staged: list[tuple[str, Path, Path]] = []  # temporary file, where it goes, the path as given
    devices: list[tuple[Path, bytes]] = []
    try:
        for path, text in files.items():
            path = Path(path)
            data = text.encode("utf-8") if isinstance(text, str) else text
            target = _target(path, force)
            if target is None:
                devices.append((path, data))
            else:
                staged.append((_stage(target, path, data), target, path))
        for path, data in devices:
            try:
                with open(path, "wb") as fh:
                    fh.write(data)
            except OSError as exc:
                raise CityrankError(f"cannot write: {exc.strerror or exc}", file=path) from None
        made: list[Path] = []  # files this call created (without force): undone if a later one fails
        try:
            while staged:
                tmp, target, shown = staged[0]
                if force:
                    _rename(tmp, target, shown)
                else:
                    _place_new(tmp, target, shown)
                    made.append(target)
                staged.pop(0)
        except BaseException:
            for target in made:
                target.unlink(missing_ok=True)
            raise
    finally:
        for tmp, _, _ in staged:
            Path(tmp).unlink(missing_ok=True)


def _rename(tmp: str, target: Path, shown: Path) -> None:
    try:
        os.replace(tmp, target)
    except OSError as exc:
        raise CityrankError(f"cannot write: {exc.strerror or exc}", file=shown) from None


def _place_new(tmp: str, target: Path, shown: Path) -> None:
    """Give the written ``tmp`` the name ``target`` only if no file has it: the check before any
    work leaves a window in which another run can write the same file, and a rename would then
    replace that run's result without a word. A hard link is made only if the name is free;
    where a file system has none, an empty file created exclusively holds the name first."""
    exists = CityrankError("the file exists; use --force to overwrite it", file=shown)
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
            raise CityrankError(f"cannot write: {exc.strerror or exc}", file=shown) from None
        try:  # no hard links here: hold the name with an empty file, then rename onto it
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            raise exists from None
        except OSError as exc2:
            raise CityrankError(f"cannot write: {exc2.strerror or exc2}", file=shown) from None
        try:
            _rename(tmp, target, shown)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    else:
        with contextlib.suppress(OSError):  # the result is in place; a temporary name left is harmless
            os.unlink(tmp)


def _target(path: Path, force: bool) -> Path | None:
    """Where a file for ``path`` goes (a link's file), or None for a device, pipe or socket
    (written in place); an error for a folder, an existing file without ``force`` or a
    missing folder."""
    try:
        st = os.stat(path)  # follows links
    except (FileNotFoundError, NotADirectoryError):  # a new file (its folder is checked below)
        st = None
    except OSError as exc:
        raise CityrankError(f"cannot write here: {exc.strerror or exc}", file=path) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise CityrankError("is a folder, not a file", file=path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        return None
    refuse_existing(path, force)
    target = Path(os.path.realpath(path)) if st is not None and path.is_symlink() else path
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise CityrankError("the output folder does not exist", file=path)
    return target


def _stage(target: Path, shown: Path, data: bytes) -> str:
    """``data`` in a new temporary file beside ``target``, with the usual file mode."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:64]}.", dir=target.parent if str(target.parent) else ".")
    except OSError as exc:
        raise CityrankError(f"cannot write here: {exc.strerror or exc}", file=shown) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; give it the usual mode
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise CityrankError(f"cannot write: {exc.strerror or exc}", file=shown) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def write_folder(folder: Path, files: dict[str, str | bytes], force: bool) -> None:
    """Write ``files`` (name → content) into ``folder``: refused before anything is written if
    one exists (unless ``force``); every file written whole, or none (:func:`write_all`), and
    a folder made for them removed again when they cannot be written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise CityrankError("is a file, not a folder", file=folder)
    clash = [name for name in files if (folder / name).exists()]
    if clash and not force:
        raise CityrankError(f"{', '.join(clash)} exist(s); use --force to overwrite", file=folder)
    made = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CityrankError(f"cannot make the folder: {exc.strerror or exc}", file=folder) from None
    try:
        write_all({folder / name: content for name, content in files.items()}, force=force)  # exclusive without force
    except BaseException:
        if made:
            with contextlib.suppress(OSError):
                folder.rmdir()  # the folder this call made, empty again
        raise
