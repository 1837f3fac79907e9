"""Reminder letters as draft emails (`.eml`), in the customer's language, never sent.

A draft is a standard MIME message (Python's `email` package): From the client's preparer at
the firm, To the customer's `email:` (left out when the customer has none), Reply-To the
client's own email when it has one, the subject and body in the customer's language, and the
customer's open-item statement attached as a PDF. `X-Unsent: 1` makes mail programs open it
as a draft to review and send.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from typing import TYPE_CHECKING

from beanfirm.accounts.messages import LANGUAGE_TAGS, Messages, day, money
from beanfirm.store.contacts import EMAIL_RE

if TYPE_CHECKING:
    import datetime

    from beanfirm.accounts.dunning import CustomerDunning, DunningLine
    from beanfirm.accounts.letterhead import Letterhead
    from beanfirm.store.registry import Staff


def reminder_subject(customer: CustomerDunning, client: Letterhead, t: Messages) -> str:
    """Return the subject line for the reminder's stage."""
    if customer.stage in (None, 0) and not customer.overdue:
        return t("subject.before", client=client.name)
    if customer.is_final:
        return t("subject.final", client=client.name)
    return t("subject.stage", stage=customer.stage or 1, client=client.name)


def reminder_body(
    customer: CustomerDunning,
    client: Letterhead,
    firm: Letterhead,
    sender: Staff,
    as_of: datetime.date,
    t: Messages,
) -> str:
    """Return the text of the reminder: greeting, stage's intro, invoices, totals, sign-off."""
    if not customer.overdue:
        intro = t("intro.before")
    elif customer.is_final:
        intro = t("intro.final", date=day(as_of))
    elif (customer.stage or 1) > 1:
        intro = t("intro.later", date=day(as_of))
    else:
        intro = t("intro.stage", date=day(as_of))
    lines = [_invoice_line(line, t) for line in customer.lines]
    totals = [
        t("reminder.total", amount=money(amount), currency=currency)
        for currency, amount in customer.totals().items()
    ]
    contact = f"{sender.name} <{sender.email}>"
    paragraphs = [
        t("greeting", customer=customer.party.name),
        intro,
        "\n".join(f"  {line}" for line in lines),
        "\n".join(totals),
        t("reminder.attached", date=day(as_of)),
        t("reminder.contact", contact=contact),
        t("signoff", client=client.name, firm=firm.name),
    ]
    return "\n\n".join(paragraphs) + "\n"


def reminder_message(
    customer: CustomerDunning,
    client: Letterhead,
    firm: Letterhead,
    sender: Staff,
    as_of: datetime.date,
    language: str,
    attachment: tuple[str, bytes] | None,
) -> EmailMessage:
    """Return the draft reminder as an email message, with the statement attached."""
    t = Messages(language)
    message = EmailMessage()
    message["From"] = Address(sender.name, addr_spec=sender.email)
    email = customer.party.text("email")
    if email is not None and EMAIL_RE.match(email):
        message["To"] = Address(customer.party.name, addr_spec=email)
    if client.contact.email:
        message["Reply-To"] = Address(client.name, addr_spec=client.contact.email)
    message["Subject"] = reminder_subject(customer, client, t)
    message["X-Unsent"] = "1"
    tag = LANGUAGE_TAGS[language]
    body = reminder_body(customer, client, firm, sender, as_of, t)
    message.set_content(body, headers=[f"Content-Language: {tag}"])
    if attachment is not None:
        name, pdf = attachment
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    message["Content-Language"] = tag  # after the parts: adding content resets Content-* headers
    return message


def _invoice_line(line: DunningLine, t: Messages) -> str:
    item = line.item
    if line.days > 0:
        status = t("reminder.overdue", days=line.days)
    elif line.days == 0:
        status = t("reminder.due-today")
    else:
        status = t("reminder.due-in", days=-line.days)
    return t(
        "reminder.line",
        number=item.number or "",
        date=day(item.date),
        due=day(item.due) if item.due else "",
        amount=f"{money(item.amount)} {item.currency}",
        open=f"{money(item.open)} {item.currency}",
        status=status,
    )
