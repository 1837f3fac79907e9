"""An invoice as a document: HTML (Jinja2) and PDF from that HTML, in the customer's language.

The template (`beanfirm/templates/invoice.html`) shares the statements' stylesheet and
letterheads: the client issues the invoice, the firm that prepared it is named at the foot.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from beanfirm.accounts.invoices import percent
from beanfirm.accounts.messages import Messages
from beanfirm.accounts.render import page_label, statement_css, templates
from beanfirm.core.pdf import html_to_pdf
from beanfirm.core.translation import language_tag

if TYPE_CHECKING:
    from beanfirm.accounts.invoices import InvoiceDocument
    from beanfirm.accounts.letterhead import Letterhead

InvoiceFormat = Literal["pdf", "html"]
INVOICE_FORMATS: tuple[InvoiceFormat, ...] = ("pdf", "html")


def render_invoice(
    invoice: InvoiceDocument,
    firm: Letterhead,
    client: Letterhead,
    language: str,
    output: InvoiceFormat,
) -> bytes:
    """Return an invoice as the bytes of a PDF or HTML file."""
    html = invoice_html(invoice, firm, client, language)
    return html_to_pdf(html) if output == "pdf" else html.encode("utf-8")


def invoice_html(
    invoice: InvoiceDocument, firm: Letterhead, client: Letterhead, language: str
) -> str:
    """Return an invoice as a standalone HTML document (its CSS inline)."""
    t = Messages(language)
    title = t.pgettext("document title", "Invoice")
    return (
        templates()
        .get_template("invoice.html")
        .render(
            t=t,
            title=title,
            html_lang=language_tag(language),
            css=statement_css(),
            page_label=page_label(t),
            invoice=invoice,
            party=invoice.party,
            firm=firm,
            client=client,
            vat_label=(
                t("VAT ({rate})", rate=percent(invoice.rate))
                if invoice.rate is not None
                else t("VAT")
            ),
            kinds={"payment": t("Payment"), "credit": t("Credit note")},
        )
    )
