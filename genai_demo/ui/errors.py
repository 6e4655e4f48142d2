"""Turning the package's user-facing errors into messages in the browser (and the API)."""

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
        raise gr.Error(say(str(error)), print_exception=False) from None
