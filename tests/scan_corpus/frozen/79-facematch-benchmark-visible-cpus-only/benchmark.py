import os
import sys
import datetime

import cv2
import numpy as np
import tensorflow as tf
from tensorflow.keras.models import load_model

sys.path.append("../assets")
import helpers

# Keep TensorFlow to a single process for the timing comparison
cpus = tf.config.list_physical_devices(device_type='CPU')
tf.config.set_visible_devices(cpus)
tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)

cascade = cv2.CascadeClassifier('../assets/frontal_cascade.xml')
net = load_model("../assets/bbox_net.h5")


def box_from_cascade(img):
    grey = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    found = cascade.detectMultiScale(grey, scaleFactor=1.1, minNeighbors=5)
    if len(found) == 0:
        return (-1, -1, -1, -1)
    x, y, w, h = found[0]
    return (x / img.shape[0], y / img.shape[1], (x + w) / img.shape[0], (y + h) / img.shape[1])


def box_from_net(img):
    small = cv2.cvtColor(cv2.resize(img, (112, 112), interpolation=cv2.INTER_CUBIC), cv2.COLOR_BGR2RGB)
    small = (small / 255.0)[np.newaxis, :, :, :]
    x1, y1, w, h = net.predict(small)[0]
    return (x1, y1, x1 + w, y1 + h)


def time_method(method, paths):
    start = datetime.datetime.now()
    for p in paths:
        method(cv2.imread(p))
    return datetime.datetime.now() - start


def run():
    paths = helpers.list_files('../assets/faces')
    print("cascade time = " + str(time_method(box_from_cascade, paths)))
    print("cnn time = " + str(time_method(box_from_net, paths)))


run()
