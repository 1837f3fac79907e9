"""The client registry of a practice: `clients.yaml` parsed into frozen records.

`parse_registry` returns `(registry, problems)`: every problem in the file at once, each with
file:line and what to do, in the manner of Fava's `parse_options`. `load_registry` raises a
`ConfigError` listing them when there are any.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING

from beancount.core import amount as bc_amount

from beanfirm.core import paths, translation
from beanfirm.core.accountnames import STATEMENT_ROOTS, is_account_name
from beanfirm.core.yamlnodes import NodeReader, line_of
from beanfirm.errors import ConfigError, Problem
from beanfirm.importers import FEE_IMPORTERS, IMPORTER_NAMES
from beanfirm.plugins import periods
from beanfirm.store import contacts
from beanfirm.store.backuppolicy import BackupPolicy, parse_backup_policy
from beanfirm.store.contacts import (
    CONTACT_KEYS,
    DEFAULT_STAGES,
    NO_CONTACT,
    Contact,
    DunningStages,
    read_contact,
    read_dunning,
)

if TYPE_CHECKING:
    import yaml

REGISTRY_FILENAME = "clients.yaml"

ROLES = ("preparer", "reviewer", "partner")
FREQUENCIES = ("low", "medium", "high")
SIZES = ("micro", "small", "medium", "large")
LANGUAGES = translation.LANGUAGES  # those of the catalogues (tools/translations/), and English
CADENCES = ("weekly", "monthly", "quarterly")
ACCOUNT_KINDS = ("bank", "credit-card", "payment", "cash")
# Who may fill each seat on a client: a reviewer or partner may also prepare.
MAY_PREPARE = ("preparer", "reviewer", "partner")
MAY_REVIEW = ("reviewer", "partner")

EMAIL_RE = contacts.EMAIL_RE  # one rule for every email address (the portal's users too)
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
MONTH_DAY_RE = re.compile(r"^(\d{2})-(\d{2})$")

TOP_KEYS = ("firm", "clients")
FIRM_REQUIRED = ("name", "staff")
FIRM_KEYS = (
    *FIRM_REQUIRED,
    *CONTACT_KEYS,
    "dunning",
    "deadlines",
    "review-interval-days",
    "logo",
)
STAFF_REQUIRED = ("id", "name", "email", "role")
STAFF_KEYS = (*STAFF_REQUIRED, "signing-key")
SSH_KEY_RE = re.compile(
    r"^(ssh-[a-z0-9-]+|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$"
)
GPG_FINGERPRINT_RE = re.compile(r"^[0-9A-Fa-f]{40}$")
CLIENT_KEYS = (
    "id",
    "name",
    "classification",
    "preparer",
    "reviewer",
    "currency",
    "fiscal-year-start",
    "language",
    "reconcile",
    "accounts",
    *CONTACT_KEYS,
    "dunning",
    "deadlines",
    "last-verified",
    "verified-by",
    "vat-rate",
    "revaluation",
)
CLIENT_REQUIRED = ("id", "name", "classification", "preparer", "reviewer", "currency")
CLASSIFICATION_KEYS = ("industry", "frequency", "region", "size")
DEADLINE_KEYS = ("close", "statements")
LAST_DAY = 31
ACCOUNT_KEYS = ("account", "kind", "importer", "number", "currency", "reconcile", "fee-account")


@dataclass(frozen=True)
class Staff:
    """A member of the firm's staff."""

    id: str
    name: str
    email: str
    role: str
    signing_key: str | None = None  # an SSH public key or a GPG fingerprint: approvals signed


@dataclass(frozen=True)
class Deadlines:
    """When a month's work is due: the day of the following month to close it, to issue it.

    A day past the end of the following month means its last day (31: the month's end).
    """

    close: int | None = None
    statements: int | None = None


NO_DEADLINES = Deadlines()


@dataclass(frozen=True)
class Firm:
    """The accounting firm that keeps the practice."""

    name: str
    staff: tuple[Staff, ...]
    contact: Contact = NO_CONTACT
    dunning: DunningStages | None = None
    line: int = 0
    deadlines: Deadlines = NO_DEADLINES
    review_interval_days: int | None = None  # how old a review of client data may grow
    logo: str | None = None  # a PNG file, practice-relative: the portal's login page and header


@dataclass(frozen=True)
class Classification:
    """How the firm classifies a client, for assignment and for filtering."""

    industry: str
    frequency: str
    region: str
    size: str


@dataclass(frozen=True)
class FundingAccount:
    """A bank, card or payment account of a client and the importer its exports use."""

    account: str
    kind: str
    importer: str
    number: str | None
    currency: str | None
    reconcile: str | None
    fee_account: str | None = None  # where its exports' fee column is booked
    line: int = field(default=0, compare=False)  # of its item in clients.yaml


@dataclass(frozen=True)
class Client:
    """One client business of the firm, whose books live in `ledgers/<id>/`."""

    id: str
    name: str
    classification: Classification
    preparer: str
    reviewer: str
    currency: str
    fiscal_year_start: str
    language: str
    reconcile: str
    accounts: tuple[FundingAccount, ...]
    line: int
    contact: Contact = NO_CONTACT
    dunning: DunningStages | None = None
    deadlines: Deadlines = NO_DEADLINES  # its own; `Registry.deadlines` adds the firm's
    last_verified: datetime.date | None = None  # when its master data was last reviewed
    verified_by: str | None = None  # the staff member who reviewed it
    vat_rate: Decimal | None = None  # a VAT payer's usual rate (0.13); None: not a VAT payer
    revaluation: bool = True  # the close revalues foreign-currency balances (docs/close.md)

    def reconcile_cadence(self, account: FundingAccount) -> str:
        """Return the reconciliation cadence of one of the client's accounts."""
        return account.reconcile or self.reconcile


@dataclass(frozen=True)
class Registry:
    """The parsed `clients.yaml` of a practice."""

    path: Path
    firm: Firm
    clients: tuple[Client, ...]
    backup: BackupPolicy | None = None

    def client(self, client_id: str) -> Client:
        """Return a client by id, or raise a ConfigError that lists the known ids."""
        for client in self.clients:
            if client.id == client_id:
                return client
        known = ", ".join(c.id for c in self.clients) or "none yet"
        msg = (
            f"No client '{client_id}' in {self.path.name}. Known clients: {known}. "
            "Run `beanfirm clients list` to see them, or `beanfirm clients add` to register one."
        )
        raise ConfigError(msg)

    def dunning_stages(self, client: Client) -> DunningStages:
        """Return a client's dunning stages: its own, else the firm's, else the defaults."""
        return client.dunning or self.firm.dunning or DEFAULT_STAGES

    def deadlines(self, client: Client) -> Deadlines:
        """Return a client's deadlines: each its own where it sets one, else the firm's."""
        own, firm = client.deadlines, self.firm.deadlines
        return Deadlines(
            own.close if own.close is not None else firm.close,
            own.statements if own.statements is not None else firm.statements,
        )

    def staff_member(self, staff_id: str) -> Staff:
        """Return a staff member by id, or raise a ConfigError that lists the known ids."""
        for member in self.firm.staff:
            if member.id == staff_id:
                return member
        known = ", ".join(s.id for s in self.firm.staff)
        msg = f"No staff member '{staff_id}' in {self.path.name}. Staff ids are: {known}."
        raise ConfigError(msg)


def parse_registry(
    path: Path, text: str | None = None, *, check_ledgers: bool = True
) -> tuple[Registry | None, list[Problem]]:
    """Parse a registry file; return the registry (None if unusable) and every problem."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None, [Problem(str(path), None, "registry file not found.")]
        except UnicodeDecodeError as exc:
            msg = f"not valid UTF-8 ({exc.reason}); save the file as UTF-8."
            return None, [Problem(str(path), None, msg)]
    reader = NodeReader(path.name)
    root = reader.compose(text)
    if root is None:
        if not reader.problems:
            reader.problem(None, "the registry is empty; it needs 'firm:' and 'clients:'.")
        return None, reader.problems
    top = reader.mapping(root, "the registry", allowed=(*TOP_KEYS, "backup"), required=TOP_KEYS)
    firm = _firm(reader, top["firm"]) if "firm" in top else Firm("", ())
    clients = _clients(reader, top.get("clients"), firm)
    if check_ledgers:
        for client, node_line in clients:
            main = path.parent / paths.main_file(client.id)
            if not main.is_file():
                reader.problems.append(
                    Problem(
                        path.name,
                        node_line,
                        f"client '{client.id}' has no ledger: ledgers/{client.id}/main.beancount "
                        "is missing. Restore the folder from git, create it with "
                        "`beanfirm clients add`, or remove the client from the registry.",
                    )
                )
    backup = parse_backup_policy(reader, top["backup"], path.parent) if "backup" in top else None
    registry = Registry(path=path, firm=firm, clients=tuple(c for c, _ in clients), backup=backup)
    return registry, reader.problems


def load_registry(path: Path) -> Registry:
    """Parse a registry and raise a ConfigError listing every problem, if any."""
    registry, problems = parse_registry(path)
    if problems or registry is None:
        count = len(problems)
        msg = (
            f"The client registry {path} has {count} problem{'s' if count != 1 else ''}; "
            "fix each line below and run the command again."
        )
        raise ConfigError(msg, tuple(problems))
    return registry


def _firm(reader: NodeReader, node: yaml.Node) -> Firm:
    keys = reader.mapping(node, "'firm'", allowed=FIRM_KEYS, required=FIRM_REQUIRED)
    name = reader.string(keys["name"], "the firm's name") if "name" in keys else None
    staff: list[Staff] = []
    seen: dict[str, int] = {}
    for item in reader.sequence(keys["staff"], "'staff'") if "staff" in keys else []:
        member = _staff(reader, item)
        if member is None:
            continue
        if member.id in seen:
            reader.problem(
                item,
                f"duplicate staff id '{member.id}' (first on line {seen[member.id]}); "
                "give each staff member a unique id.",
            )
            continue
        seen[member.id] = line_of(item)
        staff.append(member)
    if "staff" in keys and not staff and not reader.problems:
        reader.problem(keys["staff"], "the firm needs at least one staff member.")
    contact = read_contact(reader, keys, "the firm")
    dunning = read_dunning(reader, keys["dunning"], "the firm") if "dunning" in keys else None
    deadlines = _deadlines(reader, keys["deadlines"], "the firm") if "deadlines" in keys else None
    interval = None
    if "review-interval-days" in keys:
        interval = _review_interval(reader, keys["review-interval-days"])
    logo = _logo(reader, keys["logo"]) if "logo" in keys else None
    return Firm(
        name or "",
        tuple(staff),
        contact,
        dunning,
        line_of(node),
        deadlines or NO_DEADLINES,
        interval,
        logo,
    )


def _logo(reader: NodeReader, node: yaml.Node) -> str | None:
    """Read `logo: FILE.png`: a PNG inside the practice, named relative to clients.yaml."""
    text = reader.string(node, "the firm's logo")
    if text is None:
        return None
    parts = text.replace("\\", "/").split("/")
    if text.startswith("/") or ".." in parts or not text.lower().endswith(".png"):
        reader.problem(
            node,
            f"logo is '{text}'; it must be a PNG file inside the practice, named relative to "
            "clients.yaml (e.g. logo: branding/logo.png).",
        )
        return None
    return text


def _review_interval(reader: NodeReader, node: yaml.Node) -> int | None:
    """Read `review-interval-days`: how many days a review of client data stays current."""
    before = len(reader.problems)
    days = reader.scalar(node, "the firm's review interval")
    if isinstance(days, int) and not isinstance(days, bool) and days >= 1:
        return days
    if len(reader.problems) == before:
        reader.problem(
            node,
            f"review-interval-days is '{node.value}'; it must be a whole number of days, "
            "at least 1 (e.g. review-interval-days: 365).",
        )
    return None


def _verified(
    reader: NodeReader, keys: dict[str, yaml.Node], what: str, staff: dict[str, Staff]
) -> tuple[datetime.date | None, str | None]:
    """Read a client's `last-verified: DATE` and `verified-by: STAFF`."""
    day = None
    if "last-verified" in keys:
        before = len(reader.problems)
        value = reader.scalar(keys["last-verified"], f"the last review of {what}")
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            day = value
        elif len(reader.problems) == before:
            reader.problem(
                keys["last-verified"],
                f"last-verified of {what} is '{keys['last-verified'].value}'; it must be a "
                "date written YYYY-MM-DD, without quotes (`beanfirm clients verify` writes it).",
            )
    by = None
    if "verified-by" in keys:
        by = reader.string(keys["verified-by"], f"who last reviewed {what}")
        if by is not None and by not in staff:
            reader.problem(
                keys["verified-by"],
                f"{what} was verified by '{by}', who is not on the firm's staff; name a staff "
                f"id: {', '.join(staff) or 'none'}.",
            )
            by = None
    return day, by


def parse_rate(text: str) -> Decimal | None:
    """Read a VAT rate written `13%` or `0.13`; None unless it is from 0 to 1 (100%)."""
    text = text.strip()
    try:
        rate = Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        return None
    return rate if rate.is_finite() and 0 <= rate <= 1 else None


def _revaluation(reader: NodeReader, node: yaml.Node, what: str) -> bool:
    """Read a client's `revaluation`: whether its close revalues foreign-currency balances."""
    value = reader.scalar(node, f"the revaluation of {what}")
    if not isinstance(value, bool):
        reader.problem(
            node,
            f"revaluation of {what} is '{getattr(node, 'value', '')}'; write true (the close "
            "revalues foreign-currency balances at the period-end rate) or false.",
        )
        return True
    return value


def _vat_rate(reader: NodeReader, node: yaml.Node, what: str) -> Decimal | None:
    """Read a client's `vat-rate`: it is a VAT payer, whose invoices split VAT at this rate."""
    text = reader.string(node, f"the VAT rate of {what}")
    rate = parse_rate(text) if text is not None else None
    if text is not None and rate is None:
        reader.problem(
            node,
            f"vat-rate of {what} is '{text}'; write it as a percentage like 13% (or 0.13), "
            "from 0% to 100%.",
        )
    return rate


def _deadlines(reader: NodeReader, node: yaml.Node, what: str) -> Deadlines:
    """Read `deadlines: {close: DAY, statements: DAY}`: days of the month after the period."""
    keys = reader.mapping(node, f"the deadlines of {what}", allowed=DEADLINE_KEYS)
    days: dict[str, int] = {}
    for key, value in keys.items():
        before = len(reader.problems)
        day = reader.scalar(value, f"the {key} deadline of {what}")
        if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= LAST_DAY:
            days[key] = day
        elif len(reader.problems) == before:  # a list or mapping is reported by `scalar`
            reader.problem(
                value,
                f"the {key} deadline of {what} is '{value.value}'; it must be a day of the "
                f"month after the period, a whole number from 1 to {LAST_DAY} (e.g. {key}: 15).",
            )
    return Deadlines(days.get("close"), days.get("statements"))


def _staff(reader: NodeReader, node: yaml.Node) -> Staff | None:
    keys = reader.mapping(node, "a staff member", allowed=STAFF_KEYS, required=STAFF_REQUIRED)
    if not all(key in keys for key in STAFF_REQUIRED):
        return None
    staff_id = reader.string(keys["id"], "a staff id")
    if staff_id is not None and not SLUG_RE.match(staff_id):
        reader.problem(
            keys["id"],
            f"staff id '{staff_id}' must be lowercase letters, digits and hyphens (like 'wang').",
        )
        staff_id = None
    name = reader.string(keys["name"], "a staff member's name")
    email = reader.string(keys["email"], "a staff member's email")
    if email is not None and not EMAIL_RE.match(email):
        reader.problem(keys["email"], f"'{email}' is not an email address.")
        email = None
    role = reader.choice(keys["role"], "a staff member's role", ROLES)
    signing_key = None
    if "signing-key" in keys:
        signing_key = reader.string(keys["signing-key"], "a staff member's signing key")
        if signing_key is not None:
            signing_key = signing_key.strip()
            if GPG_FINGERPRINT_RE.match(signing_key.replace(" ", "")):
                signing_key = signing_key.replace(" ", "").upper()
            elif not SSH_KEY_RE.match(signing_key):
                reader.problem(
                    keys["signing-key"],
                    "a signing key must be an SSH public key (the line of its .pub file, like "
                    "'ssh-ed25519 AAAA...') or a GPG key's 40-digit fingerprint.",
                )
                return None
    if staff_id is None or name is None or email is None or role is None:
        return None
    return Staff(staff_id, name, email, role, signing_key)


def _clients(reader: NodeReader, node: yaml.Node | None, firm: Firm) -> list[tuple[Client, int]]:
    if node is None:
        return []
    staff = {member.id: member for member in firm.staff}
    clients: list[tuple[Client, int]] = []
    seen: dict[str, int] = {}
    for item in reader.sequence(node, "'clients'"):
        client = _client(reader, item, staff)
        if client is None:
            continue
        if client.id in seen:
            reader.problem(
                item,
                f"duplicate client id '{client.id}' (first on line {seen[client.id]}); "
                "each client needs its own id, which is also its folder name.",
            )
            continue
        seen[client.id] = line_of(item)
        clients.append((client, line_of(item)))
    return clients


def _client(reader: NodeReader, node: yaml.Node, staff: dict[str, Staff]) -> Client | None:
    keys = reader.mapping(node, "a client", allowed=CLIENT_KEYS, required=CLIENT_REQUIRED)
    before = len(reader.problems)
    client_id = reader.string(keys["id"], "a client id") if "id" in keys else None
    if client_id is not None and not SLUG_RE.match(client_id):
        reader.problem(
            keys["id"],
            f"client id '{client_id}' is not allowed: it is also the ledger's folder name, so "
            "it may hold only lowercase letters, digits and hyphens (like 'huamei-retail'), "
            "with no '/', '.', spaces or other path characters.",
        )
    what = f"client '{client_id}'" if client_id else "a client"
    name = reader.string(keys["name"], f"the name of {what}") if "name" in keys else None
    classification = (
        _classification(reader, keys["classification"], what) if "classification" in keys else None
    )
    preparer = _seat(reader, keys.get("preparer"), what, "preparer", MAY_PREPARE, staff)
    reviewer = _seat(reader, keys.get("reviewer"), what, "reviewer", MAY_REVIEW, staff)
    if preparer and reviewer and preparer == reviewer:
        reader.problem(
            keys["reviewer"],
            f"{what} has '{preparer}' as both preparer and reviewer; two-person review needs "
            "two different staff members.",
        )
    currency = _currency(reader, keys["currency"], what) if "currency" in keys else None
    fiscal_year_start = "01-01"
    if "fiscal-year-start" in keys:
        fiscal_year_start = _month_day(reader, keys["fiscal-year-start"], what) or fiscal_year_start
    language = "zh"
    if "language" in keys:
        language = reader.choice(keys["language"], f"the language of {what}", LANGUAGES) or language
    reconcile = "monthly"
    if "reconcile" in keys:
        cadence = reader.choice(keys["reconcile"], f"the reconcile cadence of {what}", CADENCES)
        reconcile = cadence or reconcile
    accounts = _accounts(reader, keys.get("accounts"), what)
    contact = read_contact(reader, keys, what)
    dunning = read_dunning(reader, keys["dunning"], what) if "dunning" in keys else None
    deadlines = _deadlines(reader, keys["deadlines"], what) if "deadlines" in keys else None
    last_verified, verified_by = _verified(reader, keys, what, staff)
    vat_rate = _vat_rate(reader, keys["vat-rate"], what) if "vat-rate" in keys else None
    revaluation = _revaluation(reader, keys["revaluation"], what) if "revaluation" in keys else True
    if len(reader.problems) != before or not (
        client_id and name and classification and preparer and reviewer and currency
    ):
        return None
    return Client(
        id=client_id,
        name=name,
        classification=classification,
        preparer=preparer,
        reviewer=reviewer,
        currency=currency,
        fiscal_year_start=fiscal_year_start,
        language=language,
        reconcile=reconcile,
        accounts=accounts,
        line=line_of(node),
        contact=contact,
        dunning=dunning,
        deadlines=deadlines or NO_DEADLINES,
        last_verified=last_verified,
        verified_by=verified_by,
        vat_rate=vat_rate,
        revaluation=revaluation,
    )


def _classification(reader: NodeReader, node: yaml.Node, what: str) -> Classification | None:
    keys = reader.mapping(
        node,
        f"the classification of {what}",
        allowed=CLASSIFICATION_KEYS,
        required=CLASSIFICATION_KEYS,
    )
    if len(keys) != len(CLASSIFICATION_KEYS):
        return None
    industry = reader.string(keys["industry"], f"the industry of {what}")
    frequency = reader.choice(
        keys["frequency"], f"the transaction frequency of {what}", FREQUENCIES
    )
    region = reader.string(keys["region"], f"the region of {what}")
    size = reader.choice(keys["size"], f"the size of {what}", SIZES)
    if industry is None or frequency is None or region is None or size is None:
        return None
    return Classification(industry, frequency, region, size)


def _seat(
    reader: NodeReader,
    node: yaml.Node | None,
    what: str,
    seat: str,
    roles: tuple[str, ...],
    staff: dict[str, Staff],
) -> str | None:
    if node is None:
        return None
    staff_id = reader.string(node, f"the {seat} of {what}")
    if staff_id is None:
        return None
    member = staff.get(staff_id)
    if member is None:
        known = ", ".join(staff) or "none"
        reader.problem(
            node,
            f"{what} names unknown staff '{staff_id}' as {seat}; add them under firm: staff: "
            f"or use one of: {known}.",
        )
        return None
    if member.role not in roles:
        reader.problem(
            node,
            f"{what} has '{staff_id}' as {seat}, but their role is {member.role}; a {seat} "
            f"must have one of the roles: {', '.join(roles)}.",
        )
        return None
    return staff_id


def _currency(reader: NodeReader, node: yaml.Node, what: str) -> str | None:
    currency = reader.string(node, f"the currency of {what}")
    if currency is not None and not re.fullmatch(bc_amount.CURRENCY_RE, currency):
        reader.problem(node, f"'{currency}' is not a currency code; write it like CNY or USD.")
        return None
    return currency


def _month_day(reader: NodeReader, node: yaml.Node, what: str) -> str | None:
    value = reader.string(node, f"the fiscal-year start of {what}")
    match = MONTH_DAY_RE.match(value or "")
    if value is None:
        return None
    try:
        if match is None:
            raise ValueError(value)
        datetime.date(2001, int(match[1]), int(match[2]))
    except ValueError:
        reader.problem(
            node,
            f"fiscal-year start '{value}' must be a month and day as \"MM-DD\" in quotes, "
            'like "01-01" or "04-01".',
        )
        return None
    return value


def _account_cadence(reader: NodeReader, node: yaml.Node) -> str | None:
    """Read an account's cadence: a client's, or a statement cycle such as `monthly@25`."""
    value = reader.string(node, "a reconcile cadence")
    if value is not None and not periods.is_cadence(value):
        reader.problem(
            node,
            f"a reconcile cadence is '{value}'; it must be one of: {', '.join(CADENCES)}, or "
            f"a statement cycle, {' or '.join(periods.CYCLE_FORMS)} (monthly@25: statements "
            "that close on the 25th).",
        )
        return None
    return value


def _fee_account(reader: NodeReader, node: yaml.Node, importer: str | None) -> str | None:
    """Read an account's `fee-account`: an account name, for an importer that reads fees."""
    value = reader.string(node, "a fee account")
    if value is None:
        return None
    if not is_account_name(value):
        reader.problem(
            node,
            f"a fee-account is '{value}'; it must be an account name, like Expenses:Bank:Fees.",
        )
        return None
    if importer is not None and importer not in FEE_IMPORTERS:
        reader.problem(
            node,
            f"the importer {importer} reads no fee column, so a fee-account has nothing to "
            f"book; it applies to {', '.join(FEE_IMPORTERS)} (a csv config with `columns.fee`).",
        )
        return None
    return value


def _accounts(reader: NodeReader, node: yaml.Node | None, what: str) -> tuple[FundingAccount, ...]:
    if node is None:
        return ()
    accounts: list[FundingAccount] = []
    seen: set[str] = set()
    for item in reader.sequence(node, f"the accounts of {what}"):
        keys = reader.mapping(
            item,
            f"an account of {what}",
            allowed=ACCOUNT_KEYS,
            required=("account", "kind", "importer"),
        )
        name = reader.string(keys["account"], "an account name") if "account" in keys else None
        if name is not None and not is_account_name(name, STATEMENT_ROOTS):
            reader.problem(
                keys["account"],
                f"'{name}' is not a valid Beancount account name; it must start with Assets: "
                "or Liabilities: and each component must start with a capital letter, a digit "
                "or a code prefix (like Assets:1002-银行存款:工商银行).",
            )
            name = None
        if name is not None and name in seen:
            reader.problem(keys["account"], f"{what} lists account {name} twice.")
            name = None
        kind = (
            reader.choice(keys["kind"], "an account kind", ACCOUNT_KINDS)
            if "kind" in keys
            else None
        )
        importer = (
            reader.choice(keys["importer"], "an importer", IMPORTER_NAMES)
            if "importer" in keys
            else None
        )
        number = reader.string(keys["number"], "an account number") if "number" in keys else None
        currency = _currency(reader, keys["currency"], what) if "currency" in keys else None
        cadence = _account_cadence(reader, keys["reconcile"]) if "reconcile" in keys else None
        fees = (
            _fee_account(reader, keys["fee-account"], importer) if "fee-account" in keys else None
        )
        if name is None or kind is None or importer is None:
            continue
        seen.add(name)
        accounts.append(
            FundingAccount(name, kind, importer, number, currency, cadence, fees, line_of(item))
        )
    return tuple(accounts)
