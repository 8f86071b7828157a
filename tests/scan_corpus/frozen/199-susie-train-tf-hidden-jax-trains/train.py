import jax
import numpy as np
import tensorflow as tf
from absl import app, flags, logging
from jax.sharding import NamedSharding, PartitionSpec as P
from ml_collections import config_flags

FLAGS = flags.FLAGS

config_flags.DEFINE_config_file(
    "config",
    None,
    "File path to the hyperparameter configuration.",
    lock_config=False,
)


def main(_):
    config = FLAGS.config

    # prevent tensorflow from using GPUs
    tf.config.experimental.set_visible_devices([], "GPU")
    tf.random.set_seed(config.seed + jax.process_index())

    # get jax devices
    logging.info(f"JAX process: {jax.process_index()} of {jax.process_count()}")
    logging.info(f"Local devices: {jax.local_device_count()}")
    logging.info(f"Global devices: {jax.device_count()}")

    mesh = jax.sharding.Mesh(
        np.array(jax.devices()).reshape(*config.mesh),
        axis_names=["dp", "fsdp"],
    )
    data_sharding = NamedSharding(mesh, P(["dp", "fsdp"]))
    return data_sharding


if __name__ == "__main__":
    app.run(main)
