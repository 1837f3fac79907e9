"""A client's bank or payment export: the account it belongs to, its importer, its statement.

clients.yaml names an importer for each of a client's accounts. An export is read with the
importer of the account given by `--account`; otherwise every account's importer is asked
whether it recognises the file (`identify`), and exactly one must. When none does, the error
lists each account with the reason its importer gave, nearest first, unless the file itself is
damaged (`DamagedFileError`: bytes that do not decode, a quote never closed), which every
importer that read it found alike: that one error is reported, with its line, as `--account`
would report it (the importers of formats the file is not, OFX for a CSV, are not asked). When
several do and the
file states an account number, the number decides (an account registered with exactly that
number beats those whose number is only its suffix); else the error names them all. A stated
account number that does not match the account's `number:` in clients.yaml is refused: the
export of another account, imported here, would put its money in the wrong place.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, replace
from pathlib import Path

from beanfirm.core import paths
from beanfirm.errors import (
    BeanfirmError,
    ConfigError,
    DamagedFileError,
    StatementError,
    UsageError,
    not_utf8,
)
from beanfirm.importers.accountnumber import account_number_matches, claims_number
from beanfirm.importers.csvconfig import load_config
from beanfirm.importers.csvengine import StatementImporter
from beanfirm.importers.importer import BeanfirmImporter, FormatImporter
from beanfirm.importers.presets import IMPORTERS, PRESETS, OwnConfig, StatementFormat
from beanfirm.importers.statement import BankStatement
from beanfirm.store.registry import Client, FundingAccount


class ExportError(BeanfirmError):
    """An export cannot be imported as it is: not recognised, ambiguous, the wrong account."""


@dataclass(frozen=True)
class Export:
    """An export read for one of a client's accounts."""

    path: Path
    account: FundingAccount
    importer: BeanfirmImporter
    statement: BankStatement


def config_path(config_dir: Path, account: FundingAccount) -> Path:
    """Return where the `csv` config of an account is: importers/<Account/Path>.yaml."""
    return config_dir / (account.account.replace(":", "/") + ".yaml")


def missing_config(client_id: str, account: FundingAccount) -> str:
    """Say where the missing config of a `csv` account goes and what it holds (one sentence)."""
    where = f"{paths.importers_folder(client_id)}/{account.account.replace(':', '/')}.yaml"
    return (
        f"its config file is missing: write {where} (in the practice), a YAML file that names "
        "the export's columns by their header text, at least `columns: {date: …, amount: …}` "
        "and the `currency` (docs/importers.md, section 'The CSV/XLSX config'), and commit it"
    )


def importer_for(
    account: FundingAccount,
    config_dir: Path | None = None,
    *,
    number: str | None = None,
    rivals: tuple[str, ...] = (),
) -> BeanfirmImporter | None:
    """Return the importer clients.yaml names for an account (None if it cannot be built).

    A `csv` account's config is read from `config_dir` (`ledgers/<id>/importers/`), in a
    file named after the account like its documents folder; a mistake in it is a ConfigError.
    `number` and `rivals` make its `identify` claim only files of that account number
    (`beanfirm.importers.importer`); the import command compares numbers itself. The
    account's `fee-account` in clients.yaml books the fees of a config or preset that names
    none.
    """
    kind = IMPORTERS.get(account.importer)
    if kind is None:
        return None
    reader = kind.reader
    if isinstance(reader, StatementFormat):
        module = importlib.import_module(f"beanfirm.importers.{reader.module}")
        importer_class: type[BeanfirmImporter] = getattr(module, reader.cls)
        return importer_class(account.account, number=number, rivals=rivals)
    if isinstance(reader, OwnConfig):
        path = config_path(config_dir, account) if config_dir is not None else None
        if path is None or not path.is_file():
            return None
        config = load_config(path, PRESETS)
        if account.fee_account is not None and config.fee is None:
            msg = (
                f"{path}: clients.yaml names a fee-account ({account.fee_account}) for "
                f"{account.account}, but this config has no `fee` column to book it from. "
                "Name the fee column under `columns:`, or remove the fee-account."
            )
            raise ConfigError(msg)
    else:
        config = reader
    if account.fee_account is not None and config.fee_account is None:
        config = replace(config, fee_account=account.fee_account)
    return StatementImporter(config, account.account, number=number, rivals=rivals)


def find_account(client: Client, wanted: str) -> FundingAccount:
    """Return the client's account named `wanted` in full or by its last components."""
    found = [a for a in client.accounts if a.account == wanted or a.account.endswith(f":{wanted}")]
    if len(found) == 1:
        return found[0]
    names = ", ".join(a.account for a in client.accounts) or "none"
    what = "matches several" if found else "is not one"
    msg = (
        f"--account {wanted} {what} of the accounts of {client.id} in clients.yaml ({names}). "
        "Name one of them in full."
    )
    raise UsageError(msg)


@dataclass(frozen=True)
class Refusal:
    """Why one account's importer did not claim a file, and how near it came to reading it."""

    rank: int  # lower is nearer
    reason: str  # "Assets:Bank (cmb-debit): no header row …"
    error: StatementError | None = None  # what reading the file raised, if it was read
    # Whether the importer read the file as a file of its kind: not one that could not be
    # built, nor a format importer (OFX, …) whose format the file is not.
    tried: bool = True


def _refusal(importer: BeanfirmImporter, path: Path, label: str) -> Refusal:
    """Return why an importer that does not recognise a file refused it, by reading it."""
    tried = not isinstance(importer, FormatImporter)
    try:
        importer.read(str(path))
    except StatementError as exc:
        why = exc.message.split(": ", 1)[-1]
        return Refusal(1 if exc.line is not None else 2, f"{label}: {why}", exc, tried=tried)
    except Exception as exc:  # noqa: BLE001 - a broken importer is a reason, not a crash
        why = f"the importer failed ({type(exc).__name__}: {exc})"
        return Refusal(3, f"{label}: {why}", tried=tried)
    why = "it reads the file, but the marker text it looks for is missing"
    return Refusal(0, f"{label}: {why}", tried=tried)


def _damage(refused: list[Refusal]) -> DamagedFileError | None:
    """Return the defect of the file itself that every importer that read it found, if any.

    Those importers are the ones of no fixed format (the CSV engine's); an OFX, CAMT or MT940
    importer that does not recognise a file only says that the file is not of its format.
    """
    errors = [refusal.error for refusal in refused if refusal.tried]
    first = errors[0] if errors else None
    if not isinstance(first, DamagedFileError):
        return None
    if all(isinstance(error, DamagedFileError) and str(error) == str(first) for error in errors):
        return first
    return None


def _read(path: Path, account: FundingAccount, importer: BeanfirmImporter) -> BankStatement:
    statement = importer.read(str(path))
    if not isinstance(statement, BankStatement):
        msg = f"the importer {account.importer} did not return a statement for {path}."
        raise ExportError(msg)
    return statement


def check_number(export: Export) -> None:
    """Refuse an export whose stated account number is not the account's in clients.yaml."""
    stated = export.statement.account_number
    expected = export.account.number
    if stated and expected and not account_number_matches(stated, expected):
        msg = (
            f"{export.path}: this export is for account number {stated}, but "
            f"{export.account.account} is number {expected} in clients.yaml. It is probably "
            "the export of another account; import it into the right client or account "
            "(--account), or correct `number:` in clients.yaml if the account changed."
        )
        raise ExportError(msg)


def read_export(
    client: Client, path: Path, account: str | None = None, *, config_dir: Path | None = None
) -> Export:
    """Identify and read an export for a client (see the module docstring).

    `config_dir` holds the configs of the client's `csv` accounts (`ledgers/<id>/importers/`).
    """
    shown = not_utf8(path.name)
    if shown is not None:
        msg = (
            f"{path.parent}/{shown}: the file's name is not UTF-8 text (its bytes are most "
            "likely GBK, in which Chinese Windows names files), and beanfirm keeps every name in "
            "UTF-8: the name goes into the archive, the ledger and the commit. Rename the file "
            "(type its name again on this system) and import it again. Nothing was written."
        )
        raise ExportError(msg)
    if account is not None:
        chosen = find_account(client, account)
        importer = importer_for(chosen, config_dir)
        if importer is None:
            msg = (
                f"{chosen.account} of {client.id} uses the `csv` importer, and "
                f"{missing_config(client.id, chosen)}."
            )
            raise ExportError(msg)
        exports = [Export(path, chosen, importer, _read(path, chosen, importer))]
    else:
        exports = _claims(client, path, config_dir)
    if len(exports) > 1:
        exports = _by_number(exports) or exports
    if len(exports) > 1:
        names = " and ".join(f"{e.account.account} ({e.account.importer})" for e in exports)
        msg = (
            f"{path}: two importers claim this file: {names}. Say which account it belongs to "
            "with --account ACCOUNT (or record each account's `number:` in clients.yaml, so the "
            "number the export states decides)."
        )
        raise ExportError(msg)
    check_number(exports[0])
    return exports[0]


def _claims(client: Client, path: Path, config_dir: Path | None) -> list[Export]:
    """Return the export as read by each account whose importer recognises it (at least one)."""
    if not client.accounts:
        msg = (
            f"{client.id} has no bank, card or payment accounts in clients.yaml, so no importer "
            f"can read {path}. Add the account under `accounts:` with its importer."
        )
        raise UsageError(msg)
    claims: list[tuple[FundingAccount, BeanfirmImporter]] = []
    refused: list[Refusal] = []
    for candidate in client.accounts:
        importer = importer_for(candidate, config_dir)
        label = f"{candidate.account} ({candidate.importer})"
        if importer is None:
            csv = candidate.importer == "csv"
            why = missing_config(client.id, candidate) if csv else "not runnable"
            refused.append(Refusal(4, f"{label}: {why}", tried=False))
        elif importer.identify(str(path)):
            claims.append((candidate, importer))
        else:
            refused.append(_refusal(importer, path, label))
    if not claims:
        damage = _damage(refused)
        if damage is not None:
            raise damage  # the file's own defect, as `--account` would report it
        reasons = {refusal.reason.split(": ", 1)[-1] for refusal in refused}
        if len(reasons) == 1 and len(refused) > 1:
            msg = f"{path}: {reasons.pop()}"  # every importer says the same, e.g. empty
            raise ExportError(msg)
        listed = "; ".join(
            _first_sentence(refusal.reason)
            for refusal in sorted(refused, key=lambda refusal: refusal.rank)
        )
        msg = (
            f"{path}: no importer of {client.id}'s accounts recognises this file. Nearest "
            f"first: {listed}. Check that it is the export as the bank or app gave it, and "
            "that clients.yaml names the right importer for the account."
        )
        raise ExportError(msg)
    exports: list[Export] = []
    failures: list[StatementError] = []
    for funding, importer in claims:
        try:
            exports.append(Export(path, funding, importer, _read(path, funding, importer)))
        except StatementError as exc:
            failures.append(exc)
    if not exports:
        raise failures[0]
    return exports


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head if dot else text.rstrip(".")


def _by_number(exports: list[Export]) -> list[Export]:
    """Keep the exports whose stated account number matches the account's, exact ones if any.

    `NL71RABO0123456789` stated, and three accounts registered as that IBAN, `0123456789` and
    `123456789`: all three match as suffixes, but only the first is that number.
    """
    kept: list[Export] = []
    for export in exports:
        stated, own = export.statement.account_number, export.account.number
        rivals = tuple(o.account.number for o in exports if o is not export and o.account.number)
        if stated and own and claims_number(stated, own, rivals):
            kept.append(export)
    return kept
