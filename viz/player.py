"""Backprop step by step as a page, a GIF or PNG frames: ``animate``, and ``player`` for Jupyter.

``animate(output, "steps.html")`` writes one self-contained page: every
frame's SVG inline, the caption and the frame number, Previous / Next /
Play buttons, a slider and the arrow keys, with a strict Content Security
Policy (no request leaves the page; it works opened from disk).
``animate(output, "steps.gif")`` writes an animated GIF and
``animate(output, "frames/")`` one PNG per frame (both need Pillow for the
GIF and Graphviz for every frame). ``player(output)`` shows the page inline
in Jupyter; stepping runs in the page, with no kernel round-trips.

The page's frames are cut from one Graphviz layout of the finished picture:
every frame has the same layout (see ``viz.steps``), so a frame is that SVG
with the numbers not computed yet left out and the operation being computed
filled. This keeps a 100-node graph's 200 frames within a second or two.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import math
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograd.atomicfile import atomic_write

from .draw import FONT, HIGHLIGHT_COLOR, DotNotFoundError, _dot_not_found, totals_shown
from .steps import walkthrough

if TYPE_CHECKING:
    from autograd import Node

__all__ = ["animate", "player", "Player", "page", "ANIMATION_FORMATS"]

#: What ``animate`` writes, by suffix; a path without a suffix is a directory of PNG frames.
ANIMATION_FORMATS = (".html", ".htm", ".gif")

#: Milliseconds per frame when playing, by default.
DURATION = 1200

_ANIMATE_OPTIONS = ("duration", "dpi", "grad")


def animate(output: Node, path: str | os.PathLike[str], *, duration: float = DURATION, dpi: float | None = None,
            grad: Any | None = None, **options: Any) -> Any:
    """Write the frames of ``viz.steps(output, grad, **options)`` to ``path``.

    The suffix picks the format: .html (the player page), .gif (an animated
    GIF, ``duration`` milliseconds per frame), or no suffix for a directory
    of PNG frames (frame-000.png, ...). ``dpi`` sets the resolution of GIF
    and PNG frames (default 96). Files are written atomically. Returns the
    path written.
    """
    path = Path(path)
    kind = _output_kind(path)
    _check_duration(duration)
    dpi = _check_dpi(dpi, kind)
    _check_writable(path, kind)
    walk = walkthrough(output, grad, what="animate", **options)
    if kind == "html":
        _write_atomic(path, page(walk, duration=duration).encode("utf-8"))
    elif kind == "gif":
        _write_atomic(path, _gif(walk, duration, dpi))
    else:
        path.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(_pngs(walk, dpi)):
            _write_atomic(path / f"frame-{number:03d}.png", data)
    return path


def player(output: Node, *, duration: float = DURATION, grad: Any | None = None, **options: Any) -> Any:
    """The step-by-step player of ``output``'s graph, shown inline in Jupyter (``Player``)."""
    _check_duration(duration)
    return Player(page(walkthrough(output, grad, what="player", **options), duration=duration))


class Player:
    """An HTML display object: Jupyter shows ``_repr_html_``, the page in a sandboxed frame.

    ``.html`` is the whole page; ``save(path)`` writes it.
    """

    def __init__(self, html_page: str) -> None:
        self.html = html_page

    def _repr_html_(self) -> str:
        height = _page_height(self.html)
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'style="width: 100%; height: {height}px; border: 0;" title="backprop step by step"></iframe>'
        )

    def save(self, path: str | os.PathLike[str]) -> Any:
        path = Path(path)
        _check_writable(path, "html")
        _write_atomic(path, self.html.encode("utf-8"))
        return path


# -- checks ------------------------------------------------------------------------------


def _output_kind(path: Any) -> str:
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return "html"
    if suffix == ".gif":
        return "gif"
    if suffix == "":
        return "png"
    raise ValueError(
        f"animate: cannot tell what to write from the suffix of {str(path)!r}; use .html (a player page), "
        ".gif, or a directory path without a suffix for PNG frames"
    )


def _check_duration(duration: Any) -> Any:
    if isinstance(duration, bool) or not isinstance(duration, (int, float)) or not 10 <= duration <= 60_000:
        raise ValueError(f"animate: duration is the milliseconds per frame, from 10 to 60000; got {duration!r}")


def _check_dpi(dpi: Any, kind: Any) -> Any:
    if dpi is None:
        return 96
    if kind == "html":
        raise ValueError("animate: dpi applies to .gif and PNG frames; a page is drawn as SVG")
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not 10 <= dpi <= 1200:
        raise ValueError(f"animate: dpi must be a number from 10 to 1200, got {dpi!r}")
    return dpi


def _check_writable(path: Any, kind: Any) -> Any:
    """Refuse, before any work, a path whose directory is missing or read-only."""
    directory = path if kind == "png" else path.parent
    while not directory.exists() and kind == "png" and directory != directory.parent:
        directory = directory.parent  # PNG frames: missing folders are created
    if not directory.is_dir():
        raise FileNotFoundError(f"cannot write {str(path)!r}: the directory {str(directory)!r} does not exist")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write {str(path)!r}: the directory {str(directory)!r} is not writable")
    if path.is_dir() and kind != "png":
        raise IsADirectoryError(f"cannot write {str(path)!r}: it is a directory")


def _write_atomic(path: Any, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``autograd.atomicfile``)."""
    with atomic_write(path) as file:
        file.write(data)


# -- frames as SVG, cut from one layout -----------------------------------------------------

_SEGMENT = re.compile(r"(?=<!-- )")
_TITLE = re.compile(r"<title>([^<]*)</title>")
_TEXT = re.compile(r"<text [^>]*>.*?</text>\n?", re.S)
_LABEL_NODE = re.compile(r"e\d+")
_FONT_ATTRIBUTE = f' font-family="{FONT}"'


def frame_svgs(walk: Any) -> Any:
    """The SVG of every frame of ``walk``, from one run of Graphviz."""
    svg = _pipe(walk.full(), "svg").decode("utf-8")
    svg = svg[svg.index("<svg") :].replace(_FONT_ATTRIBUTE, "")  # the page's style sets the font once
    pieces = _SEGMENT.split(svg)
    head, pieces = pieces[0], pieces[1:]
    keys = {item: item.key for item in walk.scene.items}
    edge_keys = {edge: f"e{index}" for index, edge in enumerate(walk.scene.edges)}
    variants: dict[str | None, Any] = {}  # node name -> {state: text}
    plain = []
    for piece in pieces:
        piece = piece[piece.index("-->") + 4 :] if piece.startswith("<!--") else piece  # drop the comment
        title = _TITLE.search(piece)
        name = html.unescape(title.group(1)) if title else None
        plain.append((name, piece))
        if name is not None and 'class="node"' in piece[:60]:
            variants[name] = _variants(name, piece)
    leaves = {item.key: item for item in walk.scene.items if item.total is not None}
    frames = []
    for step in walk.steps:
        highlighted = keys.get(step.item)
        totals = {item.key for item in totals_shown(walk.scene, step.grads)}
        values = {edge_keys[edge] for edge in step.values}
        grads = {edge_keys[edge] for edge in step.grads}
        parts = [head]
        for name, piece in plain:
            choices = variants.get(name)
            if choices is None:
                parts.append(piece)
            elif _LABEL_NODE.fullmatch(name):  # type: ignore[arg-type]  # a str: it has variants
                parts.append(choices[(name in values, name in grads)])
            elif name in leaves:
                parts.append(choices["plain" if name in totals else "no total"])
            else:
                parts.append(choices["highlighted" if name == highlighted else "plain"])
        frames.append("".join(parts))
    return frames


def _variants(name: Any, piece: Any) -> Any:
    if _LABEL_NODE.fullmatch(name):
        def keep(value: Any, grad: Any) -> Any:
            return _TEXT.sub(lambda found: found.group() if (grad if 'fill="red"' in found.group() else value) else "", piece)

        return {(value, grad): keep(value, grad) for value in (False, True) for grad in (False, True)}
    return {
        "plain": piece,
        "highlighted": piece.replace('fill="none"', f'fill="{HIGHLIGHT_COLOR}"', 1),
        "no total": _TEXT.sub(lambda found: "" if 'fill="red"' in found.group() else found.group(), piece),
    }


def _pipe(graph: Any, fmt: Any) -> Any:
    try:
        return graph.pipe(format=fmt)
    except DotNotFoundError:
        raise
    except Exception as error:  # a plain ExecutableNotFound, e.g. from a subclass
        if type(error).__name__ == "ExecutableNotFound":
            raise _dot_not_found(fmt) from None
        raise


# -- the page ----------------------------------------------------------------------------------

_STYLE = """\
body { font-family: Helvetica, Arial, sans-serif; margin: 12px; color: #222; background: white; }
.controls { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin: 6px 0; }
.controls input[type=range] { flex: 1 1 160px; }
#counter { font-variant-numeric: tabular-nums; min-width: 8em; }
#caption { min-height: 2.6em; margin: 4px 0 8px; font-size: 15px; }
#phase { color: #666; }
.frame svg { max-width: 100%; height: auto; }
.frame svg text { font-family: Helvetica, Arial, sans-serif; }
"""

_SCRIPT = """\
(function () {
  var frames = Array.prototype.slice.call(document.querySelectorAll(".frame"));
  var last = frames.length - 1, current = 0, timer = null;
  var slider = document.getElementById("slider"), play = document.getElementById("play");
  var duration = Number(document.body.getAttribute("data-duration"));
  function show(k) {
    k = Math.max(0, Math.min(last, k));
    frames[current].hidden = true;
    frames[k].hidden = false;
    current = k;
    slider.value = String(k);
    document.getElementById("counter").textContent = "frame " + k + " / " + last;
    document.getElementById("phase").textContent = frames[k].getAttribute("data-phase") + ": ";
    document.getElementById("caption-text").textContent = frames[k].getAttribute("data-caption");
  }
  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    play.textContent = "Play";
  }
  function start() {
    if (current >= last) { show(0); }
    play.textContent = "Pause";
    timer = setInterval(function () {
      if (current >= last) { stop(); } else { show(current + 1); }
    }, duration);
  }
  document.getElementById("previous").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(current + 1); });
  play.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
  slider.addEventListener("input", function () { stop(); show(Number(slider.value)); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") { stop(); show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { stop(); show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { stop(); show(0); event.preventDefault(); }
    else if (event.key === "End") { stop(); show(last); event.preventDefault(); }
  });
  show(0);
})();
"""


def _hash(text: Any) -> Any:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


#: Nothing may be fetched; only the page's own script and style run.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; script-src {_hash(_SCRIPT)}; style-src {_hash(_STYLE)}; "
    "img-src 'none'; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'"
)


def page(walk: Any, *, duration: float = DURATION) -> Any:
    """The player page of a ``Walkthrough``: one self-contained HTML document."""
    title = walk.title or "backprop step by step"
    frames = []
    for number, (step, svg) in enumerate(zip(walk.steps, frame_svgs(walk))):
        frames.append(
            f'<div class="frame" id="frame-{number}" data-phase="{html.escape(step.phase)}" '
            f'data-caption="{html.escape(step.caption)}" hidden>\n{svg}</div>\n'
        )
    last = len(frames) - 1
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f'<body data-duration="{int(duration)}" data-frames="{len(frames)}">\n'
        '<div class="controls">\n'
        '<button type="button" id="previous" title="previous frame (←)">Previous</button>\n'
        '<button type="button" id="next" title="next frame (→)">Next</button>\n'
        '<button type="button" id="play">Play</button>\n'
        f'<input type="range" id="slider" min="0" max="{last}" value="0" step="1" aria-label="frame">\n'
        f'<span id="counter">frame 0 / {last}</span>\n</div>\n'
        '<p id="caption"><span id="phase"></span><span id="caption-text"></span></p>\n'
        + "".join(frames)
        + f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )


def _page_height(html_page: Any) -> Any:
    """Pixels for the frame showing the page: the picture's height and the controls."""
    found = re.search(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', html_page)
    return 150 + (math.ceil(float(found.group(2)) * 4 / 3) if found else 400)


# -- GIF and PNG frames ----------------------------------------------------------------------


def _pngs(walk: Any, dpi: Any) -> Any:
    for number in range(len(walk.steps)):
        frame = walk.frame(number)
        frame.graph_attr["dpi"] = str(dpi)
        yield _pipe(frame, "png")


def _gif(walk: Any, duration: Any, dpi: Any) -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("animate: writing a .gif needs Pillow: pip install pillow (or write .html)") from None
    images = [Image.open(io.BytesIO(data)).convert("RGB") for data in _pngs(walk, dpi)]
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    frames = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        frames.append(canvas.convert("P", palette=Image.Palette.ADAPTIVE, colors=64))
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=int(duration), loop=0,
        optimize=True, disposal=1,
    )
    return buffer.getvalue()
