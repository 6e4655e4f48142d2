"""The UI takes every family list from the family registry: no module under genai_demo/ui names a family."""

import ast
from pathlib import Path

import pytest

from genai_demo.families import FAMILIES

UI = Path(__file__).resolve().parents[2] / "genai_demo" / "ui"


@pytest.mark.parametrize("module", sorted(UI.glob("*.py")), ids=lambda path: path.name)
def test_no_ui_module_spells_a_family_name(module):
    strings = [node for node in ast.walk(ast.parse(module.read_text())) if isinstance(node, ast.Constant)
               and isinstance(node.value, str) and node.value in FAMILIES]
    assert not strings, [f"{module.name}:{node.lineno} {node.value!r}" for node in strings]


def test_the_check_finds_a_family_name():
    assert [node.value for node in ast.walk(ast.parse('TYPES = ("dcgan", "vae-mnist")'))
            if isinstance(node, ast.Constant) and node.value in FAMILIES] == ["dcgan"]
