"""Model folders in the Hugging Face layout: the on-disk format, cards, and the local registry.

Reading and writing folders lives here; talking to the Hub (pull, push) lives in `hub/`.
"""

from genai_demo.folders.model_folder import (
    load_model_folder,
    read_model_config,
    save_model_folder,
)

__all__ = ["load_model_folder", "read_model_config", "save_model_folder"]
