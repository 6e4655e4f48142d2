"""genai-demo: a Gradio playground and model hub for small generative models."""

__version__ = "0.1.0"
