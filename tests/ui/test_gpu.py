import sys
import types

from genai_demo.ui.gpu import on_gpu


def test_without_spaces_the_decorator_changes_nothing():
    def handler(x):
        return x + 1

    assert "spaces" not in sys.modules
    assert on_gpu(60)(handler) is handler


def test_on_zerogpu_handlers_get_spaces_gpu_with_their_duration(monkeypatch):
    calls = []
    fake = types.ModuleType("spaces")
    fake.__spec__ = types.SimpleNamespace(name="spaces")

    def gpu(duration):
        calls.append(duration)
        return lambda function: ("wrapped", function)

    fake.GPU = gpu
    monkeypatch.setitem(sys.modules, "spaces", fake)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object() if name == "spaces" else None)

    def handler():
        return None

    assert on_gpu(120)(handler) == ("wrapped", handler)
    assert calls == [120]
