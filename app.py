"""genai-demo web app: `python app.py [--host H] [--port P] [--share] [--auth USER:PASSWORD] [--device D]`."""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import sys

# Start-up: importing gradio and torch and building the page leave some 300,000 objects that live as long
# as the app, and each full pass of Python's cyclic garbage collector over them costs a quarter of a
# second here; nine ran while the app started (1.0 s). The collector waits until the server is up, and
# `launch_app` then freezes those objects out of its later passes and turns it back on. (Only when run:
# a test that imports this module keeps its collector.)
if __name__ == "__main__":
    gc.disable()

# No network for analytics; must be set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# ZeroGPU: `spaces` patches torch.cuda when it is imported, and refuses to once CUDA is initialised;
# imported after torch, the app would pick the CPU and spend GPU quota computing there. So first.
if importlib.util.find_spec("spaces") is not None:
    import spaces  # noqa: F401


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve the genai-demo Gradio app.")
    parser.add_argument("--host", default=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
                        help="interface to listen on (default: 127.0.0.1; 0.0.0.0 for all)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("GRADIO_SERVER_PORT", "7860")),
                        help="port (default: 7860)")
    parser.add_argument("--share", action="store_true", help="also open a public gradio.live link")
    parser.add_argument("--auth", default=os.environ.get("GENAI_DEMO_AUTH"), metavar="USER:PASSWORD",
                        help="require this login for the page and the API (default: $GENAI_DEMO_AUTH, else none); "
                        "prefer the environment variable, which stays out of the process list")
    parser.add_argument("--device", default="auto", help="auto (default), cpu, cuda, cuda:N or mps")
    parser.add_argument("--admin-token", default=os.environ.get("GENAI_DEMO_ADMIN_TOKEN"), metavar="TOKEN",
                        help="whoever enters this token in the Train tab may stop or resume anyone's run "
                        "(default: $GENAI_DEMO_ADMIN_TOKEN, else no admin); prefer the environment variable")
    parser.add_argument("--read-only", action="store_true",
                        default=os.environ.get("GENAI_DEMO_READ_ONLY", "") not in ("", "0", "false"),
                        help="a demo for public links: generation only, no Train tab and no training endpoints "
                        "(default: $GENAI_DEMO_READ_ONLY)")
    parser.add_argument("--root-path", default=os.environ.get("GRADIO_ROOT_PATH"), metavar="PATH",
                        help="the URL prefix when served behind a reverse proxy, e.g. /genai (default: none)")
    parser.add_argument("--max-training-jobs", type=int, default=1, metavar="N",
                        help="training runs at once from the Train tab (default: 1 per device); the rest wait in a queue")
    return parser.parse_args(argv)


def parse_auth(text: str | None) -> tuple[str, str] | None:
    """`user:password` -> (user, password); the password may contain colons."""
    if not text:
        return None
    user, separator, password = text.partition(":")
    if not separator or not user or not password:
        raise ValueError("--auth / GENAI_DEMO_AUTH must be USER:PASSWORD with neither part empty")
    return user, password


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from genai_demo.device import resolve_device
    from genai_demo.errors import GenaiDemoError
    from genai_demo.ui.app import launch_app
    from genai_demo.ui.state import AppState

    try:
        device = resolve_device(args.device)
        auth = parse_auth(args.auth)
        if not 1 <= args.max_training_jobs <= 64:
            raise ValueError(f"--max-training-jobs must be from 1 to 64, got {args.max_training_jobs}")
    except (GenaiDemoError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    from genai_demo.folders.registry import user_models_dir
    from genai_demo.jobs import JobManager
    from genai_demo.ui.gpu import train_slices

    jobs = JobManager(user_models_dir(), max_running=args.max_training_jobs, slices=train_slices())
    state = AppState(device=device, jobs=jobs,
                     admin_token=args.admin_token or None, read_only=args.read_only)
    launch_app(state, host=args.host, port=args.port, share=args.share, auth=auth, root_path=args.root_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
