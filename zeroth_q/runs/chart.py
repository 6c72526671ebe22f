"""A PNG line chart in a few milliseconds: panels of one curve each, linear or log axes.

Every run ends by drawing its learning curve, and through matplotlib that cost more than the
rest of the ending: ``import matplotlib`` alone takes 0.29 s of CPU (its ``Artist`` classes
build their ``set()`` docstrings at import) and ``matplotlib.figure`` with the Agg canvas
0.47 s, plus about 0.18 s to draw two panels; a one-epoch MNIST run is 2.5 s in all (issue 29).
This draws the same figure (axes, ticks, grid, labels, title) with Pillow's ``ImageDraw``
(imported in 20 ms) at twice the size and halves it, which smooths the lines and text.

Text is set in DejaVu Sans, the font matplotlib ships (read from its package directory, not
imported), else in Pillow's own default font.
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from zeroth_q.atomic import atomic_open

DPI = 110
SCALE = 2  # drawn at this multiple of the final size, then reduced: antialiasing
PANEL_WIDTH, PANEL_HEIGHT = 5.5, 4.0  # inches per panel
LEFT, RIGHT, GAP, BOTTOM, TOP = 0.85, 0.2, 0.9, 0.55, 0.5  # margins and the gap between panels, inches
MARGIN = 0.05  # of the data range, on each side of an axis (matplotlib's default)
FONT_POINTS, TITLE_POINTS = 10, 12
LINE_POINTS, FRAME_POINTS, MAJOR_TICK_POINTS, MINOR_TICK_POINTS = 1.2, 0.8, 3.5, 2.0
LINE, TEXT, GRID, BACKGROUND = (31, 119, 180), (0, 0, 0), (228, 228, 228), (255, 255, 255)
MARKER_BELOW = 60  # fewer points than this are also marked with dots
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Panel:
    """One curve: ``y`` against ``x`` (finite pairs only; empty: the ``empty`` note instead),
    on log axes where ``log_x`` / ``log_y`` say so."""

    x: np.ndarray
    y: np.ndarray
    x_label: str
    y_label: str
    log_x: bool = False
    log_y: bool = False
    empty: str = ""


def pixels(points: float) -> int:
    """A length in typographic points as pixels of the drawing (``SCALE`` times the final size)."""
    return max(1, round(points * DPI / 72 * SCALE))


class _Fonts:
    def __init__(self) -> None:
        from PIL import ImageFont

        spec = importlib.util.find_spec("matplotlib")
        folders = spec.submodule_search_locations if spec and spec.submodule_search_locations else []
        candidates = (Path(folder) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf" for folder in folders)
        found = [path for path in candidates if path.is_file()]

        def font(points: int):
            size = pixels(points)
            return ImageFont.truetype(str(found[0]), size) if found else ImageFont.load_default(size)

        self.text, self.title = font(FONT_POINTS), font(TITLE_POINTS)


def linear_ticks(low: float, high: float, most: int = 8) -> np.ndarray:
    """Round values (1, 2, 2.5 or 5 times a power of ten apart) within ``[low, high]``, at most ``most``."""
    span = high - low
    if not span > 0:
        return np.array([low])
    smallest = math.floor(math.log10(span / most))
    for step in (m * 10.0**e for e in range(smallest, smallest + 3) for m in (1, 2, 2.5, 5)):
        first, last = math.ceil(low / step - 1e-9), math.floor(high / step + 1e-9)
        if last - first + 1 <= most:
            return np.arange(first, last + 1) * step
    return np.array([low, high])


def linear_label(value: float, step: float) -> str:
    """``value`` with as many decimals as the tick step needs; ``3×10⁶`` for the very large or small."""
    if value == 0:
        return "0"
    if 1e-3 <= abs(value) < 1e5:
        decimals = 0
        while abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6 * step * 10**decimals:
            decimals += 1
        return f"{value:.{decimals}f}"
    exponent = math.floor(math.log10(abs(value)))
    mantissa = f"{value / 10.0**exponent:.3g}"
    return ("" if mantissa == "1" else mantissa + "×") + "10" + str(exponent).translate(SUPERSCRIPTS)


def log_ticks(low: float, high: float) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Powers of ten from ``10^low`` to ``10^high`` labelled ``10ⁿ`` (at most eight: every few when
    the decades are many) and the minor ticks ``2..9 × 10ⁿ`` between them (none beyond eight decades)."""
    powers = np.arange(math.ceil(low - 1e-9), math.floor(high + 1e-9) + 1)
    powers = powers[(powers >= -307) & (powers <= 307)]  # 10ⁿ stays a finite, normal float
    stride = max(1, math.ceil(powers.size / 8))
    powers = powers[powers % stride == 0]
    labels = ["10" + str(p).translate(SUPERSCRIPTS) for p in powers]
    if high - low > 8:
        return 10.0**powers, labels, np.array([])
    decades = np.arange(math.floor(low), math.ceil(high))
    minor = np.log10(np.arange(2, 10))[None, :] + decades[:, None]
    return 10.0**powers, labels, 10.0 ** minor[(minor >= low) & (minor <= high)]


class _Axis:
    """Data to pixels along one axis: ``[low, high]`` (log10 of them on a log axis) onto
    ``[start, end]`` pixels."""

    def __init__(self, values: np.ndarray, log: bool, start: float, end: float) -> None:
        self.log, self.start, self.end = log, start, end
        t = np.log10(values) if log else values
        low, high = (float(t.min()), float(t.max())) if t.size else (0.0, 1.0)
        pad = MARGIN * (high - low) if high > low else (0.5 if log else max(abs(low) * MARGIN, 0.5))
        self.low, self.high = low - pad, high + pad

    def __call__(self, values: np.ndarray) -> np.ndarray:
        t = np.log10(values) if self.log else np.asarray(values, dtype=float)
        return self.start + (t - self.low) / (self.high - self.low) * (self.end - self.start)

    def ticks(self) -> tuple[np.ndarray, list[str], np.ndarray]:
        """Major tick values, their labels, minor tick values."""
        if self.log:
            return log_ticks(self.low, self.high)
        major = linear_ticks(self.low, self.high)
        step = float(major[1] - major[0]) if major.size > 1 else 1.0
        return major, [linear_label(float(v), step) for v in major], np.array([])


def draw_chart(panels: Sequence[Panel], title: str, path: str | os.PathLike) -> None:
    """Write ``path`` (PNG): ``panels`` side by side under ``title``."""
    from PIL import Image, ImageDraw

    fonts = _Fonts()
    inch = DPI * SCALE
    width, height = round(PANEL_WIDTH * len(panels) * inch), round(PANEL_HEIGHT * inch)
    image = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    box_width = (width - (LEFT + RIGHT + GAP * (len(panels) - 1)) * inch) / len(panels)
    top, bottom = TOP * inch, height - BOTTOM * inch
    for i, panel in enumerate(panels):
        left = LEFT * inch + i * (box_width + GAP * inch)
        _draw_panel(image, draw, fonts, panel, (left, top, left + box_width, bottom))
    draw.text((width / 2, top / 2), title, fill=TEXT, font=fonts.title, anchor="mm")
    final = image.resize((width // SCALE, height // SCALE), Image.Resampling.LANCZOS)
    with atomic_open(path, "wb") as handle:
        final.save(handle, format="PNG", dpi=(DPI, DPI))


def _draw_panel(image, draw, fonts: _Fonts, panel: Panel, box: tuple[float, float, float, float]) -> None:
    left, top, right, bottom = box
    to_x = _Axis(panel.x, panel.log_x, left, right)
    to_y = _Axis(panel.y, panel.log_y, bottom, top)
    gap, major_tick, minor_tick = pixels(3.5), pixels(MAJOR_TICK_POINTS), pixels(MINOR_TICK_POINTS)
    frame = pixels(FRAME_POINTS)
    x_major, x_labels, x_minor = to_x.ticks()
    y_major, y_labels, y_minor = to_y.ticks()
    for value in (*x_major, *x_minor):
        draw.line([(to_x(value), top), (to_x(value), bottom)], fill=GRID, width=frame)
    for value in (*y_major, *y_minor):
        draw.line([(left, to_y(value)), (right, to_y(value))], fill=GRID, width=frame)
    if panel.x.size:
        points = list(zip(to_x(panel.x).tolist(), to_y(panel.y).tolist(), strict=True))
        draw.line(points, fill=LINE, width=pixels(LINE_POINTS), joint="curve")
        if len(points) < MARKER_BELOW:
            r = pixels(LINE_POINTS) * 1.2
            for x, y in points:
                draw.ellipse([(x - r, y - r), (x + r, y + r)], fill=LINE)
    else:
        middle = ((left + right) / 2, (top + bottom) / 2)
        draw.text(middle, panel.empty, fill=TEXT, font=fonts.text, anchor="mm")
    draw.rectangle([(left, top), (right, bottom)], outline=TEXT, width=frame)
    for values, length in ((x_major, major_tick), (x_minor, minor_tick)):
        for value in values:
            draw.line([(to_x(value), bottom), (to_x(value), bottom + length)], fill=TEXT, width=frame)
    for values, length in ((y_major, major_tick), (y_minor, minor_tick)):
        for value in values:
            draw.line([(left - length, to_y(value)), (left, to_y(value))], fill=TEXT, width=frame)
    for value, label in zip(x_major, x_labels, strict=True):
        draw.text((to_x(value), bottom + major_tick + gap), label, fill=TEXT, font=fonts.text, anchor="mt")
    widest = 0.0
    for value, label in zip(y_major, y_labels, strict=True):
        draw.text((left - major_tick - gap, to_y(value)), label, fill=TEXT, font=fonts.text, anchor="rm")
        widest = max(widest, draw.textlength(label, font=fonts.text))
    line_height = fonts.text.getbbox("0")[3]
    x_label_at = bottom + major_tick + 2 * gap + line_height
    draw.text(((left + right) / 2, x_label_at), panel.x_label, fill=TEXT, font=fonts.text, anchor="mt")
    _vertical_text(image, fonts, panel.y_label, (left - major_tick - 2 * gap - widest, (top + bottom) / 2))


def _vertical_text(image, fonts: _Fonts, text: str, right_middle: tuple[float, float]) -> None:
    """``text`` rotated a quarter turn, its right edge (the baseline side) at ``right_middle``."""
    from PIL import Image, ImageDraw

    left, up, right, down = fonts.text.getbbox(text)
    label = Image.new("L", (right - left + 2, down - up + 2), 0)
    ImageDraw.Draw(label).text((-left + 1, -up + 1), text, fill=255, font=fonts.text)
    label = label.rotate(90, expand=True)
    x, y = right_middle
    at = (round(x - label.width), round(y - label.height / 2))
    image.paste(Image.new("RGB", label.size, TEXT), at, label)
