"""The README's pytest example, pasted into a file of its own and run by pytest as a reader would."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_pytest_example_passes(tmp_path):
    block = re.search(r"<!-- pytest-example -->\s*```python\n(.*?)```\s*<!-- /pytest-example -->", README.read_text(), re.DOTALL)
    assert block is not None, "README.md has no pytest example between its markers"
    (tmp_path / "test_example.py").write_text(block.group(1))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PYTEST_"))}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_the_proxy_example_runs():
    """docs/proxy.md's example: two participants texting through the pool, run as it is written."""
    doc = README.parent / "docs" / "proxy.md"
    block = re.search(r"<!-- proxy-example -->\s*```python\n(.*?)```\s*<!-- /proxy-example -->", doc.read_text(), re.DOTALL)
    assert block is not None, "docs/proxy.md has no example between its markers"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "PYTEST_"))}
    done = subprocess.run([sys.executable, "-c", block.group(1)], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
