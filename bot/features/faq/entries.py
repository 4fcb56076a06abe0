"""The FAQ's entries: written in the config (`faq.entries`), or in files
beside it (`faq.files`: a file or a folder each).

A YAML file holds a list of entries (or `entries:` and the list), each as in
the config. A Markdown file is one answer in one language: its front matter
names the entry and its phrasings, the body is the answer.

    ---
    id: price
    language: en            # optional: the community's language
    questions: [How much does it cost?, what is the price]
    keywords: [cheaper]     # optional: watched words it answers
    ---
    Membership is free; events cost 20 yuan at the door.

Files with the same id make one entry: an answer per language, every
phrasing. A file that cannot be read is reported as
`faq.files.N: name: reason` (N from 1) and the rest still load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config import Locale, locale_of
from bot.config.faq import FaqConfig, FaqEntry

_SUFFIXES = (".yaml", ".yml", ".md", ".markdown")


@dataclass(slots=True)
class Entry:
    id: str
    questions: list[str]
    answers: dict[Locale, str]
    keywords: list[str] = field(default_factory=list)

    def answer(self, *locales: Locale) -> str:
        """The answer in the first of these languages it has, else any."""
        for loc in locales:
            if loc in self.answers:
                return self.answers[loc]
        return next(iter(self.answers.values()))


def load_entries(config: FaqConfig, base: Path, language: Locale) -> tuple[list[Entry], list[str]]:
    """Every entry, config first then files in order; and the problems found."""
    entries: dict[str, Entry] = {}
    problems: list[str] = []
    for e in config.entries:
        _merge(entries, Entry(e.id, list(e.questions), dict(e.answer), list(e.keywords)))
    for i, name in enumerate(config.files):
        path = Path(name) if Path(name).is_absolute() else base / name
        # Counted from 1, as an owner reads the list (and as check-config says).
        where = f"faq.files.{i + 1}"
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES)
        elif path.is_file():
            files = [path]
        else:
            problems.append(f"{where}: {name}: no such file or folder")
            continue
        for file in files:
            try:
                for entry in _read(file, language):
                    _merge(entries, entry)
            except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError) as exc:
                problems.append(f"{where}: {file.name}: {_reason(exc)}")
    return list(entries.values()), problems


def _merge(entries: dict[str, Entry], entry: Entry) -> None:
    known = entries.get(entry.id)
    if known is None:
        entries[entry.id] = entry
        return
    known.questions += [q for q in entry.questions if q not in known.questions]
    known.answers.update(entry.answers)
    known.keywords += [k for k in entry.keywords if k not in known.keywords]


def _read(file: Path, language: Locale) -> list[Entry]:
    text = file.read_text(encoding="utf-8")
    if file.suffix.lower() in (".md", ".markdown"):
        return [_markdown(text, language)]
    data = yaml.safe_load(text) or []
    if isinstance(data, dict):
        data = data.get("entries", [])
    if not isinstance(data, list):
        raise ValueError("expected a list of entries")
    out = []
    for n, item in enumerate(data):
        try:
            e = FaqEntry.model_validate(item)
        except ValidationError as exc:
            raise ValueError(f"entry {n + 1}: {_first(exc)}") from exc
        out.append(Entry(e.id, list(e.questions), dict(e.answer), list(e.keywords)))
    return out


def _markdown(text: str, language: Locale) -> Entry:
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError("a Markdown answer starts with front matter between --- lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ValueError("the front matter has no closing ---") from None
    front: Any = yaml.safe_load("\n".join(lines[1:end])) or {}
    if not isinstance(front, dict):
        raise ValueError("the front matter is not a mapping")
    body = "\n".join(lines[end + 1 :]).strip()
    if not body:
        raise ValueError("the answer (the text after the front matter) is empty")
    loc = locale_of(str(front.pop("language", "") or "")) or language
    questions = front.get("questions")
    if isinstance(questions, str):
        questions = [questions]
    try:
        e = FaqEntry.model_validate(
            {"id": front.get("id"), "questions": questions, "answer": {loc: body},
             "keywords": front.get("keywords") or []}
        )  # fmt: skip
    except ValidationError as exc:
        raise ValueError(_first(exc)) from exc
    return Entry(e.id, list(e.questions), dict(e.answer), list(e.keywords))


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    path = ".".join(str(p) for p in err["loc"])
    msg = "is required" if err["type"] == "missing" else err["msg"].removeprefix("Value error, ")
    return f"{path}: {msg}" if path else msg


def _reason(exc: Exception) -> str:
    if isinstance(exc, yaml.YAMLError):
        return "not valid YAML"
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return str(exc)
