"""The `instructeur` command line: same services as the GUI (DESIGN.md §9).

Exit codes: 0 success, 2 bad input (one French line per problem on stderr, never a traceback).
Without a sub-command the GUI opens; the GUI itself is passed in by `ui.launcher` so that this
package never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from instructeur import __version__
from instructeur.errors import UserError, ValidationError

GuiLauncher = Callable[[str | Path, bool], int]

EXIT_OK = 0
EXIT_BAD_INPUT = 2

# argparse speaks English; users read French.
_ARGPARSE_FR = (
    ("the following arguments are required: ", "arguments obligatoires manquants : "),
    ("unrecognized arguments: ", "arguments non reconnus : "),
    ("invalid choice: ", "choix invalide : "),
    ("choose from ", "choisir parmi "),
    ("expected one argument", "une valeur est attendue"),
    ("invalid int value: ", "nombre entier invalide : "),
    (": not allowed with argument ", " : incompatible avec l'option "),
    ("argument ", "option "),
)


class FrenchArgumentParser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for action in self._actions:
            if action.dest == "help":
                action.help = "affiche cette aide"

    def format_help(self) -> str:
        text = super().format_help()
        for en, fr in (
            ("usage:", "usage :"),
            ("options:", "options :"),
            ("positional arguments:", "arguments :"),
        ):
            text = text.replace(en, fr)
        return text

    def format_usage(self) -> str:
        return super().format_usage().replace("usage:", "usage :")

    def error(self, message: str) -> NoReturn:
        for en, fr in _ARGPARSE_FR:
            message = message.replace(en, fr)
        self.exit(EXIT_BAD_INPUT, f"instructeur : {message} (voir « {self.prog} --help »)\n")


def build_parser() -> argparse.ArgumentParser:
    from instructeur.cli import (
        comite_commands,
        commands,
        deletion_commands,
        equipe_commands,
        export_commands,
        import_commands,
        journal_commands,
        referentiel_commands,
        setup_commands,
    )

    p = FrenchArgumentParser(
        prog="instructeur",
        description="Instruction des appels à projets de la politique de la ville.",
        epilog="Sans sous-commande, ouvre l'application.",
    )
    p.add_argument(
        "--db",
        metavar="CHEMIN|URL",
        help="base SQLite (fichier) ou URL PostgreSQL ; défaut : $INSTRUCTEUR_DB",
    )
    p.add_argument(
        "--demo", action="store_true", help="ouvre l'application sur une base de démonstration neuve"
    )
    p.add_argument(
        "--version", action="version", version=f"instructeur {__version__}", help="affiche la version"
    )
    sub = p.add_subparsers(dest="command", metavar="COMMANDE", parser_class=FrenchArgumentParser)

    ref = sub.add_parser("referentiels", help="référentiels de contrats de ville livrés avec l'application")
    ref_sub = ref.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
    )
    ref_sub.add_parser("list", help="liste les référentiels").set_defaults(handler=commands.referentiels_list)
    show = ref_sub.add_parser("show", help="affiche les QPV et le cadre stratégique d'un référentiel")
    show.add_argument("name", metavar="NOM")
    show.set_defaults(handler=commands.referentiels_show)
    # liste, exporter, importer (issue 13)
    referentiel_commands.register_referentiels(cast("argparse._SubParsersAction[argparse.ArgumentParser]", ref_sub))

    demo = sub.add_parser("demo", help="base de démonstration")
    demo_sub = demo.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
    )
    create = demo_sub.add_parser("create", help="crée une base de démonstration reproductible")
    create.add_argument("path", metavar="CHEMIN")
    create.add_argument("--dossiers", type=int, default=250, metavar="N")
    create.add_argument("--seed", type=int, default=2026, metavar="S")
    create.add_argument("--referentiel", default="boulonnais-2024", metavar="NOM")
    create.set_defaults(handler=commands.demo_create)

    camp = sub.add_parser("campagnes", help="campagnes (appels à projets)")
    camp_sub = camp.add_subparsers(
        dest="action", metavar="ACTION", required=True, parser_class=FrenchArgumentParser
    )
    camp_sub.add_parser("list", help="liste les campagnes").set_defaults(handler=commands.campagnes_list)

    backup = sub.add_parser("backup", help="sauvegarde à chaud de la base dans un fichier SQLite")
    backup.add_argument("-o", "--output", required=True, metavar="FICHIER")
    backup.set_defaults(handler=commands.backup)
    restore = sub.add_parser("restore", help="remplace le contenu de la base par une sauvegarde")
    restore.add_argument("file", metavar="FICHIER")
    restore.set_defaults(handler=commands.restore)
    sub.add_parser("check", help="vérifie l'intégrité de la base").set_defaults(handler=commands.check)
    sub.add_parser(
        "init", help="crée le schéma Instructeur dans une base vide (ou le met à jour)"
    ).set_defaults(handler=commands.init)

    # Each family of sub-commands registers itself from its own module.
    for module in (import_commands, export_commands, comite_commands, setup_commands, deletion_commands,
                   equipe_commands, journal_commands, referentiel_commands):
        module.register(sub)
    _accept_db_everywhere(p)
    return p


def _accept_db_everywhere(parser: argparse.ArgumentParser) -> None:
    """`instructeur campagnes list --db X` works as well as `instructeur --db X campagnes list`."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                if not any(isinstance(a, argparse._SubParsersAction) for a in child._actions):
                    child.add_argument(
                        "--db", metavar="CHEMIN|URL", default=argparse.SUPPRESS, help=argparse.SUPPRESS
                    )
                _accept_db_everywhere(child)


def main(argv: Sequence[str] | None = None, gui: GuiLauncher | None = None) -> int:
    args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    try:
        return _dispatch(args, gui, sys.stdout)
    except ValidationError as exc:
        for problem in exc.problems:
            print(f"instructeur : {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except UserError as exc:
        print(f"instructeur : {exc.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # team mode: a statement the server refused outside a service's session
        from instructeur.errors import privilege_error, system_error

        # A full disk or a read-only folder is one French line too; real bugs stay tracebacks.
        if (refused := privilege_error(exc) or system_error(exc)) is None:
            raise
        print(f"instructeur : {refused.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("instructeur : interrompu", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `instructeur … | head`: the reader left, that is not an error
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _dispatch(args: argparse.Namespace, gui: GuiLauncher | None, out: TextIO) -> int:
    from instructeur.storage.targets import database_from_env

    if args.command is None:
        if gui is None:
            raise UserError("interface graphique indisponible : lancez la commande « instructeur » installée")
        return gui(database_from_env(args.db), bool(args.demo))
    result: int = args.handler(args, out)
    return result
