"""Baseline for the letters (issue 12): LibreOffice headless converting as many one-page letters.

The letters are HTML files holding the same texts as ours (sender, recipient, subject, body with
the dossier's merge fields), converted to PDF by `soffice --headless --convert-to pdf` calls of
100 files each (one call for all stops silently after about 250 files), as an office user would
batch them. Returns None when LibreOffice Writer is not installed.
"""

from __future__ import annotations

import html
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from instructeur.exports.letters import LetterData, merge_text

__all__ = ["soffice_seconds"]


def _html(letter: LetterData) -> str:
    body = merge_text(letter.template, letter.fields).replace("**", "")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n\n") if p.strip())
    head = "<br>".join(html.escape(x) for x in letter.expediteur)
    to = "<br>".join(html.escape(x) for x in letter.destinataire)
    return (
        f"<html><head><meta charset='utf-8'><title>{html.escape(letter.reference)}</title></head>"
        f"<body style='font-family:DejaVu Serif;font-size:10pt'><p>{head}</p>"
        f"<p style='margin-left:9cm'>{to}</p><p>{html.escape(letter.lieu_date)}</p>{paragraphs}"
        f"<p style='margin-left:9cm'>{html.escape(letter.fonction_signataire)}<br>"
        f"{html.escape(letter.signataire)}</p></body></html>"
    )


def _writer_installed(soffice: str) -> bool:
    program = Path(soffice).resolve().parent
    return any(program.glob("libswlo.so")) or any(program.glob("swriter*"))


def soffice_seconds(letters: Sequence[LetterData]) -> float | None:
    """Seconds for LibreOffice to convert one HTML letter per item to PDF (one process)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or not _writer_installed(soffice):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        sources = []
        for n, letter in enumerate(letters):
            path = folder / f"{n:04d}.html"
            path.write_text(_html(letter), encoding="utf-8")
            sources.append(str(path))
        profile = (folder / "profile").as_uri()  # its own profile: no lock with a running office
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore"]
        subprocess.run([*command, "--terminate_after_init"], capture_output=True, timeout=300)  # warm-up
        convert = [*command, "--convert-to", "pdf:writer_pdf_Export", "--infilter=HTML (StarWriter)"]
        start = time.perf_counter()
        # Batches of 100: one soffice call stops silently after about 250 files (LibreOffice 7.4).
        for first in range(0, len(sources), 100):
            done = subprocess.run(
                [*convert, "--outdir", str(folder / "pdf"), *sources[first : first + 100]],
                capture_output=True,
                timeout=1800,
            )
            if done.returncode != 0:
                return None
        seconds = time.perf_counter() - start
        if len(list((folder / "pdf").glob("*.pdf"))) != len(sources):
            return None
        return seconds
