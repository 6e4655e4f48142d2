"""Model folders: save/load in the Hugging Face layout, the local registry, model cards."""

from genai_demo.hub.model_folder import load_model_folder, read_model_config, save_model_folder

__all__ = ["load_model_folder", "read_model_config", "save_model_folder"]
