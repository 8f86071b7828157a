# ========================================
# Redaction service (analyzer + anonymizer) on a single port (5001)
#
# ONE image serves both NER engines - the engine is a runtime choice via
# NER_ENGINE (spacy default | gliner). torch (CPU), the gliner package and
# the baked weights all ship in it.
#
# GPU variant (EC2-GPU fleet follow-up): same Dockerfile, CUDA torch wheels -
#   docker build --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 ...
# (torch CUDA wheels bundle their own CUDA libs; the host only needs the
# nvidia container runtime.)
# ========================================
FROM python:3.12-slim-bookworm AS base

WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends \
    build-essential curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*

COPY apps/redact/requirements.txt ./requirements.txt
RUN pip install -r requirements.txt

# --- GLiNER engine deps ---
# torch is pinned here because the CPU and CUDA builds install the same
# version from different wheel indexes.
ARG TORCH_VERSION=2.11.0
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
RUN pip install torch==${TORCH_VERSION} --index-url ${TORCH_INDEX_URL}

COPY apps/redact/requirements-gliner.txt ./requirements-gliner.txt
RUN pip install -r requirements-gliner.txt

ENV HF_HOME=/opt/hf-cache
ARG GLINER_MODEL=urchade/gliner_multi_pii-v1
RUN python -c "from gliner import GLiNER; GLiNER.from_pretrained('${GLINER_MODEL}')"
ENV HF_HUB_OFFLINE=1

RUN groupadd -g 1001 redact && useradd -u 1001 -g redact redact && chown -R redact:redact /app
COPY --chown=redact:redact apps/redact/server.py apps/redact/engines.py ./
USER redact

EXPOSE 5001
# NB for the gliner engine: each worker loads its own model copy (into GPU
# memory when on cuda), so GPU deployments generally want WORKERS=1 per GPU.
CMD ["sh", "-c", "exec uvicorn server:app --host 0.0.0.0 --port 5001 --workers \"${WORKERS:-1}\""]
