from keras.layers import Input, Dense, Convolution2D
from keras.layers import MaxPooling2D, AveragePooling2D
from keras.layers import Dropout, Flatten, merge, BatchNormalization
from keras import backend as K
from keras.models import Model
import tensorflow as tf
import numpy as np


def euc_loss3x(y_true, y_pred):
    lx = K.sqrt(K.sum(K.square(y_true[:,:] - y_pred[:,:]), axis=1, keepdims=True))
    return (1 * lx)

def euc_loss3q(y_true, y_pred):
    lq = K.sqrt(K.sum(K.square(y_true[:,:] - y_pred[:,:]), axis=1, keepdims=True))
    return (500 * lq)


def create_posenet(weights_path=None, tune=False):
    # creates the regressor from GoogLeNet (Inception v1)
    with tf.device('/cpu:0'):
        input = Input(shape=(224, 224, 3))

        conv1 = Convolution2D(64,7,7,subsample=(2,2),border_mode='same',activation='relu',name='conv1')(input)
        pool1 = MaxPooling2D(pool_size=(3,3),strides=(2,2),border_mode='same',name='pool1')(conv1)
        norm1 = BatchNormalization(axis=3, name='norm1')(pool1)
        conv2 = Convolution2D(192,3,3,border_mode='same',activation='relu',name='conv2')(norm1)
        pool2 = MaxPooling2D(pool_size=(3,3),strides=(2,2),border_mode='valid',name='pool2')(conv2)

        icp_out0 = Convolution2D(64,1,1,border_mode='same',activation='relu',name='icp_out0')(pool2)
        icp_out1 = Convolution2D(128,3,3,border_mode='same',activation='relu',name='icp_out1')(pool2)
        icp_out = merge([icp_out0, icp_out1],mode='concat',concat_axis=3,name='icp_out')

        pool3 = AveragePooling2D(pool_size=(7,7),strides=(1,1),border_mode='valid',name='pool3')(icp_out)
        flat = Flatten()(pool3)
        fc = Dense(2048,activation='relu',name='fc')(flat)
        drop = Dropout(0.5)(fc)
        xyz = Dense(3,name='xyz')(drop)
        wpqr = Dense(4,name='wpqr')(drop)

        posenet = Model(input=input, output=[xyz, wpqr])

    if tune:
        if weights_path:
            weights_data = np.load(weights_path).item()
            for layer in posenet.layers:
                if layer.name in weights_data.keys():
                    layer.set_weights(weights_data[layer.name])
            print("FINISHED SETTING THE WEIGHTS!")

    return posenet
