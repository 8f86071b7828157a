import os
import numpy as np
import h5py
import tensorflow as tf
from tensorflow import keras
from keras.models import Sequential
from keras.layers import Conv3D
from keras.layers import ConvLSTM2D
from keras.layers import BatchNormalization
from keras.layers import LeakyReLU

try:
    # Disable all GPUS
    tf.config.set_visible_devices([], 'GPU')
    visible_devices = tf.config.get_visible_devices()
    for device in visible_devices:
        assert device.device_type != 'GPU'
except:
    # Invalid device or cannot modify virtual devices once initialized.
    pass


def load_sequences(folder, size):
    names = sorted(n for n in os.listdir(folder) if not n.startswith('.'))
    frames = np.zeros((len(names), 36, size[1], size[0]))
    for i, name in enumerate(names):
        with h5py.File(os.path.join(folder, name)) as f:
            frames[i] = np.array(f["frames"])[:36] / 255.0
    return frames


def build_model():
    model = Sequential()
    model.add(ConvLSTM2D(filters=64, kernel_size=(7, 7), input_shape=(18, 344, 315, 1),
                         padding='same', activation=LeakyReLU(alpha=0.01), return_sequences=True))
    model.add(BatchNormalization())
    model.add(ConvLSTM2D(filters=64, kernel_size=(3, 3), padding='same',
                         activation=LeakyReLU(alpha=0.01), return_sequences=True))
    model.add(Conv3D(filters=1, kernel_size=(3, 3, 3), activation='sigmoid', padding='same'))
    model.compile(loss='binary_crossentropy', optimizer='adam')
    return model


data = np.expand_dims(load_sequences('./data/raw_training/', (315, 344)), axis=-1)
x, y = data[:, :18], data[:, 18:]
model = build_model()
model.fit(x, y, batch_size=1, epochs=25, validation_split=0.1)
model.save('./model_saved')
