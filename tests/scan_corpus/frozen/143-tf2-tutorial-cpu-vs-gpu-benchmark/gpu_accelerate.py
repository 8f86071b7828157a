import timeit

import tensorflow as tf

# Same matmul on both devices, to show how much faster the GPU is.
with tf.device('/cpu:0'):
    x_host = tf.random.normal([10000, 1000])
    w_host = tf.random.normal([1000, 2000])
    print(x_host.device, w_host.device)

with tf.device('/gpu:0'):
    x_dev = tf.random.normal([10000, 1000])
    w_dev = tf.random.normal([1000, 2000])
    print(x_dev.device, w_dev.device)


def matmul_on_cpu():
    with tf.device('/cpu:0'):
        return tf.matmul(x_host, w_host)


def matmul_on_gpu():
    with tf.device('/gpu:0'):
        return tf.matmul(x_dev, w_dev)


for label in ('warmup', 'run time'):
    t_cpu = timeit.timeit(matmul_on_cpu, number=10)
    t_gpu = timeit.timeit(matmul_on_gpu, number=10)
    print(label + ':', t_cpu, t_gpu)
