"""`budgetqa serve`: the web page over the same services as the CLI, bound to 127.0.0.1 by default."""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Optional

import typer

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (default: this machine only)"),
              port: int = typer.Option(7860, "--port"),
              demo: bool = typer.Option(False, "--demo", help="Preload the sample documents"),
              auth: Optional[str] = typer.Option(None, "--auth", help="user:password required to open the page"),
              home: Optional[Path] = typer.Option(None, "--home", help="Data directory"),
              no_dense: bool = typer.Option(False, "--no-dense", help="Skip the dense (embedding) index"),
              language: Optional[str] = typer.Option(None, "--language",
                                                     help="The page's language: zh (default) or en; "
                                                          "BUDGETQA_LANGUAGE sets it too"),
              log_level: str = typer.Option("info", "--log-level",
                                            help="Server log on stderr: debug, info (a line per upload and "
                                                 "question), warning or error")):
        """Open the web page: documents, chat with verified figures, tables, comparison, consistency checks."""
        level = logging.getLevelName(log_level.upper())
        if not isinstance(level, int):
            raise typer.BadParameter(f"{log_level}: choose debug, info, warning or error", param_hint="--log-level")
        logging.basicConfig(stream=sys.stderr, level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        for handler in logging.getLogger().handlers:  # a library that sets its own logger to DEBUG (bm25s) is held too
            handler.setLevel(level)
        for noisy in ("httpx", "uvicorn.access"):  # Gradio's own polling would bury the page's lines
            logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
        from budgetqa.app.service import Service
        from budgetqa.app.settings import get_settings
        from budgetqa.app.ui.page import build_ui, launch
        from budgetqa.app.ui.samples import preload_samples

        if language is not None and language not in ("zh", "en"):
            raise typer.BadParameter(f"{language}: choose zh or en", param_hint="--language")
        if auth:
            from budgetqa.app.ui.login import parse_auth

            try:
                parse_auth(auth)
            except ValueError as exc:
                raise typer.BadParameter(str(exc), param_hint="--auth") from None
        if host not in ("127.0.0.1", "localhost", "::1") and not (auth or get_settings(home).auth):
            typer.echo(f"warning: serving on {host} without --auth: anyone on the network can open the page", err=True)
        t0 = time.perf_counter()
        service = Service(get_settings(home, **({"language": language} if language else {})), dense=not no_dense)
        blocks, page = build_ui(service)
        if demo:
            page.loading.set()  # before the page is served, so the first visitor sees the preload notice
            threading.Thread(target=preload_samples, args=(service, page, lambda m: typer.echo(m, err=True)),
                             daemon=True).start()
        if not no_dense:  # stored documents without vectors get them behind the page (shown in its notice)
            threading.Thread(target=service.fill_dense, kwargs={"background": True}, daemon=True).start()
        launch(blocks, service, host=host, port=port, auth=auth, prevent_thread_lock=True)
        typer.echo(f"budgetqa page ready at http://{host}:{port} ({time.perf_counter() - t0:.1f} s)", err=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            blocks.close()
            service.close()
