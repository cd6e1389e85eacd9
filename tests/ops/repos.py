"""Git repositories for the tests that plan a stack at a commit (ops diff, ops pr-comment)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT


def git(repo: Path, *args: str) -> str:
    identity = ("-c", "user.name=webstack tests", "-c", "user.email=tests@example.com")
    done = subprocess.run(["git", *identity, *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


def committed_copy_of_the_working_tree(destination: Path) -> Path:
    """A repository whose HEAD is this working tree as it is now (a clean tree, whatever is uncommitted here)."""
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (destination / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / name)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "snapshot")
    return destination
