"""A Chinese font for every chart, shipped as a Python dependency rather than hoped for.

Matplotlib's default font (DejaVu Sans) has no CJK glyphs, and a bare machine (a CI container, a
fresh server) has no CJK system font, so Chinese labels became empty boxes.  We depend on
``pylopdf-fonts-zh-cn``, a data-only wheel of Noto Sans SC (SIL Open Font License 1.1, from
github.com/notofonts/noto-cjk, 17 MB), register its file with matplotlib's font manager and put
it first in ``font.family``.  Missing-glyph warnings are *not* silenced: if a label still cannot
be drawn, the caller should hear about it (the tests turn those warnings into errors).

The same file, cut down to the characters a report uses (fontTools' subsetter, which matplotlib
already depends on), is embedded in the HTML report so a browser without a CJK font shows the
labels too.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def cjk_font_path() -> Path:
    """Path of the bundled Noto Sans SC file (OpenType, CFF outlines)."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())


@functools.lru_cache(maxsize=1)
def cjk_font() -> str:
    """Register the bundled CJK font with matplotlib (once) and return its family name."""
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def rc_params() -> dict[str, Any]:
    """Matplotlib settings of our charts: the CJK font first, DejaVu Sans for what it lacks."""
    return {"font.family": [cjk_font(), "DejaVu Sans"], "axes.unicode_minus": False}


def use_cjk_font() -> str:
    """Make the CJK font matplotlib's default for this process (the notebook calls it once)."""
    import matplotlib

    matplotlib.rcParams.update(rc_params())
    return cjk_font()


@contextlib.contextmanager
def plot_style() -> Iterator[None]:
    """Our matplotlib settings for the duration of a block, restored afterwards."""
    import matplotlib

    with matplotlib.rc_context(rc_params()):
        yield


def font_subset_b64(chars: Iterable[str]) -> str:
    """The bundled font cut down to ``chars`` (plus ASCII), as base64 OpenType for ``@font-face``.

    A report's charts and articles use a few thousand distinct characters; the full font is 8 MB,
    the subset a few hundred kB.
    """
    from fontTools import subset

    text = "".join(sorted(set("".join(chars)) | {chr(c) for c in range(32, 127)}))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    font = subset.load_font(str(cjk_font_path()), options)
    sub = subset.Subsetter(options)
    sub.populate(text=text)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return base64.b64encode(buf.getvalue()).decode("ascii")


__all__ = ["cjk_font", "cjk_font_path", "font_subset_b64", "plot_style", "rc_params", "use_cjk_font"]
