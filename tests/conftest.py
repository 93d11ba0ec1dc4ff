"""Shared fixtures: the real knowledge base, and a scratch copy tests may break."""

import shutil
from pathlib import Path

import pytest
import yaml

from seeds.loader import KB_DIR, KnowledgeBase, load_kb


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_kb()


class KBCopy:
    """A writable copy of seeds/kb for tests that break one rule at a time."""

    def __init__(self, path: Path):
        self.path = path

    def read(self, file: str) -> dict:
        return yaml.safe_load((self.path / file).read_text(encoding="utf-8"))

    def write(self, file: str, data: dict) -> None:
        (self.path / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def edit(self, file: str, fn) -> None:
        data = self.read(file)
        fn(data)
        self.write(file, data)


@pytest.fixture
def kb_copy(tmp_path: Path) -> KBCopy:
    dst = tmp_path / "kb"
    shutil.copytree(KB_DIR, dst)
    return KBCopy(dst)
