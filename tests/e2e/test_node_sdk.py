"""twilio-node (npm's ``twilio`` package) through the README's recipe, against a real server.

tests/node/recipe.test.js runs under Node's own test runner: it buys, updates, pages and pools
numbers, catches Twilio's error codes as ``RestException``, and checks with the region and edge
options and environment variables that every request the SDK made reached this server and none
was left on twilio.com. ``npm install`` puts the package into tests/node/node_modules (git-ignored)
once per session. The recipe in tests/node/recipe.js is the README's, character for character.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Server, one_server, unavailable

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / "tests" / "node"
README = ROOT / "README.md"
INSTALL = "apt-get install nodejs npm (Debian's packages; .ci/run installs them)"
PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def require_node() -> tuple[str, str]:
    """``node`` and ``npm``: a failure in CI when missing, a skip on a laptop."""
    node = shutil.which("node") or shutil.which("nodejs")
    npm = shutil.which("npm")
    missing = [name for name, path in (("node", node), ("npm", npm)) if not path]
    if missing:
        unavailable(f"no Node.js to run twilio-node with: missing {', '.join(missing)}; {INSTALL}")
    assert node and npm
    return node, npm


def _output(done: subprocess.CompletedProcess[str]) -> str:
    return f"exit {done.returncode}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"


@pytest.fixture(scope="session")
def node() -> str:
    """The ``node`` executable, with npm's ``twilio`` installed into tests/node/node_modules."""
    node, npm = require_node()
    with open(NODE_DIR / ".install-lock", "w") as lock:  # pytest-xdist's workers: one npm install at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--no-package-lock"], cwd=NODE_DIR,
                              capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, "npm install failed in tests/node:\n" + _output(done)
    return node


@pytest.fixture(scope="module")
def node_server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of its own on each database in turn (the session's ``backend``): the suite buys and
    lists the main account's numbers, which no other test may touch meanwhile."""
    yield from one_server(backend, tmp_path_factory)


def test_twilio_node_reaches_only_numberpool(node: str, node_server: Server) -> None:
    """By address and by name: the SDK would put a region or an edge into a name in numberpool's own
    next-page URLs (localhost.ie1.localhost), and the recipe must keep it out. One test for both, so
    that pytest-xdist never runs two ``npm install`` in tests/node at once."""
    # No TWILIO_* of the caller's (a region, an edge, real credentials) and no proxy for loopback.
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TWILIO_") and k.lower() not in PROXY_VARIABLES and k != "NODE_OPTIONS"}
    env.update(TWILIO_ACCOUNT_SID=node_server.account_sid, TWILIO_AUTH_TOKEN=node_server.auth_token,
               # localhost as 127.0.0.1, where the server listens (node 18 tries ::1 first, and only it)
               NODE_OPTIONS="--dns-result-order=ipv4first")
    tests = sorted(path.name for path in NODE_DIR.glob("*.test.js"))
    assert tests, f"no *.test.js in {NODE_DIR}"
    for host in ("127.0.0.1", "localhost"):
        env["NUMBERPOOL_URL"] = node_server.base_url.replace("127.0.0.1", host)
        try:
            done = subprocess.run([node, "--test", *tests], cwd=NODE_DIR, env=env, capture_output=True, text=True,
                                  timeout=300, check=False)
        except subprocess.TimeoutExpired as err:
            pytest.fail(f"node --test at {host} did not finish within {err.timeout} s:\n{err.stdout!r}\n{err.stderr!r}")
        assert done.returncode == 0, f"node --test at {env['NUMBERPOOL_URL']} failed:\n" + _output(done)


def test_the_readme_recipe_is_the_tested_one() -> None:
    block = re.search(r"<!-- node-recipe -->\s*```js\n(.*?)```\s*<!-- /node-recipe -->", README.read_text(), re.DOTALL)
    assert block is not None, "README.md has no twilio-node recipe between its markers"
    recipe = re.search(r"^// recipe:begin\n(.*?)^// recipe:end$", (NODE_DIR / "recipe.js").read_text(),
                       re.DOTALL | re.MULTILINE)
    assert recipe is not None, "tests/node/recipe.js has no recipe between its markers"
    assert block.group(1) == recipe.group(1)
