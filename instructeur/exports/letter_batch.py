"""Many letters at once: rendered by chunks, on every core, concatenated in order for the PDF to sign.

A chunk of letters is laid out as ONE ReportLab document (`LetterCanvas` numbers each letter's pages
« 1 / 2 » on its own, with its own footer), then cut into one file per letter with pypdf. A document
per letter would subset and embed the fonts for every letter: a chunk of 32 renders about three
times faster, and the PDF to sign is the concatenation of the chunks, whose fonts are shared, so
merging no longer re-reads a font per letter.

From `PARALLEL_FROM` letters on, the chunks go to a pool of worker processes (spawned: safe from a
Qt process and the same on Windows and in the frozen bundle, whose launcher calls
`freeze_support`); each worker registers the fonts and builds the styles once. The main process
concatenates the chunks in the dossiers' order while the workers render the next ones.
INSTRUCTEUR_LETTER_WORKERS=N sets the number of processes (1: this one, no pool).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, PageBreak, SimpleDocTemplate

from instructeur.exports.letters import (
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    LetterData,
    letter_footer,
    letter_metadata,
    letter_story,
    prepare,
)
from instructeur.exports.pdf_merge import PdfConcat
from instructeur.exports.pdf_page import NumberedCanvas

__all__ = ["CHUNK", "PARALLEL_FROM", "RenderResult", "render_letters", "worker_count"]

CHUNK = 32  # letters per document: fonts subset once for them all
PARALLEL_FROM = 150  # below, starting the workers (≈ 0.5 s) costs more than it saves
MAX_WORKERS = 4
Job = tuple[LetterData, Path]


@dataclass(frozen=True)
class RenderResult:
    files: tuple[Path, ...]
    merged: Path | None
    seconds: float
    cancelled: bool = False
    pages: tuple[int, ...] = field(default=())


def worker_count(n_letters: int) -> int:
    """Processes to render `n_letters` with: 1 means this process, no pool."""
    wanted = os.environ.get("INSTRUCTEUR_LETTER_WORKERS", "").strip()
    if wanted.isdigit():
        return max(1, int(wanted))
    if n_letters < PARALLEL_FROM:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


def render_letters(
    letters: Sequence[Job],
    merged_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> RenderResult:
    """Render each (letter, path); then, unless cancelled, concatenate them into `merged_path`.

    `progress(done, total)` is called after each chunk; `cancel()` is polled between chunks.
    Files and pages come in the order of `letters`. Paths are the caller's responsibility (the
    notification service makes them safe).
    """
    start = time.perf_counter()
    workers = worker_count(len(letters))
    chunks = [range(i, min(i + CHUNK, len(letters))) for i in range(0, len(letters), CHUNK)]
    scratch = Path(tempfile.mkdtemp(prefix="lettres-"))
    try:
        batch = _Batch(letters, chunks, scratch, merged_path is not None, progress, cancel)
        if workers > 1 and len(chunks) > 1:
            batch.run_in_pool(workers)
        else:
            batch.run_here()
        files = tuple(path for (_letter, path), pages in zip(letters, batch.pages, strict=True) if pages)
        merged = None
        if not batch.cancelled and batch.concat is not None and merged_path is not None and files:
            batch.concat.write(merged_path)
            merged = merged_path
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    pages = tuple(p for p in batch.pages if p)
    return RenderResult(files, merged, time.perf_counter() - start, batch.cancelled, pages)


class _Batch:
    """The chunks of one run: their pages as they come, the concatenation, cancel and progress."""

    def __init__(
        self,
        letters: Sequence[Job],
        chunks: list[range],
        scratch: Path,
        merge: bool,
        progress: Callable[[int, int], None] | None,
        cancel: Callable[[], bool] | None,
    ) -> None:
        self.letters, self.chunks, self.scratch = letters, chunks, scratch
        self.concat = PdfConcat() if merge else None
        self.progress, self.cancel = progress, cancel
        self.pages = [0] * len(letters)
        self.cancelled = False

    def task(self, n: int) -> tuple[list[Job], Path | None]:
        chunk = self.chunks[n]
        part = self.scratch / f"{n:05d}.pdf" if self.concat is not None else None
        return [self.letters[i] for i in chunk], part

    def done(self, n: int, pages: list[int]) -> None:
        chunk = self.chunks[n]
        for i, count in zip(chunk, pages, strict=True):
            self.pages[i] = count
        if self.concat is not None:
            self.concat.add(self.scratch / f"{n:05d}.pdf")
        if self.progress is not None:
            self.progress(chunk.stop, len(self.letters))

    def stop_asked(self) -> bool:
        self.cancelled = self.cancel is not None and self.cancel()
        return self.cancelled

    def run_here(self) -> None:
        prepare()
        for n in range(len(self.chunks)):
            if self.stop_asked():
                return
            self.done(n, render_chunk(*self.task(n)))

    def run_in_pool(self, workers: int) -> None:
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=prepare) as pool:
            futures = [pool.submit(render_chunk, *self.task(n)) for n in range(len(self.chunks))]
            try:
                for n, future in enumerate(futures):
                    if self.stop_asked():
                        pool.shutdown(wait=True, cancel_futures=True)
                        self._count_finished(futures, n)
                        return
                    self.done(n, future.result())  # the next chunks render meanwhile
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                raise

    def _count_finished(self, futures: Sequence[Future[list[int]]], first: int) -> None:
        """After a cancel, count the chunks the workers had finished (their files are written)."""
        for n in range(first, len(futures)):
            future = futures[n]
            if future.done() and not future.cancelled() and future.exception() is None:
                for i, count in zip(self.chunks[n], future.result(), strict=True):
                    self.pages[i] = count


# --- one chunk: one document, cut into one file per letter ---------------------------------------


class LetterCanvas(NumberedCanvas):
    """Numbers the pages of each letter of a multi-letter document on their own (« 1 / 2 »),
    each with its letter's footer; `_LetterStart` tells it where a letter begins."""

    margin_x = MARGIN_X
    margin_bottom = MARGIN_BOTTOM

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.letter_index = -1

    def start_letter(self, footer: str) -> None:
        self.letter_index += 1
        self.footer_text = footer

    def letter_pages(self) -> list[int]:
        counts = [0] * (self.letter_index + 1)
        for state in self._pages:
            counts[state["letter_index"]] += 1
        return counts

    def save(self) -> None:
        counts = self.letter_pages()
        seen = [0] * len(counts)
        for state in self._pages:
            self.__dict__.update(state)
            letter = state["letter_index"]
            seen[letter] += 1
            self._pageNumber = seen[letter]
            self._decorate(counts[letter])
            super(NumberedCanvas, self).showPage()
        super(NumberedCanvas, self).save()


class _LetterStart(Flowable):  # type: ignore[misc]
    """Zero-size mark at the top of a letter's first page."""

    def __init__(self, footer: str) -> None:
        super().__init__()
        self.footer = footer

    def wrap(self, *_args: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.canv.start_letter(self.footer)


def render_chunk(jobs: list[Job], part: Path | None = None) -> list[int]:
    """Render the letters of `jobs` as one document, then write each letter's pages to its path.
    The whole document goes to `part` when given (for the PDF to sign). Returns pages per letter."""
    story: list[Flowable] = []
    metadata = []
    for n, (letter, _path) in enumerate(jobs):
        flowables, subject = letter_story(letter)
        story += [*([PageBreak()] if n else []), _LetterStart(letter_footer(letter)), *flowables]
        metadata.append(letter_metadata(letter, subject))
    canvases: list[LetterCanvas] = []

    def canvas_maker(*args: Any, **kwargs: Any) -> LetterCanvas:
        canvases.append(LetterCanvas(*args, **kwargs))
        return canvases[-1]

    whole = part or jobs[0][1].with_name(jobs[0][1].name + ".lot.part")
    doc = SimpleDocTemplate(
        str(whole), pagesize=A4, leftMargin=MARGIN_X, rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, creator="Instructeur", lang="fr-FR",
    )  # fmt: skip
    try:
        doc.build(story, canvasmaker=canvas_maker)
        pages = canvases[-1].letter_pages()
        if len(pages) != len(jobs):  # a letter that drew nothing would shift the others
            raise RuntimeError(f"{len(jobs)} lettres mises en page, {len(pages)} reconnues")
        _split(
            whole,
            [(path, count, meta) for (_l, path), count, meta in zip(jobs, pages, metadata, strict=True)],
        )
    finally:
        if part is None:
            whole.unlink(missing_ok=True)
    return pages


def _split(whole: Path, files: list[tuple[Path, int, dict[str, str]]]) -> None:
    """Each letter's pages, with its own title, author and subject, into its own file."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject, TextStringObject

    reader = PdfReader(str(whole))
    first = 0
    for path, count, meta in files:
        writer = PdfWriter()
        for page in reader.pages[first : first + count]:
            writer.add_page(page)
        first += count
        writer.add_metadata(
            {f"/{key.title()}": value for key, value in meta.items()} | {"/Creator": "Instructeur"}
        )
        writer.root_object[NameObject("/Lang")] = TextStringObject("fr-FR")
        with open(path, "wb") as fh:
            writer.write(fh)
