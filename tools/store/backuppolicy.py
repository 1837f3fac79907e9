"""The `backup:` section of `clients.yaml`: key holders' public keys, where, how often, how long.

```yaml
backup:
  to: /srv/backups/beanfirm    # default folder of `beanfirm backup` (else --to)
  recipients:                  # public keys of the key holders: age1... or ssh-ed25519 ...
    - age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
  full-every: 7                # a full backup after this many incremental ones
  keep-fulls: 4                # keep the 4 newest full backups and the incrementals on them
```

Only public keys belong here: the file is in git. A private key never is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from beanfirm.core.yamlnodes import NodeReader
from beanfirm.errors import ConfigError
from beanfirm.store.sealed import parse_recipient

BACKUP_KEYS = ("to", "recipients", "full-every", "keep-fulls")
DEFAULT_FULL_EVERY = 7
DEFAULT_KEEP_FULLS = 4


@dataclass(frozen=True)
class BackupPolicy:
    """Who can read the backups, their default folder, and the full and retention policies."""

    recipients: tuple[str, ...]
    to: Path | None = None
    full_every: int = DEFAULT_FULL_EVERY
    keep_fulls: int = DEFAULT_KEEP_FULLS


def parse_backup_policy(reader: NodeReader, node: yaml.Node, folder: Path) -> BackupPolicy | None:
    """Read the `backup:` section; paths in it are relative to the registry's `folder`."""
    keys = reader.mapping(node, "'backup'", allowed=BACKUP_KEYS, required=("recipients",))
    recipients: list[str] = []
    for item in reader.sequence(keys["recipients"], "backup: recipients") if keys else []:
        text = reader.string(item, "a backup recipient")
        if text is None:
            continue
        if parse_recipient(text) is None:
            reader.problem(
                item,
                "this backup recipient is not a public key: write a key holder's age public "
                "key (age1..., from `age-keygen -y`) or SSH public key (ssh-ed25519 ...), "
                "never a private key or a passphrase.",
            )
            continue
        recipients.append(text)
    if "recipients" in keys and not recipients and not reader.problems:
        reader.problem(keys["recipients"], "backup: recipients lists no public key.")
    to = reader.string(keys["to"], "backup: to") if "to" in keys else None
    full_every = _count(reader, keys.get("full-every"), "backup: full-every", DEFAULT_FULL_EVERY)
    keep_fulls = _count(reader, keys.get("keep-fulls"), "backup: keep-fulls", DEFAULT_KEEP_FULLS)
    if not recipients:
        return None
    return BackupPolicy(tuple(recipients), folder / to if to else None, full_every, keep_fulls)


def read_backup_policy(path: Path) -> BackupPolicy | None:
    """Read only the `backup:` section of a registry; raise a ConfigError on its problems.

    A backup must not wait for, nor be stopped by, the rest of the registry: at 200 clients
    reading all of it costs a second, and a mistake in a client's entry is no reason to skip
    tonight's backup. So only this section is read (the file itself is parsed with libyaml,
    core/yamlnodes.py).
    """
    reader = NodeReader(path.name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        msg = f"Cannot read {path}: {exc}. Check the file (it must be UTF-8)."
        raise ConfigError(msg) from None
    root = reader.compose(text)
    policy = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "backup":
                policy = parse_backup_policy(reader, value, path.parent)
    if reader.problems:
        count = len(reader.problems)
        msg = (
            f"{path} has {count} problem{'s' if count != 1 else ''} that stop the backup; "
            "fix each line below and run the command again."
        )
        raise ConfigError(msg, tuple(reader.problems))
    return policy


def _count(reader: NodeReader, node: yaml.Node | None, what: str, default: int) -> int:
    if node is None:
        return default
    value = reader.scalar(node, what)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        reader.problem(node, f"{what} must be a whole number of 1 or more.")
        return default
    return value
