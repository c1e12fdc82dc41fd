"""Gradio's own strings in the page's language, whatever the browser's.

Gradio's frontend picks its bundled translation (upload box, widget errors) from
`navigator.language` once, as its bundle starts, before any `head` script of ours runs. So the page
HTML gets one small script ahead of the bundle that makes the browser report the page's locale, and
the `<html lang>` the page's language. An ASGI middleware does it: the HTML is Gradio's template,
served as is otherwise.
"""

from __future__ import annotations

import json
import re

_HEAD = re.compile(rb"<head[^>]*>", re.I)
_HTML_LANG = re.compile(rb'<html(\s[^>]*?)?\slang="[^"]*"', re.I)


def locale_script(locale: str) -> str:
    """The script that makes Gradio's frontend read `locale` as the browser's language."""
    value = json.dumps(locale)
    return ("<script>(function(){var l=" + value + ";"
            "try{Object.defineProperty(navigator,'language',{get:function(){return l;}});"
            "Object.defineProperty(navigator,'languages',{get:function(){return [l];}});}catch(e){}"
            "document.documentElement.setAttribute('lang',l);})();</script>")


def with_locale(html: bytes, locale: str) -> bytes:
    """The page HTML with the locale script first in <head> and <html lang> set; other HTML unchanged."""
    m = _HEAD.search(html)
    if m is None:
        return html
    html = html[:m.end()] + locale_script(locale).encode() + html[m.end():]
    return _HTML_LANG.sub(lambda h: b"<html" + (h.group(1) or b"") + b' lang="' + locale.encode() + b'"', html, count=1)


class PageLocale:
    """ASGI middleware: the page's HTML (GET of the app's root) carries `with_locale`."""

    def __init__(self, app, locale: str):
        self.app, self.locale = app, locale

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") != "GET" or scope.get("path", "") not in ("", "/"):
            await self.app(scope, receive, send)
            return
        start: dict = {}
        body: list[bytes] = []

        async def capture(message):
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            headers = dict(start.get("headers") or [])
            html = headers.get(b"content-type", b"").startswith(b"text/html")
            encoded = headers.get(b"content-encoding")
            if not html or encoded:  # not the page, or compressed already: passed as it is
                if start:
                    await send(start)
                    start.clear()
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            page = with_locale(b"".join(body), self.locale)
            start["headers"] = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
            start["headers"].append((b"content-length", str(len(page)).encode()))
            await send(start)
            await send({"type": "http.response.body", "body": page})

        await self.app(scope, receive, capture)
