"""A statement of account as a document: HTML (Jinja2), PDF (from that HTML) or CSV.

The HTML template and its stylesheet are package data (`beanfirm/templates/statement.*`); the
words are gettext messages (`beanfirm.accounts.messages`) in the statement's language. The CSV
has one row per line, with the opening and closing balances as rows of their own, headed in the
same language and written with a byte-order mark so that spreadsheet programs read the Chinese
correctly.
"""

from __future__ import annotations

import functools
import io
from importlib import resources
from typing import TYPE_CHECKING, Literal

import jinja2

from beanfirm.accounts.aging import bucket_labels
from beanfirm.accounts.messages import Messages, day, money
from beanfirm.core.csvcells import CsvWriter
from beanfirm.core.pdf import html_to_pdf
from beanfirm.core.translation import language_tag

if TYPE_CHECKING:
    from decimal import Decimal

    from beanfirm.accounts.letterhead import Letterhead
    from beanfirm.accounts.statements import AccountStatement

OutputFormat = Literal["pdf", "html", "csv"]
FORMATS: tuple[OutputFormat, ...] = ("pdf", "html", "csv")


def render(
    statement: AccountStatement,
    firm: Letterhead,
    client: Letterhead,
    language: str,
    output: OutputFormat,
) -> bytes:
    """Return a statement as the bytes of a PDF, HTML or CSV file."""
    if output == "csv":
        return statement_csv(statement, language)
    html = statement_html(statement, firm, client, language)
    return html_to_pdf(html) if output == "pdf" else html.encode("utf-8")


def statement_html(
    statement: AccountStatement, firm: Letterhead, client: Letterhead, language: str
) -> str:
    """Return a statement as a standalone HTML document (its CSS inline)."""
    t = Messages(language)
    title, note = statement_words(t)[statement.type]
    return _template().render(
        t=t,
        kinds=line_kinds(t),
        html_lang=language_tag(language),
        title=title,
        note=note,
        css=statement_css(),
        page_label=page_label(t),
        statement=statement,
        party=statement.party,
        firm=firm,
        client=client,
        aging_labels=aging_labels(statement.limits, t),
    )


def statement_csv(statement: AccountStatement, language: str) -> bytes:
    """Return a statement as CSV: one row per line, the balances as rows of their own."""
    t = Messages(language)
    kinds = line_kinds(t)
    buffer = io.StringIO()
    writer = CsvWriter(buffer, lineterminator="\r\n")
    if statement.type == "open-item":
        writer.writerow(
            [
                t("Date"),
                t("Document"),
                t("Description"),
                t("Due date"),
                t("Original amount"),
                t("Open amount"),
                t("Days overdue"),
                t("Currency"),
            ]
        )
        for section in statement.sections:
            for item in section.open_lines:
                writer.writerow(
                    [
                        item.date,
                        item.number or kinds["unapplied"],
                        item.narration,
                        item.due or "",
                        item.amount,
                        item.open,
                        item.days_overdue if item.kind != "credit" else "",
                        section.currency,
                    ]
                )
            writer.writerow(
                [
                    statement.end,
                    kinds["closing"],
                    "",
                    "",
                    "",
                    section.closing,
                    "",
                    section.currency,
                ]
            )
    else:
        writer.writerow(
            [
                t("Date"),
                t("Type"),
                t("Document"),
                t("Description"),
                t("Charges"),
                t("Payments and credits"),
                t("Balance"),
                t("Currency"),
            ]
        )
        for section in statement.sections:
            if statement.type == "balance-forward":
                writer.writerow(
                    _balance_row(
                        statement.start, kinds["opening"], section.opening, section.currency
                    )
                )
            for line in section.lines:
                writer.writerow(
                    [
                        line.date,
                        kinds[line.kind],
                        " ".join(line.numbers),
                        line.description,
                        line.charge or "",
                        line.credit or "",
                        line.balance if statement.type == "balance-forward" else "",
                        section.currency,
                    ]
                )
            writer.writerow(
                _balance_row(statement.end, kinds["closing"], section.closing, section.currency)
            )
    return buffer.getvalue().encode("utf-8-sig")


def aging_labels(limits: tuple[int, ...], t: Messages) -> list[str]:
    """Name the aging buckets in the statement's language (Current, 1-30 days, ...)."""
    labels = [t("Current")]
    for label in bucket_labels(limits)[1:]:
        low, _, high = label.partition("-")
        if high:
            labels.append(t("{low}-{high} days", low=low, high=high))
        else:
            labels.append(t("{low}+ days", low=low.rstrip("+")))
    return labels


def statement_words(t: Messages) -> dict[str, tuple[str, str]]:
    """Return each type of statement's title and the note under it, in the statement's language."""
    return {
        "balance-forward": (
            t("Statement of Account"),
            t(
                "This statement carries the opening balance forward and lists every transaction "
                "of the period with the running balance. Please report any difference within 15 "
                "days."
            ),
        ),
        "open-item": (
            t("Statement of Open Items"),
            t(
                "This statement lists the invoices still open, and payments not yet applied, on "
                "the statement date. Please report any difference within 15 days."
            ),
        ),
        "activity": (
            t("Activity Statement"),
            t(
                "This statement lists the transactions of the period without carrying an opening "
                "balance forward; the balance due is the account balance on the statement date."
            ),
        ),
    }


def line_kinds(t: Messages) -> dict[str, str]:
    """Name each kind of statement line in the statement's language."""
    return {
        "invoice": t("Invoice"),
        "charge": t("Charge"),
        "payment": t("Payment"),
        "credit": t("Credit note"),
        "unapplied": t("Unapplied payment"),
        "refund": t("Refund"),
        "opening": t("Opening balance"),
        "closing": t("Closing balance"),
    }


def _balance_row(date: object, label: str, amount: Decimal, currency: str) -> list[object]:
    return [date, label, "", "", "", "", amount, currency]


def page_label(t: Messages) -> str:
    """Return the CSS `content` of the page footer: `"Page " counter(page) " of " ...`."""
    text = t("Page {page} of {pages}", page="\0page\0", pages="\0pages\0")
    parts = []
    for index, part in enumerate(text.split("\0")):
        if index % 2:
            parts.append(f"counter({part})")
        elif part:
            parts.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts)


@functools.cache
def templates() -> jinja2.Environment:
    """Return the Jinja environment of the documents to customers (statements, invoices)."""
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(_template_source),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["money"] = money
    env.filters["day"] = day
    return env


def _template() -> jinja2.Template:
    return templates().get_template("statement.html")


def _template_source(name: str) -> str:
    return resources.files("beanfirm.templates").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def statement_css() -> str:
    """Return the stylesheet that statements of account and invoices share."""
    return _template_source("statement.css")
