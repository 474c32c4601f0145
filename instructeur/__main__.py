"""`python -m instructeur`: the command line without the GUI."""

from instructeur.cli.main import main

raise SystemExit(main())
