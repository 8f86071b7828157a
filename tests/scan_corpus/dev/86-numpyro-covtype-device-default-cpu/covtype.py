"""
Logistic regression on a large tabular dataset with subsampling MCMC
(HMC with energy-conserving subsampling, plain HMC or NUTS).
"""

import argparse
import time

from jax import random
import jax.numpy as jnp

import numpyro
import numpyro.distributions as dist
from numpyro.examples.datasets import COVTYPE, load_dataset
from numpyro.infer import HMC, HMCECS, MCMC, NUTS


def load():
    _, fetch = load_dataset(COVTYPE, shuffle=False)
    x, y = fetch()
    x = (x - x.mean(0)) / x.std(0)
    x = jnp.hstack([x, jnp.ones((x.shape[0], 1))])
    _, counts = jnp.unique(y, return_counts=True)
    y = y == jnp.argmax(counts)
    return x, y


def model(x, y, subsample_size=None):
    w = numpyro.sample("w", dist.Normal(jnp.zeros(x.shape[1]), jnp.ones(x.shape[1])))
    with numpyro.plate("N", x.shape[0], subsample_size=subsample_size) as idx:
        numpyro.sample("obs", dist.Bernoulli(logits=jnp.dot(x[idx], w)), obs=y[idx])


def run(args, x, y):
    key = random.key(1)
    t0 = time.time()
    if args.algo == "HMCECS":
        kernel = HMCECS(NUTS(model), num_blocks=100)
        subsample = 1000
    elif args.algo == "HMC":
        kernel = HMC(model, trajectory_length=1.2, dense_mass=args.dense_mass)
        subsample = None
    else:
        kernel = NUTS(model, dense_mass=args.dense_mass)
        subsample = None
    mcmc = MCMC(kernel, num_warmup=args.num_warmup, num_samples=args.num_samples)
    mcmc.run(key, x, y, subsample)
    mcmc.print_summary(exclude_deterministic=False)
    print("\nMCMC elapsed time:", time.time() - t0)


def main(args):
    x, y = load()
    run(args, x, y)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="parse args")
    parser.add_argument("-n", "--num-samples", default=1000, type=int)
    parser.add_argument("--num-warmup", default=1000, type=int)
    parser.add_argument("--num-chains", nargs="?", default=1, type=int)
    parser.add_argument("--algo", default="HMCECS", type=str,
                        help='whether to run "HMC", "NUTS" or "HMCECS"')
    parser.add_argument("--dense-mass", action="store_true")
    parser.add_argument("--x64", action="store_true")
    parser.add_argument("--device", default="cpu", type=str, help='use "cpu" or "gpu".')
    args = parser.parse_args()

    numpyro.set_platform(args.device)
    numpyro.set_host_device_count(args.num_chains)
    if args.x64:
        numpyro.enable_x64()

    main(args)
