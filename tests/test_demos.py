"""The worked-example demos print the reference material's numbers."""

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def run_demo(name, *args):
    result = subprocess.run(
        [sys.executable, str(ROOT / "demos" / name), *args],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_apple_demo_prints_both_shopping_graphs():
    out = run_demo("apple.py")
    assert "price = 220.00000000000003" in out
    assert "price = 715.0000000000001" in out
    for line in ("apple         2.2", "apple_num     110.00000000000001", "tax           200.0",
                 "orange_num    165.0", "tax           650.0", "all_price     1.1"):
        assert line in out


def test_chain_rule_demo():
    out = run_demo("chain_rule.py")
    assert "dz/dx = 6.0" in out and "(2(x + y) = 6.0)" in out
    assert "df/dx1 = 8.0,  df/dx2 = 12.0" in out
    assert "sends back 6.5 to the 10-side and 13 to the 5-side" in out


def test_sigmoid_demo_agrees_four_nodes_and_one():
    out = run_demo("sigmoid.py", "0.5", "1.0")
    assert "dL/dy * y^2 * exp(-x)   = 0.235004" in out
    assert "y(1 - y) = 0.235004; backward gives 0.235004" in out
