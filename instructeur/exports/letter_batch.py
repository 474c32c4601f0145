"""Many letters at once: rendered on every core, concatenated in order for the PDF to sign.

From `PARALLEL_FROM` letters on, chunks of letters go to a pool of worker processes (spawned:
safe from a Qt process and the same on Windows and in the frozen bundle, whose launcher calls
`freeze_support`). Each worker registers the fonts and builds the styles once. The main process
concatenates the chunks in the dossiers' order while the workers render the next ones, so the
merged PDF costs little more than the last chunk. Fewer letters, one core, or
INSTRUCTEUR_LETTER_WORKERS=1: rendered one after the other in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from instructeur.exports.letters import LetterData, prepare, render_letter
from instructeur.exports.pdf_merge import PdfConcat

__all__ = ["PARALLEL_FROM", "RenderResult", "render_letters", "worker_count"]

PARALLEL_FROM = 40  # below, starting the workers (≈ 0.4 s) costs more than it saves
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

    `progress(done, total)` is called as letters are done; `cancel()` is polled between letters
    (between chunks when in parallel). Files and pages come in the order of `letters`.
    Paths are the caller's responsibility (the notification service makes them safe).
    """
    start = time.perf_counter()
    workers = worker_count(len(letters))
    run = _in_pool if workers > 1 else _in_process
    done, cancelled, concat = run(letters, workers, merged_path is not None, progress, cancel)
    files = tuple(path for (_letter, path), pages in zip(letters, done, strict=True) if pages)
    merged = None
    if not cancelled and concat is not None and merged_path is not None and files:
        concat.write(merged_path)
        merged = merged_path
    pages = tuple(p for p in done if p)
    return RenderResult(files, merged, time.perf_counter() - start, cancelled, pages)


_Outcome = tuple[list[int], bool, PdfConcat | None]  # pages per letter (0: not done), cancelled


def _in_process(
    letters: Sequence[Job],
    _workers: int,
    merge: bool,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
) -> _Outcome:
    done = [0] * len(letters)
    concat = PdfConcat() if merge else None
    for n, (letter, path) in enumerate(letters):
        if cancel is not None and cancel():
            return done, True, concat
        done[n] = render_letter(letter, path)
        if concat is not None:
            concat.add(path)
        if progress is not None:
            progress(n + 1, len(letters))
    return done, False, concat


def _chunks(n: int, workers: int) -> Iterator[range]:
    """About eight chunks per worker: even load, progress and cancel every few letters."""
    size = max(5, -(-n // (workers * 8)))
    for first in range(0, n, size):
        yield range(first, min(first + size, n))


def _in_pool(
    letters: Sequence[Job],
    workers: int,
    merge: bool,
    progress: Callable[[int, int], None] | None,
    cancel: Callable[[], bool] | None,
) -> _Outcome:
    done = [0] * len(letters)
    concat = PdfConcat() if merge else None
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=prepare) as pool:
        chunks = list(_chunks(len(letters), workers))
        futures = [pool.submit(_render_chunk, [letters[i] for i in chunk]) for chunk in chunks]
        try:
            for chunk, future in zip(chunks, futures, strict=True):
                if cancel is not None and cancel():
                    pool.shutdown(wait=True, cancel_futures=True)
                    _collect_finished(chunks, futures, done)
                    return done, True, concat
                for i, pages in zip(chunk, future.result(), strict=True):
                    done[i] = pages
                    if concat is not None:  # while the workers render the next chunks
                        concat.add(letters[i][1])
                if progress is not None:
                    progress(chunk.stop, len(letters))
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return done, False, concat


def _collect_finished(chunks: Sequence[range], futures: Sequence[Future[list[int]]], done: list[int]) -> None:
    """After a cancel, count the chunks the workers had finished (their files are written)."""
    for chunk, future in zip(chunks, futures, strict=True):
        if future.done() and not future.cancelled() and future.exception() is None:
            for i, pages in zip(chunk, future.result(), strict=True):
                done[i] = pages


def _render_chunk(jobs: list[Job]) -> list[int]:
    """In a worker: render the chunk's letters, return their page counts."""
    return [render_letter(letter, path) for letter, path in jobs]
