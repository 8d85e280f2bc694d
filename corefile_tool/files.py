"""Writing files whole or not at all, for every command that writes (fmt, migrate, generate, k8s discover)."""
from __future__ import annotations

import os


def write_atomically(path, text: str, mode: int | None = None) -> None:
    """Write `text` to a temporary file in the target's directory, flush it to disk, then rename it over the
    target: a reader (or a crash, or a kill mid-write) sees the old file or the new one, never half of either.

    The file keeps the permissions of the file it replaces; a new file gets `mode`, or what the umask allows.
    Raises OSError; callers turn it into their one-line message.
    """
    import tempfile

    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    if mode is None:
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
