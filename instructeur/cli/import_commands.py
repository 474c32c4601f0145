"""`instructeur import …`: dossiers and QPV lists from spreadsheets."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the sub-command and its actions (each action sets `handler=function(args, out)`)."""
