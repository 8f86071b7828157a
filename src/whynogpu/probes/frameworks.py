"""The framework layer, static half: what each installed framework's build can do.

The `frameworks` probe reads build facts from installed files (no import anywhere): the TF
build_info, torch/version.py, the JAX CUDA plugins, the Keras version and the backend Keras
will pick. What the frameworks really do when imported is `frameworks_live` (frameworks_live.py).
"""

from __future__ import annotations

from whynogpu.facts.frameworks import FrameworkBuildFacts, JaxBuild, KerasSetup, TensorFlowBuild, TorchBuild  # noqa: F401 (the facts it makes)
from whynogpu.parsers.build_info import parse_build_info
from whynogpu.parsers.keras_config import choose_backend
from whynogpu.parsers.torch_version import parse_torch_version
from whynogpu.probes import Context, NotApplicable, probe
from whynogpu.probes.target import TargetFacts

JAX_PLUGIN_PREFIXES = ("jax-cuda", "jax_cuda")
def _major(version: str) -> int | None:
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _tensorflow(t: TargetFacts) -> TensorFlowBuild | None:
    if "tensorflow" not in t.packages:
        return None
    owner = t.owners.get("tensorflow")
    dist = t.dist(owner.owner) if owner and owner.owner else None
    dist = dist or t.dist("tensorflow") or t.dist("tensorflow-cpu") or t.dist("tf-nightly")
    text = t.files.get("tensorflow/python/platform/build_info.py")
    info = parse_build_info(text) if text else None
    return TensorFlowBuild(
        dist=dist.name if dist else "tensorflow",
        version=dist.version if dist else "",
        cuda_build=info.is_cuda_build if info else None,
        cuda_version=info.cuda_version if info else None,
        cudnn_version=info.cudnn_version if info else None,
        compute_capabilities=info.compute_capabilities if info else (),
    )


def _torch(t: TargetFacts) -> TorchBuild | None:
    d = t.dist("torch")
    if d is None:
        return None
    text = t.files.get("torch/version.py")
    b = parse_torch_version(text) if text else None
    version = (b.version if b and b.version else d.version) or ""
    return TorchBuild(version, b.cuda if b else None, b.hip if b else None, version.partition("+")[2],
                      cuda_build=bool(b.cuda) if b else None)


def _jax(t: TargetFacts) -> JaxBuild | None:
    d = t.dist("jax")
    if d is None:
        return None
    plugins = tuple(f"{p.name} {p.version}" for p in t.distributions
                    if p.name.lower().replace("_", "-").startswith(JAX_PLUGIN_PREFIXES))
    majors = [int(ch) for p in plugins for ch in [p.split("cuda", 1)[1][:2]] if ch.isdigit()]
    jaxlib = t.dist("jaxlib")
    return JaxBuild(d.version, jaxlib.version if jaxlib else None, plugins, max(majors) if majors else None)


def _keras(ctx: Context, t: TargetFacts) -> KerasSetup | None:
    d = t.dist("keras")
    if d is None:
        return None
    env = ctx.host.env()
    major = _major(d.version)
    choice = choose_backend(env, ctx.host.user().home, ctx.host.read_text, major)
    tfk = t.dist("tf-keras")
    return KerasSetup(d.version, major, choice.backend, choice.source, choice.config_path, choice.config_exists,
                      tfk.version if tfk else None, env.get("TF_USE_LEGACY_KERAS") in ("true", "True", "1"))


# Before cuda_libs (45): the CUDA library search starts from these build facts.
@probe("frameworks", facts=FrameworkBuildFacts, order=42, layer="frameworks")
def gather_framework_builds(ctx: Context) -> FrameworkBuildFacts:
    t = ctx.get(TargetFacts)
    if t is None:
        raise NotApplicable("the target interpreter could not be inspected")
    return FrameworkBuildFacts(_tensorflow(t), _torch(t), _jax(t), _keras(ctx, t))
