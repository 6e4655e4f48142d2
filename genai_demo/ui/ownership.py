"""Who is asking: the logged-in user under --auth, else a random token this browser keeps in its
local storage; and whether they hold the admin token. Runs and user models belong to their starter."""

from __future__ import annotations

import hmac

import gradio as gr

from genai_demo.ui.state import AppState

OWNER_TOKEN_JS = """() => {
    let token = localStorage.getItem("genai-demo-train-owner");
    if (!token) {
        const bytes = crypto.getRandomValues(new Uint8Array(16));
        token = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
        localStorage.setItem("genai-demo-train-owner", token);
    }
    return token;
}"""


def owner_of(request: gr.Request | None, browser_token: str) -> str:
    """Who starts or stops a run: the logged-in user under --auth, else this browser's own token."""
    username = getattr(request, "username", None) if request is not None else None
    if username:
        return f"user:{username}"
    return f"browser:{browser_token}" if browser_token else ""


def is_admin(state: AppState, admin_token: str | None) -> bool:
    return bool(state.admin_token and admin_token and hmac.compare_digest(state.admin_token, admin_token))
