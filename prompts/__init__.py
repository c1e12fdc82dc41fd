"""Prompt templates as files, loaded and checked at start-up by budgetqa.app.qa.prompts."""

# Imported under its own top-level name (from a checkout on sys.path), this package would load a second
# copy of every module, with classes that are not the installed ones: only budgetqa.prompts is allowed.
if __name__ != "budgetqa.prompts":
    raise ImportError("import budgetqa.prompts, not prompts")
