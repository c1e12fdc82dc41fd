"""Domain errors that name the file (and page or table) and say what to do."""

from __future__ import annotations


class IngestError(Exception):
    """A document could not be ingested. `str()` is one line: file and reason."""

    def __init__(self, file: str, reason: str, hint: str | None = None):
        self.file = file
        self.reason = reason
        self.hint = hint
        super().__init__(f"{file}: {reason}" + (f" ({hint})" if hint else ""))


class EmptyFile(IngestError):
    pass


class CorruptFile(IngestError):
    pass


class EncryptedFile(IngestError):
    pass


class ScannedPDF(IngestError):
    pass


class NotABudgetDocument(IngestError):
    pass


class UnsupportedFile(IngestError):
    pass


class NotARegularFile(UnsupportedFile):
    """A FIFO, device or socket: reading it could block forever, so it is refused before opening."""


class TooManyPages(IngestError):
    pass
