"""Read ``uptake.yaml`` with line numbers, so every error says where and how to fix it."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from uptake.kpis.catalog import builtin
from uptake.project.models import Project

PROJECT_FILE = "uptake.yaml"
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str
    found: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.key}: {self.message}"
        if self.found is not None:
            text += f" (found {self.found})"
        if self.hint:
            text += f"; {self.hint}"
        return text


class ProjectError(Exception):
    """The project file is missing or invalid; ``problems`` lists every problem found at once."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_map(node: yaml.Node, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[(*path, key, "__key__")] = key_node.start_mark.line + 1
            _line_map(value_node, (*path, key), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), out)


def _fields_at(model: type[BaseModel], loc: Iterable[Any], data: Any) -> list[str]:
    """Names of the fields allowed at ``loc`` (for 'did you mean' on unknown keys)."""
    current: Any = model
    value = data
    for part in loc:
        if isinstance(part, int):
            value = value[part] if isinstance(value, list) and part < len(value) else None
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        field = current.model_fields.get(str(part))
        if field is None:
            # discriminated union tag (e.g. 'events') appears in the loc: resolve by tag
            continue
        value = value.get(part) if isinstance(value, dict) else None
        current = _resolve(field.annotation, value)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _resolve(annotation: Any, value: Any) -> Any:
    import typing

    args = typing.get_args(annotation)
    if not args:
        return annotation
    candidates = [a for a in args if a is not type(None)]
    for arg in candidates:
        inner = typing.get_args(arg)
        if inner:
            resolved = _resolve(arg, value[0] if isinstance(value, list) and value else value)
            if resolved is not None:
                return resolved
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            tag = arg.model_fields.get("type")
            if tag is not None and isinstance(value, dict):
                allowed = typing.get_args(tag.annotation)
                if value.get("type") in allowed:
                    return arg
                continue
            return arg
    return candidates[0] if candidates else None


def _expand(value: Any) -> Any:
    if isinstance(value, str):
        return _ENV.sub(lambda m: os.environ.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_expand(v) for v in value]
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    return value


def load_project(path: str | Path) -> Project:
    """Load and validate a project from its folder or its ``uptake.yaml``."""
    p = Path(path)
    file = p / PROJECT_FILE if p.is_dir() else p
    shown = str(file)
    if not file.exists():
        raise ProjectError(
            [
                Problem(
                    shown,
                    None,
                    "(file)",
                    "no project file here",
                    hint="run 'uptake demo' for an example project, or create uptake.yaml",
                )
            ]
        )
    text = file.read_text(encoding="utf-8-sig")
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ProjectError(
            [Problem(shown, line, "(syntax)", f"not valid YAML: {getattr(exc, 'problem', exc)}")]
        ) from exc
    except ValueError as exc:  # the YAML reader's own dates, e.g. go_live: 2026-02-30
        raise ProjectError(
            [Problem(shown, None, "(value)", f"{exc}", hint="check the dates (YYYY-MM-DD) in the file")]
        ) from exc
    if not isinstance(data, dict) or node is None:
        raise ProjectError(
            [Problem(shown, 1, "(file)", "expected a mapping of keys such as name, countries, sources")]
        )
    lines: dict[tuple[Any, ...], int] = {}
    _line_map(node, (), lines)
    try:
        project = Project.model_validate(_expand(data))
    except ValidationError as exc:
        raise ProjectError(_problems(exc, data, lines, shown)) from exc
    problems = _kpi_problems(project, lines, shown)
    if problems:
        raise ProjectError(problems)
    return project


def _kpi_problems(project: Project, lines: dict[tuple[Any, ...], int], file: str) -> list[Problem]:
    """Project KPIs whose id is taken (built-in catalog or an earlier project KPI)."""
    taken = set(builtin())
    out: list[Problem] = []
    for i, k in enumerate(project.kpis):
        where = f"kpis.{i}.id"
        if k.id in taken:
            what = "the built-in catalog" if k.id in builtin() else "an earlier project KPI"
            out.append(
                Problem(
                    file,
                    _line_for(("kpis", i, "id"), lines),
                    where,
                    f"KPI id already used by {what}",
                    repr(k.id),
                    "choose another id ('uptake kpis' lists the ones taken)",
                )
            )
        taken.add(k.id)
    return out


def _problems(exc: ValidationError, data: Any, lines: dict[tuple[Any, ...], int], file: str) -> list[Problem]:
    out: list[Problem] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # drop discriminator tags that pydantic inserts ('events' in sources.0.events.path)
        clean = tuple(part for i, part in enumerate(loc) if not _is_tag(loc, i, data))
        key = ".".join(str(x) for x in clean) or "(top)"
        line = _line_for(clean, lines)
        # our own validators say what they found in the message itself
        found = None if err["type"] in ("missing", "value_error") else _short(err.get("input"))
        hint = None
        message = err["msg"]
        if err["type"] == "extra_forbidden":
            allowed = _fields_at(Project, clean[:-1], data)
            close = difflib.get_close_matches(str(clean[-1]), allowed, n=1)
            message = "unknown key"
            found = None
            hint = f"did you mean '{close[0]}'?" if close else f"allowed here: {', '.join(allowed)}"
            line = lines.get((*clean, "__key__"), line)
        elif err["type"] == "missing":
            message = "required key is missing"
            hint = f"add '{clean[-1]}:'"
        elif err["type"] in ("literal_error", "union_tag_invalid"):
            expected = err.get("ctx", {}).get("expected") or err.get("ctx", {}).get("expected_tags")
            value = err.get("input")
            if isinstance(value, dict):
                value = value.get("type")
            options = re.findall(r"'([^']+)'", str(expected))
            close = difflib.get_close_matches(str(value), options, n=1)
            message = f"expected one of {expected}"
            found = repr(value)
            if close:
                hint = f"did you mean '{close[0]}'?"
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        out.append(Problem(file, line, key, message, found, hint))
    return out


def _is_tag(loc: tuple[Any, ...], i: int, data: Any) -> bool:
    part = loc[i]
    if not isinstance(part, str) or i == 0:
        return False
    node: Any = data
    for p in loc[:i]:
        if isinstance(node, dict):
            node = node.get(p)
        elif isinstance(node, list) and isinstance(p, int) and p < len(node):
            node = node[p]
        else:
            return False
    return isinstance(node, dict) and node.get("type") == part and part not in node


def _line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
