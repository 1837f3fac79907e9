"""Registering a new client: the registry entry and the ledger skeleton, in one commit."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Never

import yaml

from beanfirm.core import paths
from beanfirm.errors import ConfigError
from beanfirm.firm.charts import plugin_lines, skeleton_files
from beanfirm.store.contacts import CONTACT_KEYS, Contact, DunningStages
from beanfirm.store.ledger import ledger_problems
from beanfirm.store.registry import REGISTRY_FILENAME, Client, parse_registry
from beanfirm.store.registrytext import after_node, block_item
from beanfirm.store.writes import Planned, SameCheck, WritePlan, Written, apply_write

if TYPE_CHECKING:
    from beanfirm.store.gitrepo import Author, PracticeRepo
    from beanfirm.store.practice import Practice


def client_yaml(client: Client) -> dict[str, Any]:
    """Return a client as the mapping written to clients.yaml (keys in registry order)."""
    record: dict[str, Any] = {
        "id": client.id,
        "name": client.name,
        "classification": {
            "industry": client.classification.industry,
            "frequency": client.classification.frequency,
            "region": client.classification.region,
            "size": client.classification.size,
        },
        "preparer": client.preparer,
        "reviewer": client.reviewer,
        "currency": client.currency,
        "fiscal-year-start": client.fiscal_year_start,
        "language": client.language,
        "reconcile": client.reconcile,
    }
    record.update(contact_yaml(client.contact))
    if client.dunning is not None:
        record["dunning"] = dunning_yaml(client.dunning)
    own = {"close": client.deadlines.close, "statements": client.deadlines.statements}
    if any(day is not None for day in own.values()):
        record["deadlines"] = {key: day for key, day in own.items() if day is not None}
    accounts = []
    for acc in client.accounts:
        item: dict[str, Any] = {"account": acc.account, "kind": acc.kind, "importer": acc.importer}
        optional = {"number": acc.number, "currency": acc.currency, "reconcile": acc.reconcile}
        item.update({key: value for key, value in optional.items() if value is not None})
        accounts.append(item)
    if accounts:
        record["accounts"] = accounts
    if client.last_verified is not None:
        record["last-verified"] = client.last_verified
    if client.verified_by is not None:
        record["verified-by"] = client.verified_by
    return record


def contact_yaml(contact: Contact) -> dict[str, str]:
    """Return the contact keys that are set, as written to clients.yaml."""
    values = {key: contact.get(key) for key in CONTACT_KEYS}
    return {key: value for key, value in values.items() if value is not None}


def dunning_yaml(stages: DunningStages) -> dict[str, Any]:
    """Return dunning stages as written to clients.yaml."""
    return {"before-due": stages.before_due, "after-due": list(stages.after_due)}


def registry_with_client(text: str, client: Client) -> str:
    """Return the registry text with a client appended to `clients:`, comments kept."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        msg = f"{REGISTRY_FILENAME} has no top-level mapping; run `beanfirm check` to see why."
        raise ConfigError(msg)
    clients_node = next((v for k, v in root.value if k.value == "clients"), None)
    if clients_node is None:
        msg = f"{REGISTRY_FILENAME} has no 'clients:' key; add `clients: []` at the end."
        raise ConfigError(msg)
    if isinstance(clients_node, yaml.SequenceNode) and clients_node.value:
        if clients_node.flow_style:
            msg = (
                f"'clients:' in {REGISTRY_FILENAME} is a [flow, list]; beanfirm appends to a "
                "block list, so write each client as an item starting with '- ' and try again."
            )
            raise ConfigError(msg)
        # The new item's dash goes in the same column as the existing dashes.
        block = _block(client, clients_node.start_mark.column)
        # Insert after the last line of the last client, before any comment that follows it.
        cut = after_node(text, clients_node)
        head = text[:cut]
        if head and not head.endswith("\n"):
            head += "\n"
        return head + block + text[cut:]
    if not (
        isinstance(clients_node, yaml.SequenceNode) or clients_node.tag == "tag:yaml.org,2002:null"
    ):
        msg = f"'clients:' in {REGISTRY_FILENAME} is not a list; run `beanfirm check` to see why."
        raise ConfigError(msg)
    # `clients: []` or `clients:` with nothing: replace the value with a block list.
    start, end_index = clients_node.start_mark.index, clients_node.end_mark.index
    return text[:start].rstrip(" ") + "\n" + _block(client, 2) + text[end_index:].lstrip("\n")


def _block(client: Client, indent: int) -> str:
    return block_item(client_yaml(client), indent)


def registered(practice: Practice, client: Client) -> dict[str, bytes]:
    """Return the registry with a new client added, validated, for a write to commit.

    Raise a ConfigError when the registry would have problems (an id taken or not a slug,
    unknown staff) or when the client's folder already exists.
    """
    old_text = practice.registry_path.read_text(encoding="utf-8")
    new_text = registry_with_client(old_text, client)
    _registry, problems = parse_registry(practice.registry_path, new_text, check_ledgers=False)
    if problems:
        msg = f"Client '{client.id}' cannot be added to {REGISTRY_FILENAME}:"
        raise ConfigError(msg, tuple(problems))
    # Only once the id is known to be a plain slug does it name a folder under ledgers/
    # (before, `clients add /tmp` or `..` was told to remove an existing folder).
    if practice.ledger_dir(client.id).exists():
        msg = (
            f"{paths.client_folder(client.id)}/ already exists; a new client needs a new "
            "folder. Choose another id, or remove the folder if it is left over from an "
            "earlier attempt."
        )
        raise ConfigError(msg)
    return {REGISTRY_FILENAME: new_text.encode()}


def _client_files(
    practice: Practice, client: Client, *, template: str, opened: datetime.date
) -> dict[str, bytes | None]:
    """Return the registry with the client added and its ledger skeleton, all validated."""
    registry = registered(practice, client)
    files: dict[str, bytes | None] = dict(
        skeleton_files(
            client,
            firm_name=practice.registry.firm.name,
            template=template,
            opened=opened,
            plugins=plugin_lines(),
        )
    )
    files.update(registry)
    return files


def add_client(
    practice: Practice,
    repo: PracticeRepo,
    client: Client,
    *,
    template: str,
    opened: datetime.date,
    author: Author,
    dry_run: bool = False,
) -> Written[None]:
    """Register a client and create its ledger skeleton, validated first, in one commit."""
    root = practice.root

    message = (
        f"Add client {client.id}: {client.name}\n\n"
        f"Registers the client in {REGISTRY_FILENAME} (preparer {client.preparer}, "
        f"reviewer {client.reviewer}) and creates its ledger from the {template} chart, "
        f"opened {opened.isoformat()}."
    )

    def prepare() -> Planned[None]:
        # under the registry lock: two adds never lose a client
        files = _client_files(practice, client, template=template, opened=opened)
        return Planned(files, message, None)

    prepare()  # validate before taking any lock; the write validates again under the lock
    plan: WritePlan[None, Never] = WritePlan(
        prepare,
        locks=("registry", client.id),
        guard=(REGISTRY_FILENAME, paths.client_folder(client.id)),
        what=f"client {client.id}",
    )
    return apply_write(
        root,
        repo,
        plan,
        author=author,
        check=SameCheck(lambda where: ledger_problems(where / paths.main_file(client.id), where)),
        dry_run=dry_run,
    )
