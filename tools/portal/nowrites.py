"""Forbid a worker process every write to the filesystem, with Linux's Landlock.

A worker that serves an approved snapshot has nothing to write: its log and its pipe to the
gateway are open before, its socket is bound before. The snapshot's modes (0500/0400) stop a
worker that runs as an ordinary user, but not one that runs as root; Landlock does, whoever
the process is: once restricted, the kernel refuses the process (and anything it starts)
every new file, folder, link or socket, every removal and every open for writing, and it
cannot be undone. Where the kernel has no Landlock (older than 5.13, or turned off), the
worker says so in its log and serves on, protected by the modes alone.
"""

from __future__ import annotations

import ctypes
import os

# The system calls (one number on every architecture: the unified table) and their flags,
# from <linux/landlock.h> and <linux/prctl.h>.
_CREATE_RULESET = 444
_RESTRICT_SELF = 446
_CREATE_RULESET_VERSION = 1
_PR_SET_NO_NEW_PRIVS = 38

_WRITE_FILE = 1 << 1
_REMOVE_DIR = 1 << 4
_REMOVE_FILE = 1 << 5
_MAKE_CHAR = 1 << 6
_MAKE_DIR = 1 << 7
_MAKE_REG = 1 << 8
_MAKE_SOCK = 1 << 9
_MAKE_FIFO = 1 << 10
_MAKE_BLOCK = 1 << 11
_MAKE_SYM = 1 << 12
_REFER = 1 << 13  # ABI 2: linking or renaming a file into another folder
_TRUNCATE = 1 << 14  # ABI 3
_WRITES_V1 = (
    _WRITE_FILE
    | _REMOVE_DIR
    | _REMOVE_FILE
    | _MAKE_CHAR
    | _MAKE_DIR
    | _MAKE_REG
    | _MAKE_SOCK
    | _MAKE_FIFO
    | _MAKE_BLOCK
    | _MAKE_SYM
)


class _RulesetAttr(ctypes.Structure):
    _fields_ = (("handled_access_fs", ctypes.c_uint64),)


def landlock_abi() -> int:
    """Return the kernel's Landlock version, 0 if it has none."""
    libc = ctypes.CDLL(None, use_errno=True)
    version = libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), _CREATE_RULESET_VERSION)
    return max(int(version), 0)


def forbid_writes() -> str | None:
    """Forbid this process every write to the filesystem; return why it could not, or None."""
    abi = landlock_abi()
    if abi < 1:
        return "the kernel has no Landlock"
    handled = _WRITES_V1 | (_REFER if abi >= 2 else 0) | (_TRUNCATE if abi >= 3 else 0)  # noqa: PLR2004
    libc = ctypes.CDLL(None, use_errno=True)
    attr = _RulesetAttr(handled)
    # No rule grants any of the handled accesses anywhere: every write is refused.
    ruleset = libc.syscall(
        _CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(ctypes.sizeof(attr)), 0
    )
    if ruleset < 0:
        return f"landlock_create_ruleset: {os.strerror(ctypes.get_errno())}"
    try:
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return f"prctl(PR_SET_NO_NEW_PRIVS): {os.strerror(ctypes.get_errno())}"
        if libc.syscall(_RESTRICT_SELF, ruleset, 0) != 0:
            return f"landlock_restrict_self: {os.strerror(ctypes.get_errno())}"
    finally:
        os.close(ruleset)
    return None
