import os
import logging
import numpy as np
import multiprocessing as mp
os.environ['CUDA_VISIBLE_DEVICES']=''
import tensorflow as tf
import sim_env
import policy_net
import traces


STATE_ROWS = 6
STATE_COLS = 8
N_ACTIONS = 6
ACTOR_LR = 0.0001
CRITIC_LR = 0.001
N_WORKERS = 16
SEED = 42
LOG_DIR = './results'
TRACE_DIR = './cooked_traces/'


def learner(param_queues, sample_queues):
    logging.basicConfig(filename=LOG_DIR + '/learner', level=logging.INFO)
    with tf.Session() as sess:
        actor = policy_net.Actor(sess, state_dim=[STATE_ROWS, STATE_COLS],
                                 action_dim=N_ACTIONS, learning_rate=ACTOR_LR)
        critic = policy_net.Critic(sess, state_dim=[STATE_ROWS, STATE_COLS],
                                   learning_rate=CRITIC_LR)
        sess.run(tf.global_variables_initializer())
        saver = tf.train.Saver()

        step = 0
        while True:
            actor_params = actor.get_network_params()
            critic_params = critic.get_network_params()
            for i in range(N_WORKERS):
                param_queues[i].put([actor_params, critic_params])

            actor_grads, critic_grads = [], []
            for i in range(N_WORKERS):
                s, a, r, done, info = sample_queues[i].get()
                a_g, c_g, _ = policy_net.compute_gradients(
                    np.stack(s), np.vstack(a), np.vstack(r), done, actor, critic)
                actor_grads.append(a_g)
                critic_grads.append(c_g)

            for i in range(len(actor_grads)):
                actor.apply_gradients(actor_grads[i])
                critic.apply_gradients(critic_grads[i])

            step += 1
            if step % 100 == 0:
                saver.save(sess, LOG_DIR + "/model_ep_" + str(step) + ".ckpt")


def worker(worker_id, times, bandwidths, param_queue, sample_queue):
    net_env = sim_env.Environment(times=times, bandwidths=bandwidths,
                                  seed=worker_id)
    with tf.Session() as sess:
        actor = policy_net.Actor(sess, state_dim=[STATE_ROWS, STATE_COLS],
                                 action_dim=N_ACTIONS, learning_rate=ACTOR_LR)
        critic = policy_net.Critic(sess, state_dim=[STATE_ROWS, STATE_COLS],
                                   learning_rate=CRITIC_LR)
        actor_params, critic_params = param_queue.get()
        actor.set_network_params(actor_params)
        critic.set_network_params(critic_params)
        while True:
            batch = net_env.rollout(actor)
            sample_queue.put(batch)
            actor_params, critic_params = param_queue.get()
            actor.set_network_params(actor_params)
            critic.set_network_params(critic_params)


def main():
    np.random.seed(SEED)
    if not os.path.exists(LOG_DIR):
        os.makedirs(LOG_DIR)

    param_queues = [mp.Queue(1) for _ in range(N_WORKERS)]
    sample_queues = [mp.Queue(1) for _ in range(N_WORKERS)]

    coordinator = mp.Process(target=learner, args=(param_queues, sample_queues))
    coordinator.start()

    times, bandwidths, _ = traces.load(TRACE_DIR)
    workers = [mp.Process(target=worker,
                          args=(i, times, bandwidths, param_queues[i], sample_queues[i]))
               for i in range(N_WORKERS)]
    for w in workers:
        w.start()

    coordinator.join()


if __name__ == '__main__':
    main()
