"""The import wizard's pages and helpers (the wizard itself: ui/import_wizard.py)."""
