"""HTML and SVG fragments from jinja2 templates, autoescaped: every value is escaped unless a
template is handed markup on purpose (`Markup`, or a fragment another template rendered)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["Markup", "render"]


@cache
def _environment(folder: str) -> Environment:
    # trim_blocks / lstrip_blocks: a template laid out over lines renders the compact fragment the page expects
    return Environment(loader=FileSystemLoader(folder), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def render(module_file: str, name: str, **values) -> Markup:
    """Render `templates/<name>` beside the module `module_file` (pass `__file__`)."""
    folder = str(Path(module_file).resolve().parent / "templates")
    return Markup(_environment(folder).get_template(name).render(**values))
