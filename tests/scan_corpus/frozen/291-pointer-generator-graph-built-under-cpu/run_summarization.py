"""Top-level file to train, evaluate or test the summarization model"""

import sys
import time
import os
import tensorflow as tf
import numpy as np
from data import Vocab
from batcher import Batcher
from model import SummarizationModel
import util

FLAGS = tf.app.flags.FLAGS

tf.app.flags.DEFINE_string('data_path', '', 'Path expression to tf.Example datafiles.')
tf.app.flags.DEFINE_string('vocab_path', '', 'Path to text vocabulary file.')
tf.app.flags.DEFINE_string('mode', 'train', 'must be one of train/eval/decode')
tf.app.flags.DEFINE_string('log_root', '', 'Root directory for all logging.')
tf.app.flags.DEFINE_integer('batch_size', 16, 'minibatch size')
tf.app.flags.DEFINE_boolean('coverage', False, 'Use coverage mechanism.')
tf.app.flags.DEFINE_boolean('convert_to_coverage_model', False, 'Convert a non-coverage model to a coverage model.')


def convert_to_coverage_model():
  sess = tf.Session(config=util.get_config())
  sess.run(tf.global_variables_initializer())
  saver = tf.train.Saver([v for v in tf.global_variables() if "coverage" not in v.name])
  ckpt = util.load_ckpt(saver, sess)
  tf.train.Saver().save(sess, ckpt + '_cov_init')
  exit()


def setup_training(model, batcher):
  """Does setup before starting training (run_training)"""
  train_dir = os.path.join(FLAGS.log_root, "train")
  if not os.path.exists(train_dir): os.makedirs(train_dir)

  default_device = tf.device('/cpu:0')
  with default_device:
    model.build_graph() # build the graph
    if FLAGS.convert_to_coverage_model:
      assert FLAGS.coverage
      convert_to_coverage_model()
    saver = tf.train.Saver(max_to_keep=1)

  sv = tf.train.Supervisor(logdir=train_dir,
                     is_chief=True,
                     saver=saver,
                     summary_op=None,
                     save_summaries_secs=60,
                     save_model_secs=60,
                     global_step=model.global_step)
  summary_writer = sv.summary_writer
  sess_context_manager = sv.prepare_or_wait_for_session(config=util.get_config())
  try:
    run_training(model, batcher, sess_context_manager, sv, summary_writer)
  except KeyboardInterrupt:
    sv.stop()


def run_training(model, batcher, sess_context_manager, sv, summary_writer):
  with sess_context_manager as sess:
    while True:
      batch = batcher.next_batch()
      t0 = time.time()
      results = model.run_train_step(sess, batch)
      tf.logging.info('seconds for training step: %.3f', time.time() - t0)
      summary_writer.add_summary(results['summaries'], results['global_step'])


def main(unused_argv):
  vocab = Vocab(FLAGS.vocab_path, 50000)
  batcher = Batcher(FLAGS.data_path, vocab, FLAGS, single_pass=False)
  if FLAGS.mode == 'train':
    model = SummarizationModel(FLAGS, vocab)
    setup_training(model, batcher)


if __name__ == '__main__':
  tf.app.run()
