"""Qt item models: one column-spec template (`table`) and the models built on it."""

from ui.models.table import Column, RowTableModel, SourceSortingProxy

__all__ = ["Column", "RowTableModel", "SourceSortingProxy"]
