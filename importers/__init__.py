"""beangulp importers of beanfirm, installed as `beanfirm.importers`.

`IMPORTER_NAMES` lists the importer names a client's account may name in clients.yaml
(`accounts: - importer: NAME`), with their descriptions; it is derived from the one importer
table, `presets.IMPORTERS`. Each name is a preset on the configurable CSV/XLSX engine
(`presets.PRESETS[name]`, read by `csvengine.StatementImporter(config, account)`), `csv` (a
YAML config of the account's own), or a statement format: `ofx` (`ofx.OfxImporter(account)`),
`camt053` (`camt053.Camt053Importer(account)`), `mt940` (`mt940.Mt940Importer(account)`). The
registry rejects any other name so that a typo never passes.

The importer API (docs/importers.md), the same for every importer (`importer.BeanfirmImporter`,
a beangulp `Importer`):

- `identify(path) -> bool`, `account`, `date` and `filename` never raise (Fava's import page
  asks them of every file); built with `number=` (the account's registered number) and
  `rivals=`, `identify` claims only files that state that number. `name` is
  `beanfirm.<format>:<account>`. `read(path) -> statement.BankStatement` raises
  `beanfirm.errors.StatementError(filename, line, message)` for anything it cannot read, and
  reads a file whole or not at all; `extract(path, existing)` gives the entries
  (`entries.statement_entries(statement, account)`): one `!` transaction per row with
  `import-id` metadata, and balance assertions; `deduplicate` marks what the existing
  entries hold by `import-id`.
- `BankStatement` holds `rows` (with `import_id`), `skipped` (line and reason), `balances`
  (closing balances: a `balance` assertion is dated the day after `ClosingBalance.date`),
  `openings` (opening balances of OFX/CAMT/MT940 statements, asserted at the start of
  `OpeningBalance.date`) and `account_number`.
- Account-number hook: `BankStatement.account_number` (also `importer.account_number(path)`) is
  the account, card or IBAN the file states, as written and possibly masked
  (`1234****9876`), or None when the file states none. Compare it with the account's
  `number:` in clients.yaml with `accountnumber.account_number_matches(found, expected)`,
  which ignores spaces and separators, honours masks and accepts a registry that keeps only
  the last digits. CSV presets find it in the preamble (`account-number:` in the config),
  OFX from `ACCTID`, CAMT.053 from `Acct/Id/IBAN`, MT940 from `:25:`.
"""

from beanfirm.importers.csvconfig import CsvConfig
from beanfirm.importers.presets import IMPORTERS, OwnConfig

IMPORTER_NAMES: dict[str, str] = {name: kind.description for name, kind in IMPORTERS.items()}
# The importers that may read a fee column, for whom an account may name its `fee-account`:
# the presets with one, and `csv`, whose config may have one.
FEE_IMPORTERS: tuple[str, ...] = tuple(
    name
    for name, kind in IMPORTERS.items()
    if isinstance(kind.reader, OwnConfig)
    or (isinstance(kind.reader, CsvConfig) and kind.reader.fee is not None)
)
