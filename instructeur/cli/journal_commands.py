"""`instructeur journal verifier`: recompute the journal's hash chain (storage/journal_chain.py).

Exit 0 and « journal intègre : N entrées, chaîne vérifiée », or exit 2 naming the first broken entry.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO, cast

if TYPE_CHECKING:
    SubParsers = argparse._SubParsersAction[argparse.ArgumentParser]
else:
    SubParsers = argparse._SubParsersAction


def register(sub: SubParsers) -> None:
    from instructeur.cli.main import FrenchArgumentParser

    parser = sub.add_parser("journal", help="journal des modifications (chaîne d'empreintes)")
    actions = cast(
        SubParsers,
        parser.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser),
    )
    actions.add_parser(
        "verifier", help="vérifie que le journal est complet et n'a pas été modifié après coup"
    ).set_defaults(handler=journal_verifier)


def journal_verifier(args: argparse.Namespace, out: TextIO) -> int:
    from instructeur.cli.commands import open_for_check
    from instructeur.storage import journal_chain

    db = open_for_check(args)
    try:
        with db.engine.connect() as conn:
            report = journal_chain.verify(conn)
            line = journal_chain.describe(conn, report)
        name = db.display_name
    finally:
        db.close()
    print(f"{name} : {line}", file=out)
    return 0 if report.ok else 2
