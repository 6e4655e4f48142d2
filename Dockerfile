# genai-demo: serves the app on port 7860 as a non-root user (uid 1000, as Spaces requires).
#   docker build -t genai-demo .                  # CPU torch (a small image; Spaces cpu-basic)
#   docker build -t genai-demo-gpu --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 .
#   docker run --gpus all -p 7860:7860 genai-demo-gpu
# A Debian release, not a floating tag: a rebuild gets the same Debian packages' versions.
FROM python:3.11-slim-bookworm

# Which torch build: the CPU wheels by default; a CUDA index (cu126, cu128, ...) for GPU hosts.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    GRADIO_SERVER_NAME=0.0.0.0 \
    GRADIO_SERVER_PORT=7860

# Debian's Fashion-MNIST and fortune corpora (fortunes, tang-poems, song-ci): read when there; tini as
# PID 1, which passes `docker stop`'s SIGTERM on to the app (it saves running trainings, then exits).
RUN apt-get update \
    && apt-get install -y --no-install-recommends dataset-fashion-mnist fortunes fortunes-zh tini \
    && rm -rf /var/lib/apt/lists/*

RUN useradd --create-home --uid 1000 user
WORKDIR /home/user/app

# Dependencies first: these layers are reused until requirements.txt changes.
COPY --chown=1000 requirements.txt .
RUN pip install --index-url "$TORCH_INDEX_URL" "$(grep '^torch==' requirements.txt)" \
    && pip install -r requirements.txt

COPY --chown=1000 . .
USER 1000
EXPOSE 7860
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:7860/', timeout=4)"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["python", "app.py"]
