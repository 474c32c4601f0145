"""Concatenate PDFs (letters to sign, fiches d'instruction) into one file, written atomically.

`PdfConcat` takes the files one by one, so a caller can merge the first ones while the next
are still being rendered (letters in parallel, `letter_batch`); `merge_pdfs` is the one-shot form.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["PdfConcat", "merge_pdfs"]


class PdfConcat:
    """Pages of the files added, in the order added; `write(target)` writes them atomically."""

    def __init__(self) -> None:
        from pypdf import PdfWriter  # lazy: not needed to start the app

        self._writer = PdfWriter()

    def add(self, path: Path) -> None:
        self._writer.append(str(path))

    def write(self, target: Path) -> None:
        tmp = target.with_name(target.name + ".part")
        try:
            with open(tmp, "wb") as fh:
                self._writer.write(fh)
            tmp.replace(target)
        finally:
            tmp.unlink(missing_ok=True)


def merge_pdfs(files: Sequence[Path], target: Path) -> None:
    """Concatenate `files`, in order, into `target`."""
    concat = PdfConcat()
    for path in files:
        concat.add(path)
    concat.write(target)
