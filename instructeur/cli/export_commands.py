"""`instructeur export …`: programmation (xlsx), notifications (PDF), relevé de décisions, open data."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the sub-command and its actions (each action sets `handler=function(args, out)`)."""
