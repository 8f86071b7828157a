import sys

sys.path.insert(0, "classes")
import numpy as np
import tensorflow as tf

tf.compat.v1.disable_v2_behavior()
import keras

from class_model import SecModel
from class_generator import Generator
from class_utils import get_Xception, add_classes_to_model

from keras.models import load_model
import os

# os.environ["CUDA_VISIBLE_DEVICES"] = "-1"

## paths
train_path = 'C:\\ML\\Dataset\\faces\\'
new_model_name = 'Xception_videoframes_1'
save_model_path = 'C:\\ML\\Models\\CNN\\'

## consts
N_channels = 3
batch_size = 32
image_shape = (160, 160)
N_classes = 8
X_shape = (batch_size, image_shape[0], image_shape[1], N_channels)
Y_shape = (batch_size, N_classes)

gen = Generator(train_path, X_shape, Y_shape, N_classes, N_channels)
base = get_Xception(image_shape + (N_channels,))
model = add_classes_to_model(base, N_classes)
trainer = SecModel(model, gen)
trainer.train(epochs=50, save_path=save_model_path + new_model_name)
