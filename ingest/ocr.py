"""Words of a page without a readable text layer, read by OCR (RapidOCR's ONNX Chinese models,
which ship inside the wheel: nothing is downloaded at run time).

The words come back shaped like pdfplumber's `extract_words` (x0, x1, top, bottom in PDF points,
text), each marked `ocr: True`, so the page goes through the same line, table and title steps as a
text page. Table structure then comes from the OCR boxes (an image has no ruling to read).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Rendering at 2× (144 dpi) reads 9-point table digits reliably; more only costs time.
_SCALE = 2.0
_MIN_SCORE = 0.5
_CID = re.compile(r"\(cid:\d+\)")


class OCRUnavailable(RuntimeError):
    """rapidocr-onnxruntime is not installed."""


def unreadable(words: list[dict]) -> bool:
    """A text layer that is there but says nothing: (cid:123) codes for most of its characters."""
    text = "".join(w["text"] for w in words)
    return bool(text) and len("".join(_CID.findall(text))) > 0.5 * len(text)


@lru_cache(maxsize=1)
def _engine():
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # pragma: no cover - the dependency is declared
        raise OCRUnavailable("rapidocr-onnxruntime is not installed") from exc
    return RapidOCR()


def boxes_to_words(results, scale: float) -> list[dict]:
    """RapidOCR results ([4 corner points], text, score) → word dicts in PDF points."""
    words = []
    for points, text, score in results or []:
        text = text.strip()
        if not text or float(score) < _MIN_SCORE:
            continue
        xs = [p[0] / scale for p in points]
        ys = [p[1] / scale for p in points]
        words.append({"text": text, "x0": min(xs), "x1": max(xs), "top": min(ys), "bottom": max(ys),
                      "upright": True, "ocr": True})
    return words


def vertical_rules(image, scale: float = _SCALE, min_points: float = 15.0) -> list[tuple[float, float, float]]:
    """Vertical ruling lines of a scanned page as (x, top, bottom) in PDF points: the columns of
    pixels with a long unbroken dark run. An image has no vector ruling; its drawn lines still
    tell where one column ends and the next begins."""
    import numpy as np

    dark = np.asarray(image.convert("L")) < 128
    min_run = int(min_points * scale)
    found = []
    for x in range(dark.shape[1]):
        col = dark[:, x]
        if col.sum() < min_run:
            continue
        # longest run of dark pixels down this column
        padded = np.concatenate(([0], col.astype(np.int8), [0]))
        edges = np.flatnonzero(np.diff(padded))
        starts, ends = edges[::2], edges[1::2]
        k = int(np.argmax(ends - starts))
        if ends[k] - starts[k] >= min_run:
            found.append((x, starts[k], ends[k]))
    rules: list[list[float]] = []
    for x, top, bottom in found:  # a rule is a few pixels wide: join neighbouring columns
        if rules and x - rules[-1][1] <= 2:
            rules[-1][1] = x
            rules[-1][2], rules[-1][3] = min(rules[-1][2], top), max(rules[-1][3], bottom)
        else:
            rules.append([x, x, top, bottom])
    return [((a + b) / 2 / scale, top / scale, bottom / scale) for a, b, top, bottom in rules]


def ocr_page(page) -> tuple[list[dict], list[tuple[float, float, float]]]:
    """OCR one pdfplumber page: its words, and the vertical rules drawn in its image."""
    import numpy as np

    image = page.to_image(resolution=72 * _SCALE).original.convert("RGB")
    results, _ = _engine()(np.asarray(image))
    return boxes_to_words(results, _SCALE), vertical_rules(image)
