#!/usr/bin/python
# -*- coding:utf-8 -*-
import sys
import argparse
import multiprocessing as mp

import torch

from pl_models import GraphVAEModel
from utils.chem_utils import molecule2smiles, get_property


def load_model(ckpt, gpus):
    if gpus == -1:
        loc = torch.device('cpu')
    else:
        loc = torch.device(f'cuda:{gpus}')
    model = GraphVAEModel.load_from_checkpoint(ckpt)
    model.to(loc)
    return model


def parallel(func, data, cpu):
    if cpu < 1:
        cpu = mp.cpu_count()
    pool = mp.Pool(cpu)
    res = pool.map(func, data)
    pool.close()
    return res


def sample_molecules(args):
    model = load_model(args.ckpt, args.gpus)
    model.eval()
    mols = []
    with torch.no_grad():
        for _ in range(args.n_samples):
            mols.append(model.sample_z(1, args.sample_method, temperature=args.temperature))
    smis = parallel(molecule2smiles, mols, args.cpus)
    with open(args.output_path, 'w') as fout:
        fout.write('\n'.join(smis))


def parse():
    parser = argparse.ArgumentParser(description='generate molecules')
    parser.add_argument('--ckpt', type=str, required=True, help='Path to checkpoint')
    parser.add_argument('--n_samples', type=int, default=1000,
                        help='Number of molecules to generate')
    parser.add_argument('--output_path', type=str, required=True,
                        help='Path to store smiles of generated molecules')
    parser.add_argument('--sample_method', type=str, default='gaussian',
                        help='Sampling method. Choices are [gaussian, uniform].')
    parser.add_argument('--cpus', type=int, default=-1,  # -1 for maxium of available cpu cores
                        help='Number of cpu cores to parallel generation')
    parser.add_argument('--gpus', type=int, default=-1,
                        help='Gpu number to use')
    parser.add_argument('--temperature', type=float, default=0.8,
                        help='Decoding temperature')
    parser.add_argument('--seed', type=int, default=2021)
    return parser.parse_args()


if __name__ == '__main__':
    args = parse()
    torch.manual_seed(args.seed)
    sample_molecules(args)
