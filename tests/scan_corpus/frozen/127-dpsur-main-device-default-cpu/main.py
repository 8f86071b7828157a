import argparse

import torch

from algorithm.dp_sgd import DPSGD
from algorithm.dp_sur import DPSUR
from data.util.get_data import get_data
from model.get_model import get_model
from utils.dp_optimizer import get_dp_optimizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--algorithm', type=str, default="DPSGD", choices=['DPSGD', 'DPSUR'])
    parser.add_argument('--dataset_name', type=str, default="MNIST", choices=['MNIST', 'FMNIST', 'CIFAR-10', 'IMDB'])
    parser.add_argument('--lr', type=float, default=0.5)
    parser.add_argument('--momentum', type=float, default=0.9)

    parser.add_argument('--sigma_t', type=float, default=1.23)
    parser.add_argument('--C_t', type=float, default=0.1)
    parser.add_argument('--epsilon', type=float, default=3.0)
    parser.add_argument('--delta', type=float, default=1e-5)
    parser.add_argument('--batch_size', type=int, default=256)

    parser.add_argument('--device', type=str, default='cpu', choices=['cpu', 'cuda'])

    args = parser.parse_args()

    device = args.device

    train_data, test_data, dataset = get_data(args.dataset_name, augment=False)
    model = get_model(args.algorithm, args.dataset_name, device)
    optimizer = get_dp_optimizer(args.dataset_name, args.algorithm, args.lr, args.momentum,
                                 args.C_t, args.sigma_t, args.batch_size, model)

    if args.algorithm == 'DPSGD':
        result = DPSGD(train_data, test_data, model, optimizer, args.batch_size,
                       args.epsilon, args.delta, args.sigma_t, device)
    else:
        result = DPSUR(train_data, test_data, model, optimizer, args.batch_size,
                       args.epsilon, args.delta, args.sigma_t, device)
    print(result)


if __name__ == "__main__":
    main()
