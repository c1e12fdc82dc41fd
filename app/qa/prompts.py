"""Load the prompt templates from prompts/ and check their variables at start-up."""

from __future__ import annotations

import string
from functools import cache
from importlib import resources

REQUIRED = {
    "plan": {"document", "ops", "concepts", "columns", "tables", "projects", "facts", "hint", "question",
             "format_instructions"},
    "phrase": {"headline", "question", "interpretation", "answer"},
    "repair": {"error", "output", "format_instructions"},
}


class PromptError(RuntimeError):
    pass


def variables(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def load(name: str) -> str:
    """The template text; raises PromptError when a required variable is missing or unknown ones appear."""
    try:
        text = resources.files("budgetqa.prompts").joinpath(f"{name}.txt").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"prompts/{name}.txt is missing") from exc
    found = variables(text)
    want = REQUIRED.get(name, found)
    if found != want:
        raise PromptError(f"prompts/{name}.txt: variables {sorted(found)} differ from the required {sorted(want)}")
    return text


def check_all() -> None:
    for name in REQUIRED:
        load(name)
