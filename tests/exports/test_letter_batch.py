"""Letters by chunks and in parallel: each file and the merged PDF keep the dossiers' order, page
counts, page numbers and footers of a letter rendered alone (issue 12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from instructeur.exports.letter_batch import CHUNK, PARALLEL_FROM, render_letters, worker_count
from instructeur.exports.letters import LetterData, render_letter
from tests.exports.test_letters import FIELDS, letter

N = 2 * CHUNK + 6  # three chunks


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
    assert worker_count(PARALLEL_FROM) == 2 and worker_count(PARALLEL_FROM - 1) == 1
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", "2")
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


@pytest.mark.parametrize("workers", ["1", "2"])
def test_cancelled_between_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", workers)
    progress: list[int] = []
    result = render_letters(
        _jobs(tmp_path),
        tmp_path / "all.pdf",
        progress=lambda d, _t: progress.append(d),
        cancel=lambda: bool(progress),
    )
    assert result.cancelled and not (tmp_path / "all.pdf").exists()
    assert len(result.pages) == len(result.files) and all(f.exists() for f in result.files)
    if workers == "1":  # here: cancelled right after the first chunk
        assert [f.name for f in result.files] == [f"{n:03d}.pdf" for n in range(CHUNK)]
    else:  # the workers finish the chunks they had started; those files count
        assert CHUNK <= len(result.files) <= N


def test_a_worker_error_reaches_the_caller(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", "2")
    jobs = _jobs(tmp_path)
    jobs[-1] = (jobs[-1][0], tmp_path / "absent" / "x.pdf")  # its folder does not exist
    with pytest.raises(OSError):
        render_letters(jobs, tmp_path / "all.pdf")
    assert not (tmp_path / "all.pdf").exists()


def _page_texts(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(str(path)).pages]


def test_a_letter_cut_from_its_chunk_reads_as_the_letter_rendered_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INSTRUCTEUR_LETTER_WORKERS", "1")
    jobs = _jobs(tmp_path)[:8]
    result = render_letters(jobs, tmp_path / "all.pdf")
    for (one, path), pages in zip(jobs, result.pages, strict=True):
        alone = tmp_path / f"alone-{path.name}"
        assert render_letter(one, alone) == pages
        assert _page_texts(path) == _page_texts(alone)  # same text, « n / total » and footer
        reader = PdfReader(str(path))
        meta = reader.metadata
        assert meta is not None and meta.title and one.reference in " ".join(_page_texts(path))
        assert meta.title == PdfReader(str(alone)).metadata.title  # type: ignore[union-attr]
        assert reader.trailer["/Root"]["/Lang"] == "fr-FR"
        fonts = {
            str(f["/BaseFont"]).split("+")[-1]
            for p in reader.pages
            for f in p["/Resources"]["/Font"].values()
        }
        assert "DejaVuSerif" in fonts  # the embedded font travels with each file
    two_pages = [p for p in result.pages if p == 2]
    assert two_pages  # numbering per letter is exercised: « 1 / 2 », « 2 / 2 »
