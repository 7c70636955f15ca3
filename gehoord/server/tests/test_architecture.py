"""The layers hold: `lint-imports` (run by `make test`) passes on the code as it is, and fails
when a lower app imports a higher one or one door imports another. Checked on a copy of the
package with the offending import written in, against the project's own contracts."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def copy(tmp_path):
    """A copy of the package's Python modules, to write a wrong import into."""
    shutil.copytree(ROOT / "gehoord", tmp_path / "gehoord", ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "corpus", "templates"))
    return tmp_path


def test_the_code_as_it_is_keeps_every_contract(copy):
    result = lint(copy)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # The complaint actions reaching up into the outgoing mail they tell through notices.
        ("complaints/wrong.py", "from gehoord.mail import outbound\n", "Layers only point down"),
        # An organisation's settings reaching into a door.
        ("organisations/wrong.py", "from gehoord.api import complaints\n", "Layers only point down"),
        # One door using another's code.
        ("desk/wrong.py", "from gehoord.portal import access\n", "The doors never import each other"),
    ],
)
def test_a_wrong_way_import_breaks_the_build(copy, module, wrong_import, broken):
    (copy / "gehoord" / module).write_text(wrong_import)

    result = lint(copy)

    assert result.returncode != 0
    assert f"{broken} BROKEN" in result.stdout
