"""Exports as pure functions: a database (through the services), a campagne, a destination path.

* `programmation.export_programmation` — the tableau de programmation (xlsx) with its synthesis
  sheets, `programmation.export_programmation_par_financeur` — one workbook per financeur;
* `opendata.export_scdl` — retained subsidies in the national SCDL « subventions » CSV format.

No Qt here; the GUI calls the same functions from a worker thread. Every function raises
`UserError` (French, one line) for an unknown campagne / financeur or an unwritable path.
"""
