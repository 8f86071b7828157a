"""Reading a file a user names (a report, a snapshot) without hanging or filling memory: only regular files
(a FIFO would wait for a writer forever, /dev/zero never ends), at most `limit` bytes."""

from __future__ import annotations

import os
import stat


class InputError(ValueError):
    """The file cannot be read as input; the message says why in a few words."""


def open_bounded(path: str):
    """The file opened for reading in binary, once it is known to be a regular file (the caller bounds reads)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path} is a directory, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{path} is not a regular file (a pipe, a device or a socket); use - for standard input")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_bounded(path: str, limit: int) -> bytes:
    with open_bounded(path) as fh:
        try:
            return fh.read(limit)
        except OSError as exc:
            raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
