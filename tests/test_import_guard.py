"""Importing autograd, nn or viz next to another distribution that owns the same name fails loudly.

Each test builds a throwaway site directory holding a fake foreign
distribution (its package folder and its .dist-info metadata, as pip leaves
them) and imports our packages in a fresh interpreter with that directory
on PYTHONPATH.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def fake_distribution(site, name, version, files, top_level=None):
    """Install a fake distribution into ``site``: ``files`` (paths relative to it) and its .dist-info."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    for relative in files:
        path = site / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"IMPORTED = {name!r}\nprint('imported the fake {name}')\n")
    record = [f"{relative},," for relative in files] + [f"{info.name}/METADATA,,", f"{info.name}/RECORD,,"]
    (info / "RECORD").write_text("\n".join(record) + "\n")
    if top_level is not None:
        (info / "top_level.txt").write_text("\n".join(top_level) + "\n")
    return info


def run_import(statement, *path, cwd):
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join(str(entry) for entry in path)
    return subprocess.run([sys.executable, "-c", statement], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env=env)


def last_line(result):
    return result.stderr.strip().splitlines()[-1]


def test_our_own_install_imports_cleanly_and_claims_every_name_alone(tmp_path):
    result = run_import("import autograd, nn, viz; from autograd import _guard; "
                        "print([_guard.foreign_owners(name) for name in _guard.PACKAGES])", ROOT, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[[], [], []]"


def test_a_foreign_autograd_with_top_level_txt_is_named_in_the_error(tmp_path):
    site = tmp_path / "site"
    fake_distribution(site, "autograd", "1.7.0", ["autograd/__init__.py", "autograd/numpy/__init__.py"],
                      top_level=["autograd"])
    result = run_import("import autograd", ROOT, site, cwd=tmp_path)  # ours first on the path
    assert result.returncode == 1
    message = last_line(result)
    assert message.startswith("ImportError: cannot import 'autograd' from backprop-graph: the installed "
                              "distribution 'autograd' 1.7.0 also provides a top-level package named 'autograd'")
    assert "virtual environment of its own" in message and "pip uninstall autograd" in message
    assert "imported the fake" not in result.stdout


def test_a_foreign_nn_known_only_from_its_record_is_named_in_the_error(tmp_path):
    site = tmp_path / "site"
    fake_distribution(site, "nn-toolkit", "0.3", ["nn/__init__.py", "nn/layers.py"])  # a wheel without top_level.txt
    result = run_import("import autograd, viz; import nn", ROOT, site, cwd=tmp_path)
    assert result.returncode == 1
    assert last_line(result).startswith("ImportError: cannot import 'nn' from backprop-graph: the installed "
                                        "distribution 'nn-toolkit' 0.3 also provides a top-level package named 'nn'")


def test_a_foreign_single_module_viz_is_named_in_the_error(tmp_path):
    site = tmp_path / "site"
    fake_distribution(site, "viz", "2.0", ["viz.py"])
    result = run_import("import viz", ROOT, site, cwd=tmp_path)
    assert result.returncode == 1
    assert "the installed distribution 'viz' 2.0 also provides a top-level package named 'viz'" in last_line(result)


def test_nn_and_viz_refuse_to_run_on_a_foreign_autograd_that_shadows_ours(tmp_path):
    site = tmp_path / "site"
    fake_distribution(site, "autograd", "1.7.0", ["autograd/__init__.py"], top_level=["autograd"])
    shadowed = run_import("import autograd; print(autograd.IMPORTED)", site, ROOT, cwd=tmp_path)
    assert shadowed.returncode == 0 and shadowed.stdout.splitlines()[-1] == "autograd"  # theirs wins: no code of ours runs
    for package in ("nn", "viz"):
        result = run_import(f"import {package}", site, ROOT, cwd=tmp_path)
        assert result.returncode == 1
        message = last_line(result)
        assert message.startswith(f"ImportError: cannot import '{package}' from backprop-graph: it needs "
                                  "backprop-graph's 'autograd', but the 'autograd' imported here is the "
                                  "distribution 'autograd' 1.7.0's (")
        assert str(site / "autograd" / "__init__.py") in message
        assert "virtual environment of its own" in message


def test_metadata_of_an_unrelated_distribution_beside_our_packages_is_not_a_clash(tmp_path):
    site = tmp_path / "site"
    fake_distribution(site, "helpers", "1.0", ["helpers/__init__.py", "helpers/autograd_tools.py"],
                      top_level=["helpers"])
    for name in ("autograd", "nn", "viz"):  # a directory that also holds packages of these names
        (site / name).mkdir()
    result = run_import("import autograd, nn, viz; print('ok')", ROOT, site, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("folder, expected", [
    ("HIPS_autograd-1.7.0.dist-info", "hips-autograd"),
    ("backprop_graph-0.1.0.dist-info", "backprop-graph"),
    ("backprop_graph.egg-info", "backprop-graph"),
    ("Backprop.Graph-0.1.dist-info", "backprop-graph"),
])
def test_metadata_folder_names_normalize_as_pip_compares_them(folder, expected):
    from autograd import _guard

    assert _guard._folder_distribution(folder) == expected
