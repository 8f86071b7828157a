# coding: utf-8
import argparse
import math
import time
import torch
import torch.nn as nn

import data
from model import RNNModel, TransformerModel

parser = argparse.ArgumentParser(description='Word-level language model (RNN / Transformer)')
parser.add_argument('--data', type=str, default='./data/wikitext-2')
parser.add_argument('--model', type=str, default='LSTM')
parser.add_argument('--emsize', type=int, default=200)
parser.add_argument('--nhid', type=int, default=200)
parser.add_argument('--nlayers', type=int, default=2)
parser.add_argument('--lr', type=float, default=20)
parser.add_argument('--clip', type=float, default=0.25)
parser.add_argument('--epochs', type=int, default=40)
parser.add_argument('--batch_size', type=int, default=20)
parser.add_argument('--bptt', type=int, default=35)
parser.add_argument('--dropout', type=float, default=0.2)
parser.add_argument('--seed', type=int, default=1111)
parser.add_argument('--save', type=str, default='model.pt')
parser.add_argument('--accel', action='store_true',
                    help='Enables accelerated training')
args = parser.parse_args()

torch.manual_seed(args.seed)

if args.accel and torch.accelerator.is_available():
    device = torch.accelerator.current_accelerator()

else:
    device = torch.device("cpu")

print("Using device:", device)

corpus = data.Corpus(args.data)


def batchify(data, bsz):
    nbatch = data.size(0) // bsz
    data = data.narrow(0, 0, nbatch * bsz)
    return data.view(bsz, -1).t().contiguous().to(device)


train_data = batchify(corpus.train, args.batch_size)
ntokens = len(corpus.dictionary)
if args.model == 'Transformer':
    model = TransformerModel(ntokens, args.emsize, 2, args.nhid, args.nlayers, args.dropout).to(device)
else:
    model = RNNModel(args.model, ntokens, args.emsize, args.nhid, args.nlayers, args.dropout).to(device)
criterion = nn.NLLLoss()


def train(lr):
    model.train()
    hidden = model.init_hidden(args.batch_size) if args.model != 'Transformer' else None
    for i in range(0, train_data.size(0) - 1, args.bptt):
        seq_len = min(args.bptt, len(train_data) - 1 - i)
        x, y = train_data[i:i + seq_len], train_data[i + 1:i + 1 + seq_len].view(-1)
        model.zero_grad()
        if hidden is None:
            output = model(x).view(-1, ntokens)
        else:
            hidden = tuple(h.detach() for h in hidden) if isinstance(hidden, tuple) else hidden.detach()
            output, hidden = model(x, hidden)
        loss = criterion(output, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)


lr = args.lr
for epoch in range(1, args.epochs + 1):
    t0 = time.time()
    train(lr)
    print(f"epoch {epoch} took {time.time() - t0:.1f}s")
with open(args.save, 'wb') as f:
    torch.save(model, f)
