# Text recognition training script (PyTorch), trimmed rewrite.

import os

os.environ['USE_TORCH'] = '1'

import logging
import multiprocessing as mp
import numpy as np
import torch
from torchvision.transforms import Normalize
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler
from torch.optim.lr_scheduler import CosineAnnealingLR

from ocrlib.models import recognition
from ocrlib.datasets import RecognitionDataset, VOCABS


def fit_one_epoch(model, train_loader, batch_transforms, optimizer, scheduler):
    model.train()
    for images, targets in train_loader:

        if torch.cuda.is_available():
            images = images.cuda()
        images = batch_transforms(images)

        train_loss = model(images, targets)['loss']

        optimizer.zero_grad()
        train_loss.backward()
        optimizer.step()
        scheduler.step()


@torch.no_grad()
def evaluate(model, val_loader, batch_transforms):
    model.eval()
    val_loss, batch_cnt = 0, 0
    for images, targets in val_loader:
        if torch.cuda.is_available():
            images = images.cuda()
        images = batch_transforms(images)
        out = model(images, targets, return_preds=True)
        val_loss += out['loss'].item()
        batch_cnt += 1
    return val_loss / batch_cnt


def main(args):

    if not isinstance(args.workers, int):
        args.workers = min(16, mp.cpu_count())

    torch.backends.cudnn.benchmark = True

    val_set = RecognitionDataset(os.path.join(args.val_path, 'images'),
                                 os.path.join(args.val_path, 'labels.json'))
    val_loader = DataLoader(val_set, batch_size=args.batch_size, num_workers=args.workers,
                            sampler=SequentialSampler(val_set), pin_memory=True,
                            collate_fn=val_set.collate_fn)

    batch_transforms = Normalize(mean=(0.694, 0.695, 0.693), std=(0.299, 0.296, 0.301))

    model = recognition.__dict__[args.model](pretrained=args.pretrained, vocab=VOCABS['french'])

    if isinstance(args.resume, str):
        checkpoint = torch.load(args.resume, map_location='cpu')
        model.load_state_dict(checkpoint)

    # GPU
    if isinstance(args.device, int):
        if not torch.cuda.is_available():
            raise AssertionError("PyTorch cannot access your GPU. Please investigate!")
        if args.device >= torch.cuda.device_count():
            raise ValueError("Invalid device index")
    # Silent default switch to GPU if available
    elif torch.cuda.is_available():
        args.device = 0
    else:
        logging.warning("No accessible GPU, targe device set to CPU.")
    if torch.cuda.is_available():
        torch.cuda.set_device(args.device)
        model = model.cuda()

    if args.test_only:
        print(evaluate(model, val_loader, batch_transforms))
        return

    train_set = RecognitionDataset(os.path.join(args.train_path, 'images'),
                                   os.path.join(args.train_path, 'labels.json'))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, drop_last=True,
                              num_workers=args.workers, sampler=RandomSampler(train_set),
                              pin_memory=True, collate_fn=train_set.collate_fn)

    optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], args.lr)
    scheduler = CosineAnnealingLR(optimizer, args.epochs * len(train_loader))

    min_loss = np.inf
    for epoch in range(args.epochs):
        fit_one_epoch(model, train_loader, batch_transforms, optimizer, scheduler)
        val_loss = evaluate(model, val_loader, batch_transforms)
        if val_loss < min_loss:
            torch.save(model.state_dict(), f"./{args.model}.pt")
            min_loss = val_loss


def parse_args():
    import argparse
    parser = argparse.ArgumentParser(description='training script for text recognition (PyTorch)')
    parser.add_argument('train_path', type=str)
    parser.add_argument('val_path', type=str)
    parser.add_argument('model', type=str)
    parser.add_argument('--epochs', type=int, default=10)
    parser.add_argument('-b', '--batch_size', type=int, default=64)
    parser.add_argument('--device', default=None, type=int, help='device')
    parser.add_argument('--lr', type=float, default=0.001)
    parser.add_argument('-j', '--workers', type=int, default=None)
    parser.add_argument('--resume', type=str, default=None)
    parser.add_argument("--test-only", dest='test_only', action='store_true')
    parser.add_argument('--pretrained', dest='pretrained', action='store_true')
    return parser.parse_args()


if __name__ == "__main__":
    args = parse_args()
    main(args)
