r"""
Comparison of SGD variants on a small CNN.
"""

from absl import flags

from timeit import default_timer as timer

import jax
import jax.numpy as jnp

from jaxopt import loss
from jaxopt import ArmijoSGD
from jaxopt import PolyakSGD
from jaxopt import OptaxSolver

import optax
from flax import linen as nn

import tensorflow_datasets as tfds
import tensorflow as tf


flags.DEFINE_integer("maxiter", 100, "Maximum number of iterations.")
flags.DEFINE_integer("batch_size", 128, "Batch-size.")
flags.DEFINE_integer("net_width", 4, "Width multiplier of network.")
flags.DEFINE_string("dataset", "fashion_mnist", "Dataset to train on.")

jax.config.update("jax_platform_name", "cpu")


def load_dataset(dataset, batch_size):
  train_ds, ds_info = tfds.load(f"{dataset}:3.*.*", split="train",
                                as_supervised=True, with_info=True)
  train_ds = train_ds.repeat().shuffle(10 * batch_size, seed=0).batch(batch_size)
  return tfds.as_numpy(train_ds), ds_info


class SmallCNN(nn.Module):
  num_classes: int
  width: int

  @nn.compact
  def __call__(self, x):
    x = nn.relu(nn.Conv(features=self.width, kernel_size=(3, 3))(x))
    x = nn.avg_pool(x, window_shape=(2, 2), strides=(2, 2))
    x = nn.relu(nn.Conv(features=self.width * 2, kernel_size=(3, 3))(x))
    x = x.reshape((x.shape[0], -1))
    return nn.Dense(features=self.num_classes)(x)


def main(argv):
  flags.FLAGS(argv)
  FLAGS = flags.FLAGS

  # Hide any GPUs from TensorFlow. Otherwise TF might reserve memory and make
  # it unavailable to JAX.
  tf.config.experimental.set_visible_devices([], 'GPU')

  train_ds, ds_info = load_dataset(FLAGS.dataset, FLAGS.batch_size)
  input_shape = (1,) + ds_info.features["image"].shape
  rng = jax.random.PRNGKey(0)
  net = SmallCNN(ds_info.features["label"].num_classes, FLAGS.net_width)

  xent = jax.vmap(loss.multiclass_logistic_loss)

  def loss_fun(params, data):
    inputs, labels = data
    logits = net.apply({"params": params}, inputs.astype(jnp.float32) / 255.)
    return jnp.mean(xent(labels, logits))

  def run_one(opt, name):
    params = net.init(rng, jnp.zeros(input_shape))["params"]
    it = iter(train_ds)
    state = opt.init_state(params, data=next(it))
    start = timer()
    for step, batch in zip(range(opt.maxiter + 1), it):
      params, state = opt.update(params, state, batch)
    print(f"{opt.maxiter + 1} iterations of {name} took {timer() - start:.2f}s")

  for opt, name in [
      (PolyakSGD(fun=loss_fun, maxiter=FLAGS.maxiter), "Polyak SGD"),
      (ArmijoSGD(fun=loss_fun, maxiter=FLAGS.maxiter), "Armijo SGD"),
      (OptaxSolver(fun=loss_fun, maxiter=FLAGS.maxiter,
                   opt=optax.rmsprop(learning_rate=1e-3)), "RMSProp"),
  ]:
    run_one(opt, name)


if __name__ == "__main__":
  import sys
  main(sys.argv)
