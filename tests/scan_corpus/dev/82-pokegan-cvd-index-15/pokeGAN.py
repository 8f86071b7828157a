# -*- coding: utf-8 -*-
# WGAN that generates new creature sprites

import os
import tensorflow as tf
import numpy as np
from helpers import *

IMG_H, IMG_W, IMG_C = 128, 128, 3
BATCH = 64
EPOCHS = 5000
os.environ['CUDA_VISIBLE_DEVICES'] = '15'
run_name = 'sprites_v2'


def load_images():
    folder = os.path.join(os.getcwd(), 'data')
    files = [os.path.join(folder, f) for f in os.listdir(folder)]
    paths = tf.convert_to_tensor(files, dtype=tf.string)
    queue = tf.train.slice_input_producer([paths])
    img = tf.image.decode_jpeg(tf.read_file(queue[0]), channels=IMG_C)
    img = tf.image.random_flip_left_right(img)
    img = tf.image.resize_images(img, [IMG_H, IMG_W])
    img.set_shape([IMG_H, IMG_W, IMG_C])
    img = tf.cast(img, tf.float32) / 255.0
    batch = tf.train.shuffle_batch([img], batch_size=BATCH, num_threads=4,
                                   capacity=200 + 3 * BATCH, min_after_dequeue=200)
    return batch, len(files)


def train():
    noise_dim = 100
    print(os.environ['CUDA_VISIBLE_DEVICES'])

    with tf.variable_scope('input'):
        real = tf.placeholder(tf.float32, shape=[None, IMG_H, IMG_W, IMG_C], name='real')
        noise = tf.placeholder(tf.float32, shape=[None, noise_dim], name='noise')
        training = tf.placeholder(tf.bool, name='training')

    fake = make_generator(noise, noise_dim, training)
    real_score = make_critic(real, training)
    fake_score = make_critic(fake, training, reuse=True)

    d_loss = tf.reduce_mean(fake_score) - tf.reduce_mean(real_score)
    g_loss = -tf.reduce_mean(fake_score)

    variables = tf.trainable_variables()
    d_vars = [v for v in variables if 'dis' in v.name]
    g_vars = [v for v in variables if 'gen' in v.name]
    d_step = tf.train.RMSPropOptimizer(learning_rate=2e-4).minimize(d_loss, var_list=d_vars)
    g_step = tf.train.RMSPropOptimizer(learning_rate=2e-4).minimize(g_loss, var_list=g_vars)
    clip = [v.assign(tf.clip_by_value(v, -0.01, 0.01)) for v in d_vars]

    images, n = load_images()
    sess = tf.Session()
    saver = tf.train.Saver()
    sess.run(tf.global_variables_initializer())
    sess.run(tf.local_variables_initializer())
    coord = tf.train.Coordinator()
    threads = tf.train.start_queue_runners(sess=sess, coord=coord)

    for epoch in range(EPOCHS):
        for _ in range(n // BATCH):
            z = np.random.uniform(-1.0, 1.0, size=[BATCH, noise_dim]).astype(np.float32)
            for _ in range(5):
                real_batch = sess.run(images)
                sess.run(clip)
                sess.run(d_step, feed_dict={noise: z, real: real_batch, training: True})
            sess.run(g_step, feed_dict={noise: z, training: True})
        if epoch % 50 == 0:
            saver.save(sess, './model/' + run_name + '/' + str(epoch))

    coord.request_stop()
    coord.join(threads)


if __name__ == "__main__":
    train()
