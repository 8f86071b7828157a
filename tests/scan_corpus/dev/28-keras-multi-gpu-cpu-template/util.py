from keras.layers import Dense, Dropout, PReLU
from keras.models import Sequential
from keras.optimizers import Adam
from keras.regularizers import l2
from keras.utils import multi_gpu_model
from keras import backend as K
import numpy as np
import pandas as pd
import tensorflow as tf

def create_custom_session():
	session_conf = tf.ConfigProto(allow_soft_placement=True)
	session_conf.gpu_options.per_process_gpu_memory_fraction = 0.5
	session_conf.gpu_options.allow_growth = True

	sess = tf.Session(config=session_conf)
	K.set_session(sess)
	return sess

def load_features(path):
	frame = pd.read_csv(path)
	x = frame.drop(['id', 'target_a', 'target_b'], axis=1)
	y = np.log1p(frame[['target_a', 'target_b']])
	return x, y

def build_net(loss='msle', layers=[16] * 128, lr=0.002, input_dim=None, output_dim=None, gpus=None):
	with tf.device('/cpu:0'):
		model = Sequential()

		model.add(Dense(layers.pop(0), input_dim=input_dim))
		model.add(PReLU())
		model.add(Dropout(0.1))

		for i, units in enumerate(layers):
			model.add(Dense(units, kernel_regularizer=l2(0.0001)))
			model.add(PReLU())
			model.add(Dropout(0.1))

		# output layer
		model.add(Dense(output_dim))
		model.add(PReLU())

	optimizer = Adam(lr=lr)

	if gpus != None and gpus > 1:
		model = multi_gpu_model(model, gpus=gpus)

	model.compile(optimizer=optimizer, loss=loss)

	return model
