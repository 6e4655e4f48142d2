"""The messages the app can show a person, read from its source: the text of every error raised for
the user (a `GenaiDemoError` subclass), of every `say(...)`, `gr.Info/Warning/Error(...)` in the UI,
of a training job's message and of a comparison's progress. An f-string becomes a template with numbered holes ("{0} must be a whole number"), the form the
Chinese catalogue (`genai_demo/ui/translations_zh_messages.py`) is keyed by.

Run it to list the templates that have no translation yet: `PYTHONPATH=. python tests/ui/message_templates.py`.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import dataclass
from pathlib import Path

import genai_demo
from genai_demo import errors

PACKAGE = Path(genai_demo.__file__).parent
USER_ERRORS = {name for name, value in vars(errors).items()
               if inspect.isclass(value) and issubclass(value, errors.GenaiDemoError)}
# Errors a module defines for the user (subclasses of the ones above, e.g. HubPushError).
USER_ERRORS |= {"HubPushError", "TrainingDivergedError"}
UI_CALLS = {"say", "Info", "Warning", "Error", "shown_error", "warn", "inform"}
# Calls of the core whose argument at this position is a message the UI shows (through `say`).
MESSAGE_ARGUMENTS = {"_end": 2, "report": 2}  # a job's end (jobs.py), a comparison's progress (evaluation.py)


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    template: str | None  # None: the text is not a literal or an f-string (it passes a message on)


def _template(node: ast.AST, constants: dict[str, ast.AST]) -> str | None:
    """The template of a string expression: literals kept (braces doubled), each value a numbered hole;
    a name of a module-level string constant stands for its text."""
    holes = 0

    def walk(node: ast.AST) -> str | None:
        nonlocal holes
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value.replace("{", "{{").replace("}", "}}")
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    parts.append("{%d}" % holes)
                    holes += 1
                else:
                    parts.append(walk(value) or "")
            return "".join(parts)
        if isinstance(node, ast.Name) and node.id in constants:
            return walk(constants[node.id])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = walk(node.left), walk(node.right)
            return None if left is None or right is None else left + right
        return None

    text = walk(node)
    return text


def _called_name(call: ast.Call) -> str | None:
    function = call.func
    return function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) else None


def sites(package: Path = PACKAGE) -> list[Site]:
    """Every place in the package that hands a person a message."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        where = str(path.relative_to(package.parent))
        constants = {target.id: statement.value for statement in tree.body if isinstance(statement, ast.Assign)
                     for target in statement.targets if isinstance(target, ast.Name)}
        in_ui = path.parent.name == "ui"
        for node in ast.walk(tree):
            texts = []
            if isinstance(node, ast.Call):
                name = _called_name(node)
                if node.args and (name in USER_ERRORS or in_ui and name in UI_CALLS):
                    texts.append(node.args[0])
                elif name in MESSAGE_ARGUMENTS and len(node.args) > MESSAGE_ARGUMENTS[name]:
                    texts.append(node.args[MESSAGE_ARGUMENTS[name]])
            elif isinstance(node, ast.Assign):  # job.message = "…", or job.state, job.message = "…", "…"
                for target in node.targets:
                    pairs = zip(target.elts, node.value.elts) if isinstance(target, ast.Tuple) and \
                        isinstance(node.value, ast.Tuple) else [(target, node.value)]
                    texts += [value for name, value in pairs if isinstance(name, ast.Attribute) and name.attr == "message"]
            for text in texts:
                if isinstance(text, ast.IfExp):  # either of two messages
                    texts += [text.body, text.orelse]
                    continue
                found.append(Site(where, node.lineno, _template(text, constants)))
    return found


def has_words(template: str) -> bool:
    """Whether a template says something itself ("{0}: {1}" only joins other texts)."""
    return re.search(r"[A-Za-z]", re.sub(r"\{\d+\}", "", template)) is not None


def templates(package: Path = PACKAGE) -> set[str]:
    """The message templates with words in them."""
    return {site.template for site in sites(package) if site.template is not None and has_words(site.template)}


if __name__ == "__main__":
    from genai_demo.ui.i18n import translate

    for site in sites():
        if site.template is not None and has_words(site.template) and translate(site.template) is None:
            print(f"{site.path}:{site.line}: {site.template!r}")
