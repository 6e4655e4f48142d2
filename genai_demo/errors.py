"""Exceptions whose message is meant for the person using the app or the CLI.

The UI shows them as `gr.Error`, the CLI as one line on stderr with a non-zero exit; anything
else is a bug and keeps its traceback.
"""


class GenaiDemoError(Exception):
    """Base class: the message says what went wrong and what to do about it."""


class InvalidInputError(GenaiDemoError, ValueError):
    """A number, name or path given by the user is out of range or malformed."""


class ModelLoadError(GenaiDemoError):
    """A model folder is missing, incomplete, corrupt, or does not match its config."""


class DatasetError(GenaiDemoError):
    """A dataset cannot be found, read or converted."""


class CheckpointError(GenaiDemoError):
    """Resume state is missing or does not belong to the model beside it."""
