import tensorflow as tf

print(len(tf.config.list_physical_devices()))

with tf.device('CPU:0'):

    (x_tr, y_tr), (x_te, y_te) = tf.keras.datasets.mnist.load_data()
    x_tr, x_te = x_tr / 255, x_te / 255

    net = tf.keras.models.Sequential()
    net.add(tf.keras.layers.Flatten(input_shape=(28, 28)))
    for _ in range(3):
        net.add(tf.keras.layers.Dense(5024, activation='relu'))
        net.add(tf.keras.layers.Dropout(0.1))
    net.add(tf.keras.layers.Dense(10))

    net.compile(optimizer='adam',
                loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    net.fit(x_tr, y_tr, epochs=50)
