"""`bind`: a handler with the app state bound is still what Gradio needs to see."""

import inspect
import typing

import gradio as gr

from genai_demo.ui.state import bind


def handler(state: dict, name: str, request: gr.Request = None, progress=gr.Progress()) -> str:
    """Says hello."""
    return f"{state['greeting']} {name}"


def streaming(state: dict, count: int):
    yield from range(state["start"], state["start"] + count)


def test_the_bound_handler_drops_the_state_from_its_signature_and_keeps_its_hints():
    bound = bind(handler, {"greeting": "hello"})
    assert bound("ada") == "hello ada"
    assert list(inspect.signature(bound).parameters) == ["name", "request", "progress"]
    # Gradio injects gr.Request by type hint and gr.Progress by default value: both must still be visible.
    assert typing.get_type_hints(bound)["request"] is gr.Request
    assert isinstance(inspect.signature(bound).parameters["progress"].default, gr.Progress)
    assert (bound.__name__, bound.__doc__) == ("handler", "Says hello.")


def test_a_bound_generator_still_streams():
    bound = bind(streaming, {"start": 5})
    assert inspect.isgeneratorfunction(bound)  # Gradio streams only generator functions
    assert list(bound(3)) == [5, 6, 7]
