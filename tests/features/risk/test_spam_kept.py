"""The shipped spam model kept between runs: the second start reads what
the first fitted, equal to a fresh fit; other samples (or other code) are
another fingerprint; a damaged file or a folder that cannot be written
costs a fit, never a failed start."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.features.risk.spam.features import features
from bot.features.risk.spam.kept import cache_folder, fingerprint, kept_fit
from bot.features.risk.spam.model import SPAM, SpamModel
from bot.features.risk.spam.training import fit

HAM = "ham"
SAMPLES = [
    (SPAM, "加微信 领取免费资料"),
    (SPAM, "casino bonus click here now"),
    (SPAM, "代开发票 加v详聊"),
    (SPAM, "free crypto airdrop join now"),
    (HAM, "the pilot plant starts next week"),
    (HAM, "明天的路演几点开始"),
    (HAM, "thanks, the report helped a lot"),
    (HAM, "有人知道储能补贴的政策吗"),
]


class Counted:
    def __init__(self) -> None:
        self.fits = 0

    def __call__(self, samples: Sequence[tuple[str, str]]) -> SpamModel:
        self.fits += 1
        return fit(samples)


def same(a: SpamModel, b: SpamModel) -> bool:
    return (
        a.linear.weights == b.linear.weights
        and (a.linear.z, a.linear.n, a.linear.values) == (b.linear.z, b.linear.n, b.linear.values)
        and a.calibration == b.calibration
        and a.samples == b.samples
    )


def test_a_second_start_reads_the_first_ones_fit(tmp_path: Path) -> None:
    counted = Counted()
    first = kept_fit(SAMPLES, counted, tmp_path)
    second = kept_fit(SAMPLES, counted, tmp_path)
    assert counted.fits == 1
    assert same(first, second) and same(second, fit(SAMPLES))
    found = features("加微信 领取资料")
    assert second.linear.margin(found) == fit(SAMPLES).linear.margin(found) > 0


def test_other_samples_are_fitted_and_replace_the_old_file(tmp_path: Path) -> None:
    counted = Counted()
    kept_fit(SAMPLES, counted, tmp_path)
    more = [*SAMPLES, (HAM, "see you at the meetup")]
    assert fingerprint(more) != fingerprint(SAMPLES)
    model = kept_fit(more, counted, tmp_path)
    assert counted.fits == 2 and model.samples == len(more)
    assert [p.name for p in tmp_path.iterdir()] == [f"spam-model-{fingerprint(more)}.pickle"]


def test_a_damaged_file_is_fitted_again_and_rewritten(tmp_path: Path) -> None:
    counted = Counted()
    kept_fit(SAMPLES, counted, tmp_path)
    (kept,) = tmp_path.iterdir()
    kept.write_bytes(b"not a model")
    assert same(kept_fit(SAMPLES, counted, tmp_path), fit(SAMPLES))
    assert counted.fits == 2
    assert same(kept_fit(SAMPLES, counted, tmp_path), fit(SAMPLES))
    assert counted.fits == 2


def test_a_folder_that_cannot_be_written_only_costs_a_fit(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("in the way")
    counted = Counted()
    assert same(kept_fit(SAMPLES, counted, blocked), fit(SAMPLES))
    assert same(kept_fit(SAMPLES, counted, blocked), fit(SAMPLES))
    assert counted.fits == 2


def test_the_folder_follows_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GROUPKEEPER_CACHE", str(tmp_path))
    assert cache_folder() == tmp_path
    monkeypatch.setenv("GROUPKEEPER_CACHE", "")
    assert cache_folder() is None
    monkeypatch.delenv("GROUPKEEPER_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_folder() == tmp_path / "groupkeeper"


def test_a_file_others_could_have_written_is_not_read(tmp_path: Path) -> None:
    """Unpickling runs what the file says: a kept fit that the group or
    others may write (a shared folder, a careless chmod), or a link put in
    its place, is fitted again and written anew, only the user's."""
    counted = Counted()
    kept_fit(SAMPLES, counted, tmp_path)
    (kept,) = tmp_path.iterdir()
    assert kept.stat().st_mode & 0o077 == 0
    kept.chmod(0o666)
    assert same(kept_fit(SAMPLES, counted, tmp_path), fit(SAMPLES))
    assert counted.fits == 2
    assert kept.stat().st_mode & 0o022 == 0
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere.pickle"
    kept.rename(elsewhere)
    kept.symlink_to(elsewhere)
    assert same(kept_fit(SAMPLES, counted, tmp_path), fit(SAMPLES))
    assert counted.fits == 3 and not kept.is_symlink()
    # The user's own file is read again.
    kept_fit(SAMPLES, counted, tmp_path)
    assert counted.fits == 3
