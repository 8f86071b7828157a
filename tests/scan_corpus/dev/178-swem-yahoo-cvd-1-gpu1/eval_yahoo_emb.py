# -*- coding: utf-8 -*-
"""
Simple word-embedding classifier, Yahoo Answers evaluation.
"""

import os
GPUID = 1
os.environ['CUDA_VISIBLE_DEVICES'] = str(GPUID)

import tensorflow as tf
import cPickle
import numpy as np
import sys

from model import emb_classifier
from utils import prepare_data_for_emb, get_minibatches_idx


class Options(object):
    def __init__(self):
        self.batch_size = 100
        self.maxlen = 305
        self.n_words = None
        self.embed_size = 300
        self.max_epochs = 20
        self.log_path = './log_yahoo'
        self.save_path = './save/yahoo_emb'


def main():
    opt = Options()
    loadpath = "./data/yahoo.p"
    x = cPickle.load(open(loadpath, "rb"))
    train, val, test = x[0], x[1], x[2]
    train_lab, val_lab, test_lab = x[3], x[4], x[5]
    opt.n_words = len(x[6])

    with tf.device('/gpu:1'):
        x_ = tf.placeholder(tf.int32, shape=[opt.batch_size, opt.maxlen])
        x_mask_ = tf.placeholder(tf.float32, shape=[opt.batch_size, opt.maxlen])
        keep_prob = tf.placeholder(tf.float32)
        y_ = tf.placeholder(tf.float32, shape=[opt.batch_size, 10])
        accuracy_, loss_, train_op, W_emb_ = emb_classifier(x_, x_mask_, y_, keep_prob, opt)

    config = tf.ConfigProto(log_device_placement=False, allow_soft_placement=True)
    config.gpu_options.allow_growth = True
    saver = tf.train.Saver()

    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        for epoch in range(opt.max_epochs):
            kf = get_minibatches_idx(len(train), opt.batch_size, shuffle=True)
            for _, train_index in kf:
                sents = [train[t] for t in train_index]
                x_labels = np.array([train_lab[t] for t in train_index]).reshape((len(train_index), 10))
                x_batch, x_batch_mask = prepare_data_for_emb(sents, opt)
                sess.run([train_op, loss_], feed_dict={x_: x_batch, x_mask_: x_batch_mask,
                                                       y_: x_labels, keep_prob: 0.5})
            saver.save(sess, opt.save_path)


if __name__ == '__main__':
    main()
