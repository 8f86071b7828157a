"""Deep kernel learning on MNIST with a sparse variational GP (minimal rewrite)."""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F

import pyro
import pyro.contrib.gp as gp
import pyro.infer as infer
import pyro.optim as optim
from pyro.contrib.examples.util import get_data_loader


class FeatureNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = F.relu(self.fc1(x.view(-1, 320)))
        return self.fc2(x)


def train(args, loader, gpmodel, svi, epoch):
    for step, (data, target) in enumerate(loader):
        if args.cuda:
            data, target = data.cuda(), target.cuda()
        gpmodel.set_data(data, target)
        loss = svi.step()
        if step % args.log_interval == 0:
            print("epoch {} step {} loss {:.4f}".format(epoch, step, loss))


def main(args):
    loader = get_data_loader(dataset_name="MNIST", data_dir=args.data_dir,
                             batch_size=args.batch_size, is_training_set=True, shuffle=True)
    net = FeatureNet().cuda() if args.cuda else FeatureNet()

    def net_fn(x):
        return net(x.unsqueeze(1))

    kernel = gp.kernels.Warping(gp.kernels.RBF(input_dim=10), iwarping_fn=net_fn)
    Xu = next(iter(loader))[0][:args.num_inducing]
    likelihood = gp.likelihoods.MultiClass(num_classes=10)
    gpmodel = gp.models.VariationalSparseGP(X=Xu, y=None, kernel=kernel, Xu=Xu,
                                            likelihood=likelihood, latent_shape=torch.Size([10]))
    if args.cuda:
        gpmodel.cuda()

    svi = infer.SVI(gpmodel.model, gpmodel.guide, optim.Adam({"lr": args.lr}), infer.Trace_ELBO())
    for epoch in range(1, args.epochs + 1):
        train(args, loader, gpmodel, svi, epoch)


if __name__ == '__main__':
    parser = argparse.ArgumentParser(description='GP MNIST example')
    parser.add_argument('--data-dir', type=str, default='../data')
    parser.add_argument('--num-inducing', type=int, default=70)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--cuda', action='store_true', default=False,
                        help='enables CUDA training')
    parser.add_argument('--seed', type=int, default=1)
    parser.add_argument('--log-interval', type=int, default=10)
    args = parser.parse_args()

    pyro.set_rng_seed(args.seed)
    main(args)
