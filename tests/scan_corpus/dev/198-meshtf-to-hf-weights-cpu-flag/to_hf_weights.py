# usage: python to_hf_weights.py --input-ckpt ./step_N --config ./cfg.json --output-path ./out --cpu
import argparse
import os

import jax
import jax.numpy as jnp
import numpy as np
import torch

# let XLA allocate device memory on demand instead of grabbing it all
os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] = "false"
os.environ["XLA_PYTHON_CLIENT_ALLOCATOR"] = "platform"

parser = argparse.ArgumentParser(
    description=(
        "Convert a sharded JAX checkpoint to PyTorch weights. "
        "Runs on TPU, or on GPU with a CUDA build of jaxlib."
    )
)
parser.add_argument("--input-ckpt", type=str, required=True)
parser.add_argument("--config", type=str, required=True)
parser.add_argument("--output-path", type=str, required=True)
parser.add_argument(
    "--cpu",
    action="store_true",
    help="Run the resharding on the CPU instead of the accelerator.",
)
parser.add_argument("--dtype", type=str, default="fp16")


def process_args(input_ckpt, config, output_path, dtype="fp16", cpu=False):
    np_dtype = np.float16
    torch_dtype = torch.float16
    if dtype == "fp32":
        np_dtype = np.float32
        torch_dtype = torch.float32

    # run jax on the cpu only when asked to
    if cpu:
        jax.config.update("jax_platform_name", "cpu")

    return input_ckpt, config, output_path, np_dtype, torch_dtype


def convert(input_ckpt, config, output_path, dtype="fp16", cpu=False):
    args = process_args(input_ckpt, config, output_path, dtype, cpu)
    x = jnp.ones((8, 8))
    return args, x.sum()


if __name__ == "__main__":
    a = parser.parse_args()
    convert(a.input_ckpt, a.config, a.output_path, a.dtype, a.cpu)
