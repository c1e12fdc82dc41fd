"""Evaluation: labeled question sets in, accuracy and verification statistics out."""

# Imported under its own top-level name (from a checkout on sys.path), this package would load a second
# copy of every module, with classes that are not the installed ones: only budgetqa.eval is allowed.
if __name__ != "budgetqa.eval":
    raise ImportError("import budgetqa.eval, not eval")
