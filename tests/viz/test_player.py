"""Tests for ``viz.animate`` and ``viz.player``: the page, the GIF and the PNG frames."""

import html
import os
import re
import subprocess
import sys

import pytest

import viz
from autograd import Value
from viz.figures import apple_graph, sigmoid_graph
from viz.player import CONTENT_SECURITY_POLICY, frame_svgs
from viz.steps import walkthrough

Image = pytest.importorskip("PIL.Image", reason="Pillow is not installed (pip install -e '.[test]')")


def frames_of(page):
    return re.findall(r'<div class="frame" id="frame-(\d+)" data-phase="(\w+)" data-caption="([^"]*)" hidden>\n(<svg.*?</svg>)', page, re.S)


def test_the_page_holds_every_frame_inline_and_nothing_from_outside(tmp_path):
    path = viz.animate(sigmoid_graph(), tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    frames = frames_of(page)
    assert [int(number) for number, *_ in frames] == list(range(10))
    assert [html.unescape(caption) for _, _, caption, _ in frames][8] == "exp: upstream −0.3875 × exp(−0.5) = −0.235"
    assert f'content="{CONTENT_SECURITY_POLICY}"' in page and "default-src 'none'" in CONTENT_SECURITY_POLICY
    without_namespaces = re.sub(r'xmlns(:xlink)?="[^"]*"', "", page)
    assert not re.search(r"(src|href)\s*=|https?:|//[a-z]|@import|url\(", without_namespaces)
    for button in ("previous", "next", "play", "slider", "counter", "caption"):
        assert f'id="{button}"' in page
    # The gradient appears in red only in the backward frames, and the output's 1 first.
    red = [re.findall(r'fill="red">([^<]*)<', svg) for *_, svg in frames]
    assert all(texts == [] for texts in red[:5]) and red[5] == ["1"] and "0.235" in red[9]


def shared_leaf_graph():
    x, w = Value(2.0, name="x"), Value(5.0, name="w")
    return x * w + x  # x's total gradient, 6, appears under it once both its shares are shown


@pytest.mark.parametrize("make", [apple_graph, shared_leaf_graph], ids=["apple", "shared-leaf"])
def test_the_frames_are_cut_from_one_layout_and_match_their_digraphs(make):
    walk = walkthrough(make())
    svgs = frame_svgs(walk)
    positions = [re.findall(r"<ellipse [^>]*>", svg) for svg in svgs]
    assert len({len(found) for found in positions}) == 1 and len(positions[0]) >= 2
    assert {re.sub(r'fill="[^"]*"', "", " ".join(found)) for found in positions} == {
        re.sub(r'fill="[^"]*"', "", " ".join(positions[0]))
    }
    for number, svg in enumerate(svgs):
        rendered = walk.frame(number, caption=False).pipe(format="svg").decode()
        texts = re.findall(r"<text ([^>]*)>([^<]*)</text>", rendered)
        hidden = ('fill="transparent"', 'fill="#fffffe"')  # Graphviz 2.43 writes transparent ink as #fffffe
        shown = [text for attributes, text in texts if not any(ink in attributes for ink in hidden) and text.strip()]
        assert [text for text in re.findall(r"<text [^>]*>([^<]*)</text>", svg) if text.strip()] == shown, number


def test_a_gif_with_one_image_per_frame_and_the_chosen_duration(tmp_path):
    path = viz.animate(sigmoid_graph(), tmp_path / "steps.gif", duration=700, dpi=48)
    with Image.open(path) as gif:
        assert gif.n_frames == 10
        assert gif.info["duration"] == 700 and gif.info.get("loop") == 0
        small = gif.size
    with Image.open(viz.animate(sigmoid_graph(), tmp_path / "big.gif", dpi=96)) as gif:
        assert gif.size[0] > 1.8 * small[0]


def test_png_frames_into_a_folder(tmp_path):
    folder = viz.animate(apple_graph(), tmp_path / "frames" / "apple", dpi=72)
    names = sorted(os.listdir(folder))
    assert names == [f"frame-{number:03d}.png" for number in range(6)]
    sizes = {Image.open(folder / name).size for name in names}
    assert len(sizes) == 1  # every frame the same size


def test_bad_paths_and_options_get_one_clear_error(tmp_path):
    y = sigmoid_graph()
    with pytest.raises(ValueError, match=r"suffix of .*steps\.svg.*\.html.*\.gif"):
        viz.animate(y, tmp_path / "steps.svg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        viz.animate(y, tmp_path / "missing" / "steps.html")
    with pytest.raises(ValueError, match="dpi applies to .gif"):
        viz.animate(y, tmp_path / "steps.html", dpi=100)
    with pytest.raises(ValueError, match="duration"):
        viz.animate(y, tmp_path / "steps.gif", duration=0)
    with pytest.raises(TypeError, match="animate: unknown option 'colapse'"):
        viz.animate(y, tmp_path / "steps.html", colapse=True)
    with pytest.raises(ValueError, match="animate: 'x' is a leaf"):
        viz.animate(Value(1.0, name="x"), tmp_path / "steps.html")
    (tmp_path / "folder.html").mkdir()
    with pytest.raises(IsADirectoryError):
        viz.animate(y, tmp_path / "folder.html")
    assert sorted(path.name for path in tmp_path.iterdir()) == ["folder.html"]  # nothing else written


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_a_read_only_directory_is_refused_before_any_work(tmp_path):
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="not writable"):
            viz.animate(sigmoid_graph(), tmp_path / "steps.html")
    finally:
        tmp_path.chmod(0o700)


def test_a_file_is_replaced_whole_and_no_temporary_is_left(tmp_path):
    path = tmp_path / "steps.html"
    path.write_text("old")
    viz.animate(apple_graph(), path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert os.listdir(tmp_path) == ["steps.html"]
    mask = os.umask(0o022)
    os.umask(mask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # as open() would have made it


def test_a_write_removes_the_temporaries_of_killed_writers_only(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()  # its process is gone: what it left is debris
    debris = tmp_path / f".steps.html.{child.pid}.abcdef.tmp"
    live = tmp_path / f".steps.html.{os.getppid()}.abcdef.tmp"  # a running writer's
    debris.write_text("half a page")
    live.write_text("half a page")
    viz.animate(apple_graph(), tmp_path / "steps.html")
    assert sorted(os.listdir(tmp_path)) == [live.name, "steps.html"]


def test_the_jupyter_player_is_the_page_in_a_sandboxed_frame():
    shown = viz.player(sigmoid_graph())
    text = shown._repr_html_()
    assert text.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in text and "width: 100%" in text
    assert html.unescape(re.search(r'srcdoc="([^"]*)"', text).group(1)) == shown.html
    assert len(frames_of(shown.html)) == 10


def test_a_two_layer_net_loss_as_a_page(tmp_path):
    import numpy as np

    import nn

    net = nn.TwoLayerNet(4, 3, 2, seed=0)
    loss = net(np.random.default_rng(0).normal(size=(2, 4)), np.array([0, 1]))
    page = viz.animate(loss, tmp_path / "net.html").read_text(encoding="utf-8")
    frames = frames_of(page)
    assert len(frames) == 10  # the graph, four layers forward, the 1, four layers back
    captions = [html.unescape(caption) for _, _, caption, _ in frames]
    assert captions[4].startswith("Softmax-with-Loss: softmax_cross_entropy(")
    assert captions[4].endswith(f"= {viz.format_number(float(loss.data))}")
    assert "× (softmax − one-hot labels) / batch size" in captions[6]
    assert "(to W1)" in captions[-1] and "(to b1)" in captions[-1]
