"""Decoding a text export: UTF-8 (with or without BOM), UTF-16 with BOM, GB18030/GBK.

Chinese banks and payment apps export GBK (Alipay), UTF-8 with a BOM (JD, Meituan) or plain
UTF-8; Excel saves "Unicode text" as UTF-16 with a BOM. The encoding is found from the BOM or
by strict decoding, never guessed leniently: a byte that fits no encoding, or a file whose
lines switch between UTF-8 and GBK, is refused with the line and byte offset of the first bad
byte, since a replacement character in a payee would silently change the categorization and
the fingerprint of the row.
"""

from __future__ import annotations

import codecs
import re

from beanfirm.errors import DamagedFileError, StatementError

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
FALLBACK = "gb18030"  # a superset of GBK and GB2312
# The code pages in which a run of non-ASCII letters is no text (`check_not_chinese`).
WESTERN_CODECS = frozenset(("cp1252", "iso8859-1", "iso8859-15"))
NON_WESTERN_RUN = re.compile(rb"[\xa1-\xfe]{4,}")


def line_of_offset(data: bytes, offset: int) -> int:
    """Return the 1-based line of a byte offset."""
    return data.count(b"\n", 0, offset) + 1


def is_utf8(data: bytes) -> bool:
    """Tell whether bytes are valid UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def mixed_line(data: bytes) -> int | None:
    """Return the first line whose encoding differs from the file's earlier non-ASCII lines."""
    first_kind: bool | None = None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if line.isascii():
            continue
        kind = is_utf8(line)
        if first_kind is None:
            first_kind = kind
        elif kind != first_kind:
            return number
    return None


def decode_strictly(data: bytes, encoding: str, filename: str) -> str:
    """Decode with one encoding, or report the first byte that does not fit it."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = line_of_offset(data, exc.start)
        byte = data[exc.start : exc.start + 1].hex()
        raise DamagedFileError(
            filename,
            line,
            f"byte 0x{byte} at offset {exc.start} is not valid {encoding}. The file is damaged "
            "or in another encoding; export it again, or set `encoding:` in its import config.",
        ) from exc
    except LookupError as exc:
        raise StatementError(
            filename,
            None,
            f"unknown encoding '{encoding}'. Use utf-8, utf-8-sig, utf-16 or gb18030.",
        ) from exc


def decode_statement(data: bytes, filename: str, encoding: str | None = None) -> str:
    """Return the text of an export, detecting its encoding unless one is given."""
    if not data.strip():
        raise DamagedFileError(
            filename, None, "the file is empty. Export the statement again and check its size."
        )
    if encoding is not None:
        return decode_strictly(data, encoding, filename)
    for bom, name in BOMS:
        if data.startswith(bom):
            return decode_strictly(data, name, filename)
    if b"\x00" in data:
        raise DamagedFileError(
            filename,
            line_of_offset(data, data.index(b"\x00")),
            "the file contains NUL bytes: it is binary (a spreadsheet?) or UTF-16 without a "
            "byte-order mark. Export it as CSV, or set `encoding: utf-16-le` in its config.",
        )
    try:  # a file that is UTF-8 as a whole has no line in another encoding
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    mixed = mixed_line(data)
    if mixed is not None:
        raise DamagedFileError(
            filename,
            mixed,
            "the file mixes encodings: this line is not in the encoding of the lines before "
            "it (UTF-8 and GBK). It was probably edited by hand; export it again.",
        )
    return decode_strictly(data, FALLBACK, filename)


def decode_western(
    data: bytes,
    filename: str,
    encoding: str = "cp1252",
    *,
    source: str = "the usual encoding of such files",
    fix: str = "Export it again in UTF-8, or save it as UTF-8 and import that.",
) -> str:
    """Return the text of a Western statement file (OFX, MT940): UTF-8, else a code page.

    These formats are ASCII in principle, but banks write names in UTF-8, a Windows code page
    (1252 in the West, 936, that is GBK, in China) or Latin-1. UTF-8 (with or without BOM) is
    tried strictly first; a file that is not UTF-8 is read strictly in `encoding` (`source`
    says why: "as the header's CHARSET:1252 at line 6 says"), and a byte that code page does
    not define is refused with its line. A file read in a Western code page is refused when it
    holds Chinese (`check_not_chinese`), which that code page would read as garbled letters.
    `fix` says what to do about a file in another encoding than `encoding`.
    """
    if not data.strip():
        raise DamagedFileError(
            filename, None, "the file is empty. Export the statement again and check its size."
        )
    for bom, name in BOMS:
        if data.startswith(bom):
            return decode_strictly(data, name, filename)
    if is_utf8(data):
        return data.decode("utf-8")
    try:
        codec = codecs.lookup(encoding).name
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        byte = data[exc.start : exc.start + 1].hex()
        raise DamagedFileError(
            filename,
            line_of_offset(data, exc.start),
            f"byte 0x{byte} at offset {exc.start} is not valid {encoding} ({source}): the "
            f"file is damaged or in another encoding. {fix}",
        ) from exc
    except LookupError as exc:
        raise DamagedFileError(
            filename,
            None,
            f"the file declares the unknown encoding '{encoding}', so it cannot be read. "
            "Export it again, in UTF-8 if the bank offers a choice.",
        ) from exc
    if codec in WESTERN_CODECS:
        check_not_chinese(data, filename, encoding, source, fix)
    return text


def check_not_chinese(data: bytes, filename: str, encoding: str, source: str, fix: str) -> None:
    """Refuse bytes that a Western code page would read as garbled letters: Chinese, mostly.

    Western text has its letters outside ASCII one or two at a time among ASCII letters
    (`Café`, `Müller`, `créé`); four bytes in a row from 0xA1 to 0xFE are how GBK writes two
    Chinese characters (`招商` is D5 D0 C9 CC), and what no Western word has: read as
    Windows-1252 they come out as `ÕÐÉÌ`. (Other encodings mislabelled, Cyrillic in
    Windows-1251, make such runs too.)
    """
    run = NON_WESTERN_RUN.search(data)
    if run is None:
        return
    raw = data[run.start() : run.end()][:24]
    read = raw.decode(encoding, errors="replace")
    chinese = raw.decode(FALLBACK, errors="replace")
    raise DamagedFileError(
        filename,
        line_of_offset(data, run.start()),
        f"the file is read in {encoding} ({source}), which makes of the bytes here "
        f"'{read}', a run of letters no Western text has; read as GBK (Chinese) they are "
        f"'{chinese}'. The file is in another encoding, and its names would be imported "
        f"garbled. {fix}",
    )
