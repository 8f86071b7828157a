import argparse, os
import torch
import numpy as np
from omegaconf import OmegaConf
from PIL import Image
from torch import autocast
from contextlib import nullcontext

from ldm.util import instantiate_from_config
from ldm.models.diffusion.ddim import DDIMSampler

torch.set_grad_enabled(False)


def load_model_from_config(config, ckpt, verbose=False):
    print(f"Loading model from {ckpt}")
    pl_sd = torch.load(ckpt, map_location="cpu")
    sd = pl_sd["state_dict"]
    model = instantiate_from_config(config.model)
    model.load_state_dict(sd, strict=False)

    model.cuda()
    model.eval()
    return model


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--prompt", type=str, default="a painting of a lighthouse at dusk")
    parser.add_argument("--ckpt", type=str, required=True)
    parser.add_argument("--config", type=str, default="configs/v2-inference.yaml")
    parser.add_argument("--outdir", type=str, default="outputs/txt2img-samples")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--n_samples", type=int, default=3)
    parser.add_argument("--H", type=int, default=512)
    parser.add_argument("--W", type=int, default=512)
    parser.add_argument("--precision", type=str, choices=["full", "autocast"], default="autocast")
    return parser.parse_args()


def main(opt):
    config = OmegaConf.load(f"{opt.config}")
    model = load_model_from_config(config, f"{opt.ckpt}")

    device = torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")
    model = model.to(device)

    sampler = DDIMSampler(model)

    os.makedirs(opt.outdir, exist_ok=True)
    data = [opt.n_samples * [opt.prompt]]
    shape = [4, opt.H // 8, opt.W // 8]

    precision_scope = autocast if opt.precision == "autocast" else nullcontext
    with torch.no_grad(), precision_scope("cuda"), model.ema_scope():
        for prompts in data:
            c = model.get_learned_conditioning(prompts)
            samples, _ = sampler.sample(S=opt.steps, conditioning=c,
                                        batch_size=opt.n_samples, shape=shape, verbose=False)
            x = model.decode_first_stage(samples)
            x = torch.clamp((x + 1.0) / 2.0, min=0.0, max=1.0)
            for i, img in enumerate(x):
                arr = 255. * img.cpu().numpy().transpose(1, 2, 0)
                Image.fromarray(arr.astype(np.uint8)).save(os.path.join(opt.outdir, f"{i:05}.png"))


if __name__ == "__main__":
    opt = parse_args()
    main(opt)
