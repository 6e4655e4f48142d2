"""The Gradio app: one tab per file, assembled in app.py. The only package that imports gradio."""
