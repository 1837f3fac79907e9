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

from beanfirm.accounts.messages import Messages, day, money
from beanfirm.core.translation import language_tag
from beanfirm.store.contacts import EMAIL_RE

if TYPE_CHECKING:
    import datetime

    from beanfirm.accounts.dunning import CustomerDunning, DunningLine
    from beanfirm.accounts.letterhead import Letterhead
    from beanfirm.store.registry import Staff


def one_line(text: str) -> str:
    """Return a name from the books as one header line, its breaks and control characters spaces.

    A name can then never start a header of its own (and e-mail refuses such a header anyway,
    with an exception instead of a draft).
    """
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def reminder_subject(customer: CustomerDunning, client: Letterhead, t: Messages) -> str:
    """Return the subject line for the reminder's stage."""
    if customer.stage in (None, 0) and not customer.overdue:
        return t("Payment reminder: invoices from {client} falling due", client=client.name)
    if customer.is_final:
        return t("Final notice of overdue invoices: {client}", client=client.name)
    if not customer.stage:  # past due, short of the first reminder stage: no number to give
        return t("Overdue invoices: {client}", client=client.name)
    return t(
        "Overdue invoices, reminder {stage}: {client}", stage=customer.stage, client=client.name
    )


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
        intro = t("The following invoices fall due shortly; please arrange payment on time:")
    elif customer.is_final:
        intro = t(
            "Final notice: as of {date}, the following invoices are seriously overdue. If "
            "payment is not received within 7 days, we will suspend credit and take further steps:",
            date=day(as_of),
        )
    elif (customer.stage or 1) > 1:
        intro = t(
            "We reminded you earlier of the following overdue invoices, and as of {date} "
            "have not received payment. Please pay within 7 days, or contact us:",
            date=day(as_of),
        )
    else:
        intro = t(
            "As of {date}, the following invoices are past due; please arrange payment at "
            "your earliest convenience:",
            date=day(as_of),
        )
    lines = [_invoice_line(line, t) for line in customer.lines]
    totals = [
        t("Total open: {amount} {currency}", amount=money(amount), currency=currency)
        for currency, amount in customer.totals().items()
    ]
    contact = f"{sender.name} <{sender.email}>"
    paragraphs = [
        t("Dear {customer},", customer=customer.party.name),
        intro,
        "\n".join(f"  {line}" for line in lines),
        "\n".join(totals),
        t(
            "Your statement as of {date} is attached (PDF). If you have already paid, please "
            "disregard this reminder and let us know the date of payment.",
            date=day(as_of),
        ),
        t("For any question, please contact {contact}.", contact=contact),
        t(
            "Kind regards,\n\n{client}\n(prepared on its behalf by {firm})",
            client=client.name,
            firm=firm.name,
        ),
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
    message["From"] = Address(one_line(sender.name), addr_spec=sender.email)
    email = customer.party.text("email")
    if email is not None and EMAIL_RE.match(email):
        message["To"] = Address(one_line(customer.party.name), addr_spec=email)
    if client.contact.email:
        message["Reply-To"] = Address(one_line(client.name), addr_spec=client.contact.email)
    message["Subject"] = one_line(reminder_subject(customer, client, t))
    message["X-Unsent"] = "1"
    tag = language_tag(language)
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
        status = t("{days} days overdue", days=line.days)
    elif line.days == 0:
        status = t("due today")
    else:
        status = t("due in {days} days", days=-line.days)
    amount = f"{money(item.amount)} {item.currency}"
    still_open = f"{money(item.open)} {item.currency}"
    return t(
        "{number}  dated {date}  due {due}  amount {amount}  open {open}  {status}",
        number=item.number or "",
        date=day(item.date),
        due=day(item.due) if item.due else "",
        amount=amount,
        open=still_open,
        status=status,
    )
