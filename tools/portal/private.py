"""Files and folders of the portal that only its own OS user may read: 0600 and 0700.

The portal's database holds password hashes, session tokens and CSRF tokens, and its logs name
clients and users, so none of them may be readable by another local user, whatever the umask
of the process that made them. The modes are set with `chmod` after creation as well, since a
file or folder made earlier (by an older beanfirm, or under another umask) keeps its mode.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> Path:
    """Create a folder (and its parents) if needed and make it the owner's alone."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    os.chmod(folder, FOLDER_MODE)
    return folder


def private_file(path: Path, *, append: bool = False) -> int:
    """Open (creating) a file that only the owner may read or write; return its descriptor.

    Created with mode 0600 (the umask can only take bits away), and a file that already
    existed is narrowed to 0600 too. Written at the end with `append`, else not at all.
    """
    access = os.O_WRONLY | os.O_APPEND if append else os.O_RDONLY
    flags = os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | access
    handle = os.open(path, flags, FILE_MODE)
    try:
        os.fchmod(handle, FILE_MODE)
    except BaseException:
        os.close(handle)
        raise
    return handle


def make_private(path: Path) -> None:
    """Create an empty file with mode 0600 if it is missing; narrow it to 0600 if it exists."""
    os.close(private_file(path))


def narrow(path: Path) -> None:
    """Make a file 0600 if it exists (one that another program creates, such as SQLite)."""
    with contextlib.suppress(FileNotFoundError):
        os.chmod(path, FILE_MODE)
