### no gpu?
import os

os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
####

import sys

sys.path.insert(0, "classes")
import tensorflow as tf
import keras
import numpy as np
from keras.models import load_model
from class_generator import Generator

### consts
test_path = 'C:/ML/Dataset/faces/'

N_channels = 3
N_images_per_class = None
batch_size = 1
image_shape = (72 * 3, 64 * 3)
N_classes = 7
X_shape = (batch_size, image_shape[0], image_shape[1], N_channels)
Y_shape = (batch_size, N_classes)

gen_test = Generator(test_path, X_shape, Y_shape, N_classes, N_channels, batch_size,
                     N_images_per_class=N_images_per_class)
N_data = gen_test.get_length_data()
test_gen = gen_test.flow_from_dir(set='test')

model = load_model("C:/ML/Models/Xception_faces_0.h5")

correct = 0
for i, (x, y) in enumerate(test_gen):
    pred = model.predict(x)
    correct += int(np.argmax(pred) == np.argmax(y))
    if i == N_data:
        break
print("accuracy:", correct / N_data)
