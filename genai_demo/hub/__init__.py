"""The Hugging Face Hub: pull models into the local registry, push model folders with their cards.

`load_model_folder` is re-exported here because model cards show `from genai_demo.hub import load_model_folder`.
"""

from genai_demo.folders.model_folder import (
    load_model_folder,
    read_model_config,
    save_model_folder,
)

__all__ = ["load_model_folder", "read_model_config", "save_model_folder"]
