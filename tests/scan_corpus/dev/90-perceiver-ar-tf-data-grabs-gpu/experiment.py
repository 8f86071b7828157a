# python3
"""Jaxline experiment for an autoregressive sequence model."""

import functools
from typing import Mapping, Text

from absl import app
from absl import flags
import haiku as hk
import jax
import jax.numpy as jnp
from jaxline import base_config
from jaxline import experiment
from jaxline import platform
from jaxline import utils
from ml_collections import config_dict
import numpy as np
import optax
from seqmodel import data_pipeline
from seqmodel import network
import tensorflow as tf

FLAGS = flags.FLAGS

Scalars = Mapping[Text, jnp.ndarray]


def get_config(arg_string):
  """Returns the config for training."""
  config = base_config.get_base_config()
  config.train_batch_size = 2
  config.experiment_kwargs = config_dict.ConfigDict(
      dict(config=dict(
          batch_size_per_device=2,
          max_context_length=1024,
          learning_rate=3e-4)))
  return config


class Experiment(experiment.AbstractExperiment):
  """Sequence model experiment."""

  def __init__(self, mode, init_rng, config):
    super().__init__(mode=mode, init_rng=init_rng)
    self.config = config
    self._params = None
    self._opt_state = None
    self._train_input = None
    self._optimizer = optax.adam(config.learning_rate)
    self._update = jax.pmap(self._update_fn, axis_name='i', donate_argnums=(0, 1))

  def _forward(self, tokens, is_training):
    return network.Model(max_len=self.config.max_context_length)(tokens, is_training)

  def _loss(self, params, rng, batch):
    logits = hk.transform(self._forward).apply(params, rng, batch['inputs'], True)
    labels = jax.nn.one_hot(batch['targets'], logits.shape[-1])
    return -jnp.mean(jnp.sum(labels * jax.nn.log_softmax(logits), axis=-1))

  def _update_fn(self, params, opt_state, rng, batch):
    loss, grads = jax.value_and_grad(self._loss)(params, rng, batch)
    grads = jax.lax.pmean(grads, axis_name='i')
    updates, opt_state = self._optimizer.update(grads, opt_state, params)
    return optax.apply_updates(params, updates), opt_state, {'loss': loss}

  def step(self, global_step, rng, *unused_args, **unused_kwargs):
    if self._train_input is None:
      self._initialize_train()
    batch = next(self._train_input)
    self._params, self._opt_state, scalars = self._update(
        self._params, self._opt_state, rng, batch)
    return utils.get_first(scalars)

  def _initialize_train(self):
    self._train_input = utils.py_prefetch(self._build_train_input)
    if self._params is None:
      batch = next(self._train_input)
      init = jax.pmap(hk.transform(self._forward).init, axis_name='i')
      rng = utils.bcast_local_devices(self.init_rng)
      self._params = init(rng, batch['inputs'], True)
      self._opt_state = jax.pmap(self._optimizer.init)(self._params)

  def _build_train_input(self) -> tf.data.Dataset:
    ds = data_pipeline.load(
        split='train',
        batch_dims=[jax.local_device_count(), self.config.batch_size_per_device],
        max_context_length=self.config.max_context_length + 1)
    return ds.as_numpy_iterator()

  def evaluate(self, global_step, rng, **unused_kwargs):
    return {}


def main(argv, experiment_class):
  platform.main(experiment_class, argv)


if __name__ == '__main__':
  flags.mark_flag_as_required('config')
  app.run(lambda argv: main(argv, Experiment))
