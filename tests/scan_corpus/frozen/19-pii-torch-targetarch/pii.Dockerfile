# ========================================
# Redaction service (analyzer + anonymizer) on a single port (5001)
#
# ONE image also serves both fleets: the amd64 build ships CUDA torch, which
# falls back to CPU when no GPU is present, so the CPU tasks and the GPU tasks
# pull the same tag. (torch CUDA wheels bundle their own CUDA libs; the host
# only needs the nvidia driver + container runtime.)
# ========================================
FROM python:3.12-slim-bookworm AS base

WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends \
    build-essential curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*

COPY apps/redact/requirements.txt ./requirements.txt
RUN pip install -r requirements.txt

# --- GLiNER engine deps ---
# cu128's arch list keeps sm_75 (the fleet's T4s). CUDA 12.8 needs an NVIDIA
# driver >=525 via minor-version compatibility.
# arm64 takes the cpu index: no aarch64 cu128 wheel, and no arm64 target has a GPU.
ARG TORCH_VERSION=2.11.0
ARG TORCH_CUDA_INDEX_URL=https://download.pytorch.org/whl/cu128
ARG TORCH_CPU_INDEX_URL=https://download.pytorch.org/whl/cpu
ARG TARGETARCH
RUN case "${TARGETARCH}" in \
      amd64) torch_index="${TORCH_CUDA_INDEX_URL}" ;; \
      arm64) torch_index="${TORCH_CPU_INDEX_URL}" ;; \
      *) echo "unsupported TARGETARCH: ${TARGETARCH}" >&2; exit 1 ;; \
    esac && \
    pip install torch==${TORCH_VERSION} --index-url "${torch_index}"

COPY apps/redact/requirements-gliner.txt ./requirements-gliner.txt
RUN pip install -r requirements-gliner.txt

ENV HF_HOME=/opt/hf-cache
ARG GLINER_MODEL=urchade/gliner_multi_pii-v1
RUN python -c "from gliner import GLiNER; GLiNER.from_pretrained('${GLINER_MODEL}')"
ENV HF_HUB_OFFLINE=1

# Runs after every pip install: a cpu-only torch on amd64 would otherwise only
# show up as "torch.cuda.is_available() is False" on a GPU host.
RUN python -c "import torch; \
have = torch.version.cuda is not None; \
want = '${TARGETARCH}' == 'amd64'; \
assert have == want, f'{torch.__version__}: cuda build={have}, expected={want}'"

RUN groupadd -g 1001 redact && useradd -u 1001 -g redact redact && chown -R redact:redact /app
COPY --chown=redact:redact apps/redact/server.py apps/redact/engines.py ./
USER redact

EXPOSE 5001
CMD ["sh", "-c", "exec uvicorn server:app --host 0.0.0.0 --port 5001 --workers \"${WORKERS:-1}\""]
