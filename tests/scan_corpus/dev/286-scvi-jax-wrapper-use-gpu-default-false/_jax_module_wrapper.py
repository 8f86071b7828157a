from typing import Any, Dict

import flax
import jax
import jax.numpy as jnp
from flax.core import FrozenDict
from flax.training import train_state
from jax import random

from scvi.utils._jax import device_selecting_PRNGKey

from ._base_module import JaxBaseModuleClass


class TrainStateWithBatchNorm(train_state.TrainState):
    batch_stats: FrozenDict[str, Any]


class JaxModuleWrapper:
    def __init__(
        self,
        module_cls: JaxBaseModuleClass,
        seed: int = 0,
        use_gpu: bool = False,
        **module_kwargs,
    ) -> None:
        self.module_cls = module_cls
        self.module_kwargs = module_kwargs
        self._module = self._get_module()
        self._train_module = None
        self._eval_module = None
        self._train_state = None

        self.use_gpu = use_gpu
        self.key_fn = device_selecting_PRNGKey(use_gpu=self.use_gpu)
        self.seed_rng = self.key_fn(seed)
        self._set_rngs()

    @property
    def device(self):
        return self.seed_rng.device()

    @property
    def module(self):
        return self._module

    def _get_module(self, kwargs=None):
        kwargs = (
            self.module_kwargs if kwargs is None else {**self.module_kwargs, **kwargs}
        )
        return self.module_cls(**kwargs)

    def train(self):
        if self._train_module is None:
            self._train_module = self._get_module(dict(is_training=True))
        self._module = self._train_module

    @property
    def rngs(self) -> Dict[str, jnp.ndarray]:
        return self._split_rngs()

    def _set_rngs(self):
        required = self.module.required_rngs
        keys = random.split(self.seed_rng, num=len(required) + 1)
        self.seed, module_rngs = keys[0], keys[1:]
        self._rngs = {k: module_rngs[i] for i, k in enumerate(required)}

    def _split_rngs(self):
        new_rngs = {}
        ret_rngs = {}
        for k, v in self._rngs.items():
            new_rngs[k], ret_rngs[k] = random.split(v)
        self._rngs = new_rngs
        return ret_rngs
