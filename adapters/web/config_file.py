"""The config file as the dashboard edits it: validated as `check-config`
validates it, written atomically (a temporary file beside it, then a
rename: a reader sees the old file or the new, never half of one), the
previous version kept with who replaced it, and no file with a secret
written in it ever shown."""

from __future__ import annotations

import difflib
import hashlib
import html
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import yaml
from markupsafe import Markup

from bot.config import ConfigError, parse_config

# Keys whose value is a secret: written as ${ENV} they are safe to show.
SECRET_KEYS = frozenset({"token", "secret_token", "secret", "client_secret", "password"})
_LINE = re.compile(r"\(line (\d+)\)")
_KEY = re.compile(r"^(\s*(?:-\s+)?)([^\s#'\"][^:#]*?)(:)(?=\s|$)")
_STRING = re.compile(r"\"(?:[^\"\\]|\\.)*\"|'[^']*'")


def errors_of(text: str, source: str) -> tuple[str, ...]:
    """`check-config`'s lines for this text; empty when it is valid."""
    try:
        parse_config(text, source)
    except ConfigError as exc:
        return exc.errors
    return ()


def error_lines(errors: tuple[str, ...]) -> set[int]:
    return {int(m.group(1)) for e in errors for m in _LINE.finditer(e)}


def plain_secrets(text: str) -> list[str]:
    """Paths of secrets written in the file itself rather than as ${ENV}:
    such a file is not shown in a browser."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return []
    found: list[str] = []

    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                here = f"{path}.{k}" if path else str(k)
                if str(k) in SECRET_KEYS and isinstance(v, str) and v and "${" not in v:
                    found.append(here)
                walk(v, here)
        elif isinstance(node, list):
            for n, v in enumerate(node):
                walk(v, f"{path}.{n}")

    walk(data, "")
    if isinstance(data, dict):
        url = (
            (data.get("database") or {}).get("url")
            if isinstance(data.get("database"), dict)
            else None
        )
        if isinstance(url, str) and re.search(r"://[^/@:]+:(?!\$\{)[^@/]+@", url):
            found.append("database.url")
    return found


def highlight(text: str, marked: set[int]) -> list[dict[str, object]]:
    """Each line as HTML with keys, strings and comments marked for the
    stylesheet (escaped first: the file's text is never markup)."""
    out: list[dict[str, object]] = []
    for n, line in enumerate(text.split("\n"), 1):
        body, comment = _split_comment(line)
        key = _KEY.match(body)
        parts: list[str] = []
        rest = body
        if key is not None:
            parts.append(html.escape(key.group(1)))
            parts.append(f'<span class="k">{html.escape(key.group(2))}</span>:')
            rest = body[key.end() :]
        last = 0
        for m in _STRING.finditer(rest):
            parts.append(html.escape(rest[last : m.start()]))
            parts.append(f'<span class="s">{html.escape(m.group(0))}</span>')
            last = m.end()
        parts.append(html.escape(rest[last:]))
        if comment:
            parts.append(f'<span class="c">{html.escape(comment)}</span>')
        out.append({"n": n, "html": Markup("".join(parts)), "error": n in marked})
    return out


def _split_comment(line: str) -> tuple[str, str]:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i], line[i:]
    return line, ""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Version:
    name: str
    at: str
    by: str
    added: int
    removed: int
    diff: str


def versions_dir(path: Path) -> Path:
    return path.parent / f".{path.name}.versions"


def save(path: Path, text: str, by: str, kept: int, now: datetime) -> None:
    """Keep the current file as a version named for when and by whom it was
    replaced, then write the new one atomically; prune the oldest versions."""
    folder = versions_dir(path)
    folder.mkdir(exist_ok=True)
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    who = re.sub(r"[^A-Za-z0-9_.-]", "_", by)[:60]
    (folder / f"{stamp}--{who}.yaml").write_text(old, encoding="utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    for stale in sorted(folder.glob("*.yaml"))[:-kept]:
        stale.unlink()


def versions(path: Path, shown: int = 10) -> list[Version]:
    """The latest kept versions, each with what the save after it changed."""
    folder = versions_dir(path)
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.yaml"))
    out: list[Version] = []
    for n, f in enumerate(files):
        after = files[n + 1] if n + 1 < len(files) else path
        old = f.read_text(encoding="utf-8").splitlines()
        new = after.read_text(encoding="utf-8").splitlines() if after.exists() else []
        diff = list(difflib.unified_diff(old, new, "before", "after", lineterm="", n=1))
        stamp, _, who = f.stem.partition("--")
        at = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
        out.append(
            Version(
                f.name,
                f"{at:%Y-%m-%d %H:%M:%S} UTC",
                who,
                sum(1 for d in diff[2:] if d.startswith("+")),
                sum(1 for d in diff[2:] if d.startswith("-")),
                "\n".join(diff[2:]),
            )
        )
    return list(reversed(out))[:shown]
