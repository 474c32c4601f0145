"""Offline co-instruction: scoring files an évaluateur fills elsewhere, imported back with conflict
detection (`scoring_file`)."""
