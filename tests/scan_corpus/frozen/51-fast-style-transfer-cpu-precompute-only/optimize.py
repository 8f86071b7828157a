from __future__ import print_function
import functools
import time
import numpy as np
import tensorflow as tf

import vgg
import transform
from utils import get_img

STYLE_LAYERS = ('relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1')
CONTENT_LAYER = 'relu4_2'


def optimize(content_targets, style_target, content_weight, style_weight,
             tv_weight, vgg_path, epochs=2, batch_size=4,
             save_path='saver/fns.ckpt', learning_rate=1e-3):
    style_features = {}

    batch_shape = (batch_size, 256, 256, 3)
    style_shape = (1,) + style_target.shape

    # precompute style features
    with tf.Graph().as_default(), tf.device('/cpu:0'), tf.compat.v1.Session() as sess:
        style_image = tf.compat.v1.placeholder(tf.float32, shape=style_shape, name='style_image')
        net = vgg.net(vgg_path, vgg.preprocess(style_image))
        style_pre = np.array([style_target])
        for layer in STYLE_LAYERS:
            features = net[layer].eval(feed_dict={style_image: style_pre})
            features = np.reshape(features, (-1, features.shape[3]))
            style_features[layer] = np.matmul(features.T, features) / features.size

    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        X_content = tf.compat.v1.placeholder(tf.float32, shape=batch_shape, name="X_content")
        content_net = vgg.net(vgg_path, vgg.preprocess(X_content))
        content_target = content_net[CONTENT_LAYER]

        preds = transform.net(X_content / 255.0)
        net = vgg.net(vgg_path, vgg.preprocess(preds))

        content_loss = content_weight * 2 * tf.nn.l2_loss(net[CONTENT_LAYER] - content_target)

        style_losses = []
        for style_layer in STYLE_LAYERS:
            layer = net[style_layer]
            bs, height, width, filters = layer.get_shape()
            feats = tf.reshape(layer, (bs, height * width, filters))
            grams = tf.matmul(tf.transpose(a=feats, perm=[0, 2, 1]), feats) / (height * width * filters)
            style_gram = style_features[style_layer]
            style_losses.append(2 * tf.nn.l2_loss(grams - style_gram) / style_gram.size)
        style_loss = style_weight * functools.reduce(tf.add, style_losses) / batch_size

        loss = content_loss + style_loss

        train_step = tf.compat.v1.train.AdamOptimizer(learning_rate).minimize(loss)
        sess.run(tf.compat.v1.global_variables_initializer())
        for epoch in range(epochs):
            for start in range(0, len(content_targets) - batch_size + 1, batch_size):
                X_batch = np.zeros(batch_shape, dtype=np.float32)
                for j, img_p in enumerate(content_targets[start:start + batch_size]):
                    X_batch[j] = get_img(img_p, (256, 256, 3)).astype(np.float32)
                t0 = time.time()
                train_step.run(feed_dict={X_content: X_batch})
                print("batch time", time.time() - t0)
        tf.compat.v1.train.Saver().save(sess, save_path)
