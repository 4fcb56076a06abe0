"""The shipped model kept between runs, so a start does not fit it again.

Fitting the shipped samples (three folds and the final model, six epochs
each) costs a second or two of CPU at every start: more than the rest of
`groupkeeper replay`'s start-up together, and a fifth of loading a million
members. The fit is deterministic, so its result is kept in the user's
cache folder under a fingerprint of everything it depends on: the samples,
the code that turns them into features and weights (this package and
`rules/`, whose folding the features use; not the compiled scorer, which
only scores), Python's and numpy's versions.
Any change to one of them is another fingerprint, hence a fresh fit. A
missing, unreadable or foreign file is fitted again, and so is one that
another user could have written (a link, another owner, writable by group
or others): unpickling runs what the file says. A folder that cannot be
written is only not used. `GROUPKEEPER_CACHE` names another folder, or
turns the cache off when empty.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from collections.abc import Callable, Sequence
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import numpy as np

import rules
from bot.features.risk.spam.model import SpamModel

_PREFIX = "spam-model-"
_PACKAGES = (Path(__file__).parent, Path(rules.__file__).parent)


def cache_folder() -> Path | None:
    chosen = os.environ.get("GROUPKEEPER_CACHE")
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "groupkeeper"


def _compiled(path: Path) -> bool:
    """A built extension module (the compiled scorer): its source is in the
    fingerprint, the fit never runs it, and a rebuild or an install without
    a compiler must not cost a fresh fit."""
    return path.name.endswith(tuple(EXTENSION_SUFFIXES))


def fingerprint(samples: Sequence[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\0{np.__version__}\0".encode())
    for package in _PACKAGES:
        for path in sorted(package.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not _compiled(path):
                digest.update(f"{path.relative_to(package)}\0".encode())
                digest.update(path.read_bytes())
    for label, text in samples:
        digest.update(f"{label}\0{text}\0".encode())
    return digest.hexdigest()[:32]


def kept_fit(
    samples: Sequence[tuple[str, str]],
    fit: Callable[[Sequence[tuple[str, str]]], SpamModel],
    folder: Path | None = None,
) -> SpamModel:
    """`fit(samples)`, read from the cache when an earlier run kept it."""
    folder = folder or cache_folder()
    if folder is None:
        return fit(samples)
    path = folder / f"{_PREFIX}{fingerprint(samples)}.pickle"
    try:
        # Written only by this function, in the user's own folder, and read
        # only when nobody else could have written it (`_own`): unpickling
        # runs what the file says.
        kept = pickle.loads(_own(path))
        if isinstance(kept, SpamModel):
            return kept
    except Exception:  # missing, damaged, foreign or of another version: fitted again below
        pass
    model = fit(samples)
    _keep(folder, path, model)
    return model


def _own(path: Path) -> bytes:
    """The file's bytes if it is a regular file (not a link) of this user's
    that only this user may write; else OSError. A cache folder that others
    can write to (a shared /tmp, a mistaken chmod) is then a fresh fit, not
    someone else's code run by the bot."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    try:
        st = os.fstat(fd)
        mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
        if not stat.S_ISREG(st.st_mode) or not mine or st.st_mode & 0o022:
            raise PermissionError(f"{path}: not a file only this user can write")
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _keep(folder: Path, path: Path, model: SpamModel) -> None:
    """Written whole (a temporary file renamed) so a reader never sees half
    of it; older fits of other code or samples are removed."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".tmp-", delete=False) as tmp:
            written = Path(tmp.name)
            try:
                tmp.write(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
            except BaseException:
                written.unlink(missing_ok=True)
                raise
        os.replace(written, path)
        for old in folder.glob(f"{_PREFIX}*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return
