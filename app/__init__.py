"""The service: retrieval, the question pipeline, checker, audit, bulk, UI and CLI."""

# Imported under its own top-level name (from a checkout on sys.path), this package would load a second
# copy of every module, with classes that are not the installed ones: only budgetqa.app is allowed.
if __name__ != "budgetqa.app":
    raise ImportError("import budgetqa.app, not app")
