import time
from typing import Any, NamedTuple, Tuple

import chex
import flax.linen as nn
import hydra
import jax

jax.config.update("jax_platform_name", "cpu")
import jax.numpy as jnp
import numpy as np
import optax
from omegaconf import DictConfig, OmegaConf


class QNetwork(nn.Module):
    hidden: int = 256

    @nn.compact
    def __call__(self, obs: chex.Array, act: chex.Array) -> chex.Array:
        x = jnp.concatenate([obs, act], axis=-1)
        x = nn.relu(nn.Dense(self.hidden)(x))
        x = nn.relu(nn.Dense(self.hidden)(x))
        return nn.Dense(1)(x)


def run_experiment(cfg: DictConfig) -> float:
    devices = jax.devices()
    n_devices = len(devices)

    key = jax.random.PRNGKey(cfg.system.seed)
    q_net = QNetwork()
    dummy_obs = jnp.zeros((1, cfg.env.obs_dim))
    dummy_act = jnp.zeros((1, cfg.env.act_dim))
    params = q_net.init(key, dummy_obs, dummy_act)
    opt = optax.adam(cfg.system.q_lr)
    opt_state = opt.init(params)

    # Distribute params and opt states across all devices
    params = jax.device_put_replicated(params, devices)
    opt_state = jax.device_put_replicated(opt_state, devices)

    def update(params, opt_state, batch):
        def loss_fn(p):
            q = q_net.apply(p, batch["obs"], batch["act"])
            return jnp.mean((q - batch["target"]) ** 2)

        loss, grads = jax.value_and_grad(loss_fn)(params)
        grads = jax.lax.pmean(grads, axis_name="device")
        updates, opt_state = opt.update(grads, opt_state)
        return optax.apply_updates(params, updates), opt_state, loss

    p_update = jax.pmap(update, axis_name="device")

    start_time = time.time()
    for _ in range(cfg.system.num_updates):
        batch = sample_batch(cfg, n_devices)
        params, opt_state, loss = p_update(params, opt_state, batch)
    sps = n_devices * cfg.system.num_updates / (time.time() - start_time)
    print(f"steps/s: {sps:.1f}")
    return float(np.mean(loss))


def sample_batch(cfg: DictConfig, n_devices: int) -> Any:
    rng = np.random.default_rng(0)
    shape = (n_devices, cfg.system.batch_size)
    return {
        "obs": rng.normal(size=shape + (cfg.env.obs_dim,)).astype(np.float32),
        "act": rng.normal(size=shape + (cfg.env.act_dim,)).astype(np.float32),
        "target": rng.normal(size=shape + (1,)).astype(np.float32),
    }


@hydra.main(config_path="../configs", config_name="default_ff_isac.yaml", version_base="1.2")
def hydra_entry_point(cfg: DictConfig) -> float:
    OmegaConf.set_struct(cfg, False)
    return run_experiment(cfg)


if __name__ == "__main__":
    hydra_entry_point()
