import os
os.environ['CUDA_VISIBLE_DEVICES'] = '-1'
os.environ['TF_CPP_MIN_LOG_LEVEL'] = '3'
import tensorflow as tf
print("TF version:", tf.__version__)
print("CPUs:", len(tf.config.list_physical_devices('CPU')))
print("GPUs:", len(tf.config.list_physical_devices('GPU')))
