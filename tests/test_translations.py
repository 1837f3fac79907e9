"""The catalogues: every message of the code translated in every language, and compiled as is."""

from __future__ import annotations

import gettext
import io
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from beanfirm.accounts.messages import check_language
from beanfirm.core.translation import CATALOGUES as INSTALLED
from beanfirm.core.translation import (
    LANGUAGES,
    SOURCE_LANGUAGE,
    Words,
    catalogue_languages,
    language_of,
    language_tag,
    translations,
)
from beanfirm.errors import UsageError

ROOT = Path(__file__).parents[1]
FOLDER = ROOT / "tools" / "translations"
CATALOGUES = sorted(FOLDER.glob("*/LC_MESSAGES/messages.po"))

MessageId = tuple[str | None, str]  # (context, message)


def extracted() -> set[MessageId]:
    """Return the messages of tools/, found as `make translations` finds them (babel.cfg)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config)  # type: ignore[no-untyped-call]
    found = extract_from_dir(str(ROOT / "tools"), method_map, options_map)
    return {(context, _single(message)) for _, _, message, _, context in found}


def _single(message: object) -> str:
    assert isinstance(message, str), f"no plural forms here: {message}"
    return message


def read_catalogue(path: Path) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=path.parents[1].name)


def entries(catalogue: Catalog) -> Iterator[tuple[MessageId, str, bool]]:
    for message in catalogue:
        if message.id:
            yield (message.context, _single(message.id)), str(message.string), message.fuzzy


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@pytest.fixture(scope="module")
def messages() -> set[MessageId]:
    return extracted()


def test_there_is_a_catalogue_for_each_language_but_english() -> None:
    assert "zh" in LANGUAGES
    assert (*sorted(path.parents[1].name for path in CATALOGUES), SOURCE_LANGUAGE) == LANGUAGES
    for language in LANGUAGES:
        assert language_tag(language).split("-")[0] == language, "translate the language tag"


def test_the_template_holds_the_messages_of_the_code(messages: set[MessageId]) -> None:
    template = read_catalogue(FOLDER / "messages.pot")
    assert {key for key, _, _ in entries(template)} == messages, "run `make translations`"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parents[1].name)
def test_every_message_is_translated_with_the_same_fields(
    path: Path, messages: set[MessageId]
) -> None:
    translated = {key: (text, fuzzy) for key, text, fuzzy in entries(read_catalogue(path))}
    assert set(translated) == messages, "run `make translations`, then translate what is new"
    for (context, message), (text, fuzzy) in translated.items():
        where = f"{path}: {context or ''} {message!r}"
        assert text, f"{where} has no translation"
        assert not fuzzy, f"{where} is marked fuzzy: check it, then remove the mark"
        assert fields(text) == fields(message), f"{where} names other {{fields}}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parents[1].name)
def test_each_compiled_catalogue_is_its_po_file(path: Path) -> None:
    compiled = io.BytesIO()
    write_mo(compiled, read_catalogue(path))
    assert path.with_suffix(".mo").read_bytes() == compiled.getvalue(), "run `make translations`"


def test_the_installed_catalogues_are_those_of_the_repository() -> None:
    for language in LANGUAGES[:-1]:
        path = f"{language}/LC_MESSAGES/messages.mo"
        installed = (INSTALLED / path).read_bytes()
        assert installed == (FOLDER / path).read_bytes(), "run `make install`"
        assert isinstance(translations(language), gettext.GNUTranslations)


def test_a_third_language_is_a_catalogue(tmp_path: Path) -> None:
    catalogue = Catalog(locale="fr")
    catalogue.add("Date", "Date (fr)")
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as file:
        write_mo(file, catalogue)
    (tmp_path / "de").mkdir()  # a folder without a compiled catalogue is no language
    assert catalogue_languages(tmp_path) == ["fr"]


def test_words_in_each_language() -> None:
    zh, en = Words("zh"), Words("en")
    assert zh("Balance due on {date}", date="2025-10-31") == "截至 2025-10-31 应付余额"
    assert en("Balance due on {date}", date="2025-10-31") == "Balance due on 2025-10-31"
    assert zh("To") == "致"
    assert zh.pgettext("date range", "To") == "止"
    assert en.pgettext("date range", "To") == "To"
    assert Words("xx")("Date") == "Date"  # no catalogue: the English of the message
    assert (language_tag("zh"), language_tag("en")) == ("zh-CN", "en")
    assert [language_of(tag) for tag in ("zh_CN", "zh-Hant", "en_GB", "de", None)] == [
        "zh",
        "zh",
        "en",
        "en",
        "en",
    ]
    with pytest.raises(UsageError, match=r"written in .*zh \(中文\), en \(English\)"):
        check_language("xx")
