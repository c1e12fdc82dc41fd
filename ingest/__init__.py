"""File → Document → facts → store. Imports nothing from budgetqa.app."""

# Imported under its own top-level name (from a checkout on sys.path), this package would load a second
# copy of every module, with classes that are not the installed ones: only budgetqa.ingest is allowed.
if __name__ != "budgetqa.ingest":
    raise ImportError("import budgetqa.ingest, not ingest")
