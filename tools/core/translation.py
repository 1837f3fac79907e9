"""The words beanfirm writes for people in their language: gettext catalogues, made with Babel.

Code and templates write English, the language of the message ids, as `t("Balance due on
{date}", date=...)`; `Words(language)` looks each message up in the language's catalogue,
`beanfirm/translations/<language>/LC_MESSAGES/messages.mo` (compiled from the `.po` file beside
it), and fills in its `{fields}`. A language is one whose catalogue is there, and English;
another language is a new catalogue, not a change of code (tools/translations/README.md).
This module is the one that reads catalogues; the rest of beanfirm asks it for the words of a
language. Code that says something before anyone knows in which language it will be read (a
credit rating's reasons, worked out once for the command line and the Fava page) returns
`said("...", field=...)`: the message and its fields, put into words by whoever shows it.
"""

from __future__ import annotations

import functools
import gettext
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SOURCE_LANGUAGE = "en"  # the language of the message ids: it needs no catalogue
# Beside the package's modules, installed or linked (strict editable install) like them.
CATALOGUES = Path(__file__).parent.parent / "translations"
DOMAIN = "messages"


def catalogue_languages(folder: Path) -> list[str]:
    """Return the languages that have a compiled catalogue in a folder, sorted."""
    if not folder.is_dir():
        return []
    return sorted(
        entry.name
        for entry in folder.iterdir()
        if (entry / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file()
    )


# The languages beanfirm writes: those with a catalogue, then English (so "zh", "en").
LANGUAGES: tuple[str, ...] = (*catalogue_languages(CATALOGUES), SOURCE_LANGUAGE)


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """Return a language's catalogue; English (the message ids) for English or an unknown one."""
    if language == SOURCE_LANGUAGE or language not in LANGUAGES:
        return gettext.NullTranslations()
    with (CATALOGUES / language / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as file:
        return gettext.GNUTranslations(file)


def language_of(tag: str | None) -> str:
    """Return the language of a locale tag (`zh_CN`, `zh-Hans`), else English."""
    code = (tag or SOURCE_LANGUAGE).replace("-", "_").partition("_")[0].lower()
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def language_tag(language: str) -> str:
    """Return a language's tag for HTML `lang` and email Content-Language: `zh-CN`, `en`.

    Each catalogue gives its own, as the translation of this message (Babel rewrites the
    catalogue's `Language` header in its own form, `zh_Hans_CN`).
    """
    # TRANSLATORS: this language's tag (BCP 47), as in HTML `lang`: zh-CN, fr, pt-BR.
    return Words(language).pgettext("language tag", "en")


def language_name(language: str) -> str:
    """Return a language's name in itself: `中文`, `English` (from Babel's locale data)."""
    from babel import Locale  # noqa: PLC0415 - locale data loads only when a name is asked for

    return str(Locale.parse(language).get_display_name())


class Words:
    """The words of one language: `Words("zh")("Date")` is `日期`.

    A message may hold `{fields}`, filled in from keywords (str.format). `pgettext` tells two
    messages apart that read the same in English but not in every language.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._catalogue = translations(language)

    def __call__(self, message: str, **fields: object) -> str:
        """Return a message in the language, with its `{fields}` filled in."""
        text = self._catalogue.gettext(message)
        return text.format(**fields) if fields else text

    def pgettext(self, context: str, message: str, **fields: object) -> str:
        """Return a message of a context (a msgctxt) in the language, its fields filled in."""
        text = self._catalogue.pgettext(context, message)
        return text.format(**fields) if fields else text


@dataclass(frozen=True)
class Said:
    """A message and its fields, not yet in any language: `said(...)` makes one.

    `words(t)` puts it into the words of `t` (a `Words`, or a page's `t`), fields that are
    themselves `Said` first; `str()` gives the English.
    """

    message: str
    fields: tuple[tuple[str, object], ...] = ()

    def words(self, t: Callable[..., str]) -> str:
        """Return the message in the words of `t`, with its fields filled in."""
        fields = {k: v.words(t) if isinstance(v, Said) else v for k, v in self.fields}
        return t(self.message, **fields)

    def __str__(self) -> str:
        return self.words(Words(SOURCE_LANGUAGE))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def said(message: str, **fields: object) -> Said:
    """Return a message (English, a message id) with its fields, to put into words later."""
    return Said(message, tuple(fields.items()))
