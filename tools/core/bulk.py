"""Making the hundreds of thousands of objects of a large export at once, cheaply.

Two things cost more than the work itself when an export of 100,000 rows is read:

- a Python-level call per object (`cls(...)` of a named tuple runs a Python `__new__`):
  `named_tuples` makes a column's worth at once, from C;
- Python's cycle collector, which walks every young container again and again while many are
  made, then once more as they age: `collector_paused` keeps it out of the way while an
  export is read, and files what was made as old.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from itertools import repeat
from typing import TypeVar

T = TypeVar("T", bound=tuple[object, ...])


def named_tuples(cls: type[T], *columns: Iterable[object]) -> list[T]:
    """Return a named tuple of `cls` for each row of the columns (zipped), made in bulk.

    `tuple.__new__` fills a named tuple from a tuple directly, without the Python-level
    `__new__` each `cls(...)` call runs: a large export makes hundreds of thousands of rows,
    entries and postings, and this is several times quicker. Only for values of the right
    types (Beancount's `Amount.__new__`, skipped here, merely asserts them).
    """
    return list(map(tuple.__new__, repeat(cls), zip(*columns, strict=True)))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cycle collector while many long-lived objects are made; then file them as old.

    An export's rows, entries and postings hold no reference cycles, and they live until the
    import is done. With the collector running, each young-generation collection would walk
    them all again (and, as they age, each older one). On the way out, everything the
    collector tracks is moved to its oldest generation without being walked
    (`gc.freeze()` then `gc.unfreeze()`, as the `gc` documentation describes them), so that
    they are walked only at the next full collection, like any other old object; nothing is
    exempted from collection. Unless objects were frozen by someone else, which this leaves
    alone. Nested uses pause once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()
