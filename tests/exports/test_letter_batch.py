"""Letters in parallel: the merged PDF keeps the dossiers' order and page counts (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from instructeur.exports.letter_batch import PARALLEL_FROM, render_letters, worker_count
from instructeur.exports.letters import LetterData
from tests.exports.test_letters import FIELDS, letter

N = PARALLEL_FROM + 6


def _jobs(folder: Path) -> list[tuple[LetterData, Path]]:
    long_text = " ".join(["une phrase assez longue pour remplir la page"] * 120)
    jobs = []
    for n in range(N):
        fields = {**FIELDS, "montant_lettres": long_text} if n % 7 == 3 else FIELDS  # some on 2 pages
        jobs.append((letter(reference=f"26-{n:06d}", dossier_id=n, fields=fields), folder / f"{n:03d}.pdf"))
    return jobs


def _footers(path: Path) -> list[str]:
    """The dossier reference of each page of the merged PDF, read back from its footer."""
    refs = []
    for page in PdfReader(str(path)).pages:
        found = re.findall(r"Dossier n°\s*(26-\d{6})", page.extract_text())
        refs.append(found[-1] if found else "?")
    return refs


def test_parallel_letters_keep_order_and_pages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INSTRUCTEUR_LETTER_WORKERS", raising=False)
    monkeypatch.setattr(
        "instructeur.exports.letter_batch.os.sched_getaffinity", lambda _pid: {0, 1}, raising=False
    )
    assert worker_count(N) == 2 and worker_count(PARALLEL_FROM - 1) == 1
    seen: list[tuple[int, int]] = []
    result = render_letters(_jobs(tmp_path), tmp_path / "all.pdf", progress=lambda d, t: seen.append((d, t)))
    assert not result.cancelled and len(result.files) == N
    assert [f.name for f in result.files] == [f"{n:03d}.pdf" for n in range(N)]
    assert len(seen) > 2 and seen[-1] == (N, N) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    # Same page counts as one after the other in this process, and the merged PDF in that order.
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", "1")
    (tmp_path / "s").mkdir()
    serial = render_letters(_jobs(tmp_path / "s"), None)
    assert result.pages == serial.pages and max(result.pages) == 2
    expected = [f"26-{n:06d}" for n, pages in enumerate(result.pages) for _ in range(pages)]
    assert _footers(tmp_path / "all.pdf") == expected


def test_parallel_letters_cancelled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", "2")
    progress: list[int] = []
    result = render_letters(
        _jobs(tmp_path),
        tmp_path / "all.pdf",
        progress=lambda d, _t: progress.append(d),
        cancel=lambda: bool(progress),
    )
    assert result.cancelled and not (tmp_path / "all.pdf").exists()
    assert 0 < len(result.files) < N and all(f.exists() for f in result.files)
    assert len(result.pages) == len(result.files)


def test_a_worker_error_reaches_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", "2")
    jobs = _jobs(tmp_path)
    jobs[-1] = (jobs[-1][0], tmp_path / "absent" / "x.pdf")  # its folder does not exist
    with pytest.raises(OSError):
        render_letters(jobs, tmp_path / "all.pdf")
    assert not (tmp_path / "all.pdf").exists()
