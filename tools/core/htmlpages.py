"""The Jinja2 environment of a package's HTML templates: autoescaped, blocks trimmed."""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, select_autoescape


@functools.cache
def template_environment(package: str = "beanfirm") -> Environment:
    """Return the environment of the templates in a package's `templates/` folder."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
