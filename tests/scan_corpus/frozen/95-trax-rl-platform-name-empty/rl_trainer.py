r"""Trainer for RL environments (PPO).

Sample invocation:

    python trax/rl_trainer.py \
      --config_file=trax/rl/configs/ppo_cartpole.gin \
      --output_dir=${HOME}/ppo_cartpole
"""

from absl import app
from absl import flags
from absl import logging
import gin
import jax
from jax import config
from trax import fastmath
from trax import trainer_flags  # pylint: disable=unused-import
from trax.rl import task as rl_task
from trax.rl import training as light_trainers


FLAGS = flags.FLAGS


@gin.configurable(denylist=['output_dir'], module='trax')
def train_rl(output_dir, n_epochs=10000,
             light_rl_trainer=light_trainers.PolicyGradient):
  """Train the RL agent."""
  task = rl_task.RLTask()

  if FLAGS.jax_debug_nans:
    config.update('jax_debug_nans', True)

  if FLAGS.use_tpu:
    config.update('jax_platform_name', 'tpu')
  else:
    config.update('jax_platform_name', '')

  trainer = light_rl_trainer(task=task, output_dir=output_dir)
  try:
    logging.info('Starting RL training for %d epochs.', n_epochs)
    if FLAGS.jax_debug_nans or FLAGS.disable_jit:
      fastmath.disable_jit()
      with jax.disable_jit():
        trainer.run(n_epochs, n_epochs_is_total_epochs=True)
    else:
      trainer.run(n_epochs, n_epochs_is_total_epochs=True)
  finally:
    trainer.close()


def main(argv):
  del argv
  gin.parse_config_files_and_bindings(FLAGS.config_file, FLAGS.config or [])
  train_rl(output_dir=FLAGS.output_dir)


if __name__ == '__main__':
  app.run(main)
