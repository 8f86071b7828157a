### TensorFlow setup ###

import tensorflow as tf
tf.random.set_seed(7)

cpus = tf.config.list_physical_devices(device_type='CPU')
gpus = tf.config.list_physical_devices(device_type='GPU')
for gpu in gpus:
    try:
        tf.config.experimental.set_memory_growth(gpu, True)
        tf.config.set_logical_device_configuration(gpu, [tf.config.LogicalDeviceConfiguration(memory_limit=6500)])
    except RuntimeError as err:
        print(err)

#tf.config.set_visible_devices(cpus)
#tf.config.threading.set_inter_op_parallelism_threads(1)
#tf.config.threading.set_intra_op_parallelism_threads(16)
#tf.config.list_logical_devices()

### Project helpers ###

import os
import sys
sys.path.append("../../lib/")

from loaders import load_frames, make_box_generator
from nets import make_box_net
from runner import run_trial

trial = "plain_cnn"
root = "../../dataset/"

train_frame, val_frame = load_frames(os.path.join(root, "boxes.csv"), os.path.join(root, "splits.csv"))
train_gen = make_box_generator(train_frame, os.path.join(root, "images/"))
val_gen = make_box_generator(val_frame, os.path.join(root, "images/"))

net = make_box_net()
run_trial(net, trial, train_gen, val_gen, out_dir="../out/", tb_dir="../tb/")
