"""The Playground tab: a 2D distribution, a family learning it live, and the numbers.

GAN Lab (Kahng et al. 2018) runs a GAN in the browser; this runs every family on the server with
the project's own losses, and measures coverage beside the picture. Each visitor has their own run
(keyed by Gradio's session), which Play trains and draws at several frames a second until Pause.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

import gradio as gr
import numpy as np

from genai_demo import limits
from genai_demo.data.toy2d import DATASETS, drawn, points_from_drawing, toy_dataset
from genai_demo.errors import InvalidInputError
from genai_demo.families import DIFFUSION, PLAYGROUND_FAMILIES, PLAYGROUND_GAN, playground_family
from genai_demo.training.playground import (
    DIFFUSION_STEPS, FAMILIES, PRESETS, Playground, PlaygroundConfig, preset,
)
from genai_demo.ui.errors import shown_to_user
from genai_demo.ui.i18n import say
from genai_demo.ui.playground_text import PLAYGROUND_HELP
from genai_demo.ui.playground_view import render_curves, render_frame
from genai_demo.ui.state import AppState, bind

DRAWN = "drawn"
NO_PRESET = "none"
FRAME_SECONDS = 0.18  # a frame at most every 0.18 s ...
FRAME_TRAINING_SECONDS = 0.14  # ... of which training takes at most this: with the drawing, >= 5 frames a second
TRAINING_CHUNK = 10
MEASURE_SECONDS = 1.0  # numbers once a second (a DDPM measure samples 100 steps: 0.1 s)
LIVE_MEASURE_SAMPLES = 1000
MAX_PLAY_SECONDS = 600  # an abandoned page frees its worker after 10 minutes
MAX_SESSIONS = 32
DEFAULT_SPEED = 100
DEFAULT_TIMESTEP = 10


@dataclass
class Session:
    playground: Playground
    started_from: tuple  # the settings that need a new run when they change
    playing: bool = False
    last_measured: float = 0.0
    last_update: str = ""
    rates: dict = field(default_factory=dict)  # steps/s and frames/s of the last Play


class Sessions:
    """One run per browser session; the oldest are dropped past MAX_SESSIONS."""

    def __init__(self):
        self._runs: dict[str, Session] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Session | None:
        with self._lock:
            return self._runs.get(key)

    def put(self, key: str, session: Session) -> None:
        with self._lock:
            self._runs.pop(key, None)
            self._runs[key] = session
            while len(self._runs) > MAX_SESSIONS:
                self._runs.pop(next(iter(self._runs)))

    def drop(self, key: str) -> None:
        with self._lock:
            self._runs.pop(key, None)


SESSIONS = Sessions()


def _key(request: gr.Request | None) -> str:
    return getattr(request, "session_hash", None) or "local"


def _drawing_points(drawing) -> np.ndarray:
    image = drawing.get("composite") if isinstance(drawing, dict) else drawing
    if image is None:
        raise InvalidInputError("draw the data on the canvas first (choose a dataset to use one of the built-in ones)")
    image = np.asarray(image)
    # Strokes are dark on a white or transparent canvas.
    dark = (image if image.ndim == 2 else image[..., :3].mean(-1)) < 128
    if image.ndim == 3 and image.shape[-1] == 4:
        dark &= image[..., 3] > 128
    return points_from_drawing(dark)


def build_session(preset_name, family, dataset, drawing, seed, learning_rate, discriminator_lr, n_critic,
                  penalty_weight) -> Session:
    """A new run from the form; a chosen preset of this family also brings what the form does not
    show (its EMA, batch size, latent size)."""
    chosen = PRESETS.get(preset_name or "")
    base = chosen.config if chosen is not None and chosen.config.family == family else PlaygroundConfig(family=family)
    config = replace(  # PlaygroundConfig checks each value against `limits`
        base, dataset=dataset, seed=seed, learning_rate=learning_rate,
        discriminator_lr=discriminator_lr if playground_family(family).adversarial else None, n_critic=n_critic,
        gradient_penalty_weight=penalty_weight)
    data = drawn(_drawing_points(drawing)) if dataset == DRAWN else toy_dataset(dataset)
    drawing_key = None if dataset != DRAWN else data.points_or_centres.tobytes()
    return Session(Playground(config, data), (preset_name, family, dataset, drawing_key, config.seed))


def _apply_live_settings(session: Session, learning_rate, discriminator_lr, n_critic, penalty_weight) -> None:
    """The rates, n_critic and λ change a run as it trains (GAN Lab's sliders do too)."""
    config = session.playground.config
    checked = PlaygroundConfig(family=config.family, learning_rate=learning_rate, discriminator_lr=discriminator_lr,
                               n_critic=n_critic, gradient_penalty_weight=penalty_weight)
    config.learning_rate, config.n_critic = checked.learning_rate, checked.n_critic
    config.gradient_penalty_weight = checked.gradient_penalty_weight
    optimizers = session.playground.optimizers
    for name, optimizer in optimizers.items():
        rate = checked.discriminator_lr if name == "discriminator" else checked.learning_rate
        for group in optimizer.param_groups:
            group["lr"] = rate
    if session.playground.family.adversarial:
        config.discriminator_lr = checked.discriminator_lr


def session_for(key: str, settings: tuple) -> Session:
    """The visitor's run, or a new one when there is none or the preset, dataset, family, drawing or
    seed changed."""
    learning_rate, discriminator_lr, n_critic, penalty_weight = settings[5:]
    current = SESSIONS.get(key)
    fresh = build_session(*settings) if current is None or _structure(current, settings) != current.started_from else None
    if fresh is not None:
        SESSIONS.put(key, fresh)
        fresh.playground.measure(LIVE_MEASURE_SAMPLES)
        return fresh
    _apply_live_settings(current, learning_rate, discriminator_lr, n_critic, penalty_weight)
    return current


def _structure(session: Session, settings: tuple) -> tuple:
    preset_name, family, dataset, drawing, seed = settings[:5]
    drawing_key = session.started_from[3]
    if dataset == DRAWN:
        try:
            drawing_key = drawn(_drawing_points(drawing)).points_or_centres.tobytes()
        except InvalidInputError:
            drawing_key = None
    return (preset_name, family, dataset, drawing_key, limits.SEED.check(seed))


def status_text(session: Session) -> str:
    playground = session.playground
    last = playground.history[-1] if playground.history else None
    parts = [say(f"step {playground.iteration:,}")]
    if session.last_update:
        parts.append(say(f"last update: {session.last_update}"))
    if last is not None:
        if last.modes_covered is not None:
            parts.append(say(f"modes covered {last.modes_covered}/{last.modes}"))
            parts.append(say(f"high quality {100 * last.high_quality:.0f}%"))
        parts.append(say(f"sliced Wasserstein {last.sliced_wasserstein:.3f}"))
    if playground.config.ema_decay:
        parts.append(say(f"numbers from an EMA of the weights ({playground.config.ema_decay:g})"))
    if session.rates:
        parts.append(say(f"{session.rates['steps_per_second']:.0f} steps/s, {session.rates['frames_per_second']:.1f} frames/s"))
    return "<div id='playground-status'>" + " · ".join(parts) + "</div>"


def _timestep(value) -> int:
    return limits.DIFFUSION_TIMESTEP.check(value)


def _outputs(session: Session, timestep, curves: bool = True) -> tuple:
    """The frame, the curves (or no change: they change only when measured) and the status line."""
    return (render_frame(session.playground, _timestep(timestep)),
            render_curves(session.playground) if curves else gr.update(), status_text(session))


def play(state: AppState, preset_name, family, dataset, drawing, seed, learning_rate, discriminator_lr, n_critic,
         penalty_weight, speed, timestep, request: gr.Request = None):
    """Train and draw until Pause (or MAX_PLAY_SECONDS): `speed` steps (fewer when they take longer
    than FRAME_TRAINING_SECONDS), then a frame, repeatedly."""
    with shown_to_user():
        session = session_for(_key(request), (preset_name, family, dataset, drawing, seed, learning_rate,
                                                 discriminator_lr, n_critic, penalty_weight))
        steps_per_frame = limits.STEPS_PER_FRAME.check(speed)
        timestep = _timestep(timestep)
    session.playing = True
    playground = session.playground
    began, first_step, frames = time.monotonic(), playground.iteration, 0
    try:
        while session.playing and time.monotonic() - began < MAX_PLAY_SECONDS:
            frame_began = time.monotonic()
            # `speed` steps, or as many as fit in the frame's training time: frames keep coming.
            trained = 0
            while trained < steps_per_frame and time.monotonic() - frame_began < FRAME_TRAINING_SECONDS:
                chunk = min(TRAINING_CHUNK, steps_per_frame - trained)
                playground.train(chunk)
                trained += chunk
            session.last_update = ""
            measured = time.monotonic() - session.last_measured >= MEASURE_SECONDS or frames == 0
            if measured:
                playground.measure(LIVE_MEASURE_SAMPLES)
                session.last_measured = time.monotonic()
            frames += 1
            elapsed = time.monotonic() - began
            session.rates = {"steps_per_second": (playground.iteration - first_step) / elapsed,
                             "frames_per_second": frames / elapsed}
            yield _outputs(session, timestep, curves=measured)
            # Not faster than FRAME_SECONDS a frame: the browser gets frames it can show.
            time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - frame_began)))
    finally:
        session.playing = False


def drop_session(request: gr.Request) -> None:
    """The page closed: its run goes (a Play still running ends at its next frame)."""
    session = SESSIONS.get(_key(request))
    if session is not None:
        session.playing = False
    SESSIONS.drop(_key(request))


def pause(request: gr.Request = None) -> None:
    session = SESSIONS.get(_key(request))
    if session is not None:
        session.playing = False


def step_once(state: AppState, preset_name, family, dataset, drawing, seed, learning_rate, discriminator_lr,
              n_critic, penalty_weight, timestep, request: gr.Request = None) -> tuple:
    """One single update (one D or G update for the GANs), measured and drawn."""
    with shown_to_user():
        session = session_for(_key(request), (preset_name, family, dataset, drawing, seed, learning_rate,
                                                 discriminator_lr, n_critic, penalty_weight))
        if session.playing:
            raise InvalidInputError("pause first: one step at a time works on a paused run")
        session.last_update = session.playground.update()
        session.playground.measure(LIVE_MEASURE_SAMPLES)
        return _outputs(session, timestep)


def reset(state: AppState, preset_name, family, dataset, drawing, seed, learning_rate, discriminator_lr, n_critic,
          penalty_weight, timestep, request: gr.Request = None) -> tuple:
    """A new run from the settings (the old one stops)."""
    with shown_to_user():
        old = SESSIONS.get(_key(request))
        if old is not None:
            old.playing = False
        session = build_session(preset_name, family, dataset, drawing, seed, learning_rate, discriminator_lr, n_critic,
                                penalty_weight)
        SESSIONS.put(_key(request), session)
        session.playground.measure(LIVE_MEASURE_SAMPLES)
        return _outputs(session, timestep)


def redraw(timestep, request: gr.Request = None):
    """A paused run drawn again (the DDPM's field at another t)."""
    session = SESSIONS.get(_key(request))
    if session is None or session.playing:
        return gr.update(), gr.update(), gr.update()
    with shown_to_user():
        return _outputs(session, timestep)


def family_controls(family: str, preset_name: str | None) -> tuple:
    """The controls that apply to `family`, holding the chosen preset's values when it is the
    preset's family (a preset sets the family, which lands here too), else the family's defaults
    (and no preset)."""
    chosen = PRESETS.get(preset_name or "")
    if chosen is not None and chosen.config.family == family:
        config, keep = chosen.config, gr.update()
        values = (config.learning_rate, config.discriminator_lr or 1e-3, config.n_critic, config.gradient_penalty_weight)
    else:
        defaults, keep = PLAYGROUND_FAMILIES.get(family, PLAYGROUND_GAN), NO_PRESET
        values = (defaults.learning_rate, defaults.discriminator_lr or 1e-3, defaults.n_critic, 10.0)
    record = PLAYGROUND_FAMILIES.get(family, PLAYGROUND_GAN)
    return (gr.Number(value=values[0]),
            gr.Number(value=values[1], visible=record.adversarial), gr.Number(value=values[2], visible=record.adversarial),
            gr.Number(value=values[3], visible=record.wasserstein), gr.Slider(visible=record.kind == DIFFUSION), keep)


def choose_preset(name: str) -> tuple:
    """A preset's settings and its explanation (NO_PRESET: leaves the settings as they are)."""
    if not name or name == NO_PRESET:
        return (gr.update(),) * 8 + ("",)
    chosen = preset(name)
    config = chosen.config
    return (config.family, config.dataset, config.seed, config.learning_rate, config.discriminator_lr or 1e-3,
            config.n_critic, config.gradient_penalty_weight, gr.update(visible=False),
            f"<div id='preset-explanation'>{say(chosen.explanation)}</div>")


# ---- Layout and wiring ----


@dataclass
class PlaygroundUI:
    preset: gr.Dropdown
    explanation: gr.HTML
    settings: list  # preset, family, dataset, drawing, seed, learning rate, D's rate, n_critic, λ
    speed: gr.Slider
    timestep: gr.Slider
    play_button: gr.Button
    pause_button: gr.Button
    step_button: gr.Button
    reset_button: gr.Button
    frame: gr.Image
    curves: gr.Image
    status: gr.HTML


def build_playground_layout() -> PlaygroundUI:
    gr.Markdown(PLAYGROUND_HELP)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            preset_choice = gr.Dropdown([NO_PRESET, *PRESETS], value=NO_PRESET, label="Preset", elem_id="playground-preset")
            explanation = gr.HTML("")
            family = gr.Dropdown(list(FAMILIES), value=PLAYGROUND_GAN.name, label="Family", elem_id="playground-family")
            dataset = gr.Dropdown([*DATASETS, DRAWN], value="ring8", label="Data", elem_id="playground-dataset")
            drawing = gr.Sketchpad(label="Draw the data (choose Data: drawn)", type="numpy", visible=False,
                                   canvas_size=(240, 240), layers=False, elem_id="playground-drawing")
            with gr.Row():
                seed = gr.Number(0, label="Seed", precision=0, minimum=0)
                speed = gr.Slider(1, 400, value=DEFAULT_SPEED, step=1, label="Steps per frame")
            with gr.Row():
                learning_rate = gr.Number(PLAYGROUND_GAN.learning_rate, label="Learning rate (the generator's)")
                discriminator_lr = gr.Number(PLAYGROUND_GAN.discriminator_lr, label="Discriminator learning rate")
            with gr.Row():
                n_critic = gr.Number(1, label="n_critic (D steps per G step)", precision=0, minimum=1, maximum=20)
                penalty_weight = gr.Number(10.0, label="λ (gradient penalty)", visible=False)
            timestep = gr.Slider(0, DIFFUSION_STEPS - 1, value=DEFAULT_TIMESTEP, step=1, visible=False,
                                 label="t of the denoising field (0: least noise)")
            with gr.Row():
                play_button = gr.Button("Play", variant="primary", elem_id="playground-play")
                pause_button = gr.Button("Pause", elem_id="playground-pause")
                step_button = gr.Button("Step", elem_id="playground-step")
                reset_button = gr.Button("Reset", elem_id="playground-reset")
        with gr.Column(scale=2):
            status = gr.HTML("<div id='playground-status'></div>")
            with gr.Row():
                frame = gr.Image(label="Data space", type="pil", format="png", interactive=False,
                                 elem_id="playground-frame", buttons=[])
                curves = gr.Image(label="Curves", type="pil", format="png", interactive=False,
                                  elem_id="playground-curves", buttons=[])
    settings = [preset_choice, family, dataset, drawing, seed, learning_rate, discriminator_lr, n_critic, penalty_weight]
    return PlaygroundUI(preset_choice, explanation, settings, speed, timestep, play_button, pause_button, step_button,
                        reset_button, frame, curves, status)


def wire_playground(state: AppState, ui: PlaygroundUI) -> None:
    _, family, dataset, drawing, seed, learning_rate, discriminator_lr, n_critic, penalty_weight = ui.settings
    outputs = [ui.frame, ui.curves, ui.status]
    family.change(family_controls, [family, ui.preset],
                  [learning_rate, discriminator_lr, n_critic, penalty_weight, ui.timestep, ui.preset],
                  queue=False, api_visibility="private")
    dataset.change(lambda name: gr.Sketchpad(visible=name == DRAWN), dataset, drawing, queue=False, api_visibility="private")
    ui.preset.change(choose_preset, ui.preset, [family, dataset, seed, learning_rate, discriminator_lr, n_critic,
                                                penalty_weight, drawing, ui.explanation], queue=False, api_visibility="private")
    playing = ui.play_button.click(bind(play, state), [*ui.settings, ui.speed, ui.timestep], outputs,
                                   api_name="playground_play", show_progress="hidden")
    # Pause only sets a flag the running loop checks: no queue, so it never waits behind a Play.
    ui.pause_button.click(pause, None, None, queue=False, api_name="playground_pause")
    ui.step_button.click(bind(step_once, state), [*ui.settings, ui.timestep], outputs, api_name="playground_step",
                         show_progress="hidden")
    ui.reset_button.click(bind(reset, state), [*ui.settings, ui.timestep], outputs, api_name="playground_reset",
                          show_progress="hidden")
    ui.timestep.release(redraw, ui.timestep, outputs, api_visibility="private", show_progress="hidden")
    del playing


def build_playground_tab(state: AppState, demo: gr.Blocks) -> None:
    ui = build_playground_layout()
    wire_playground(state, ui)
    demo.unload(drop_session)
