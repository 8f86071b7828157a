"""Package-wide defaults for tensors created by the reconstruction code."""
import torch
device = torch.device("cpu")
dtype = torch.float32
eps = 1e-11


def set_dtype(dt):
    global dtype, eps
    dtype = dt
    torch.set_default_dtype(dt)
    eps = 1e-5 if dt == torch.float16 else 1e-11


def set_device(d):
    global device
    device = d
