"""What a change did to each client's entry in `clients.yaml`, key by key."""

from __future__ import annotations

import json

import yaml

from beanfirm.errors import Problem

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class RegistryTextError(ValueError):
    """A side of `clients.yaml` is not YAML; `problem` says where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def registry_changes(
    old_text: str | None, new_text: str | None, path: str
) -> dict[str, tuple[str, ...]]:
    """Return, per client id, what changed in its entry of the registry, in words."""
    old, new = _clients(old_text, path), _clients(new_text, path)
    found: dict[str, tuple[str, ...]] = {}
    for client in sorted(set(old) | set(new)):
        if client not in old:
            lines: list[str] = [f"added to {path}"]
        elif client not in new:
            lines = [f"removed from {path}"]
        else:
            lines = _differences(old[client], new[client], "")
        if lines:
            found[client] = tuple(lines)
    return found


def _clients(text: str | None, path: str) -> dict[str, object]:
    if text is None:
        return {}
    try:
        document = yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = None if mark is None else int(mark.line) + 1
        message = "not YAML: " + " ".join(str(exc).split())
        raise RegistryTextError(Problem(path, line, message)) from None
    clients = document.get("clients") if isinstance(document, dict) else None
    if not isinstance(clients, list):
        return {}
    return {
        str(entry["id"]): entry for entry in clients if isinstance(entry, dict) and "id" in entry
    }


def _differences(old: object, new: object, key: str) -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        lines: list[str] = []
        for name in sorted(set(old) | set(new), key=str):
            where = f"{key}.{name}" if key else str(name)
            if name not in new:
                lines.append(f"{where} removed (was {_shown(old[name])})")
            elif name not in old:
                lines.append(f"{where} added: {_shown(new[name])}")
            else:
                lines.extend(_differences(old[name], new[name], where))
        return lines
    if old != new or type(old) is not type(new):
        return [f"{key}: {_shown(old)} -> {_shown(new)}"]
    return []


def _shown(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
