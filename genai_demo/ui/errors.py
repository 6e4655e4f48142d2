"""Turning the package's user-facing errors into messages in the browser (and the API), and the
toasts the UI pops up, in the reader's language (`i18n.say`)."""

from __future__ import annotations

import contextlib
from typing import Iterator

import gradio as gr

from genai_demo.errors import GenaiDemoError
from genai_demo.ui.i18n import say


@contextlib.contextmanager
def shown_to_user(*also: type[Exception]) -> Iterator[None]:
    """Inside this block a GenaiDemoError (or one of `also`) becomes a gr.Error with its message,
    without a server-side traceback; anything else is a bug and keeps its traceback."""
    try:
        yield
    except (GenaiDemoError, *also) as error:
        raise shown_error(str(error)) from None


def shown_error(message: str) -> gr.Error:
    """The error to raise in a handler: a red toast with `message`, no server-side traceback."""
    return gr.Error(say(message), title=say("Error"), print_exception=False)


def warn(message: str) -> None:
    """A yellow toast (the handler goes on)."""
    gr.Warning(say(message), title=say("Warning"))


def inform(message: str) -> None:
    """A toast that says something went well (a long job ended)."""
    gr.Info(say(message), title=say("Info"))
