"""Imports from spreadsheets (Qt-free): dossiers of a campagne, official QPV lists, the template.

- `reader`: .xlsx / .csv → rows of cells with their Excel row numbers;
- `headers`: recognised headers (SYNONYMS), header-row and totals-row detection, `propose_mapping`;
- `values`: one row's cells → typed values, problems naming file, row and column;
- `dossiers`: `preview` / `apply` (all or nothing, update by référence);
- `qpv`: official QPV file → codes and communes of the contrat's quartiers;
- `template`: the .xlsx import template with its « Aide » sheet.
"""
