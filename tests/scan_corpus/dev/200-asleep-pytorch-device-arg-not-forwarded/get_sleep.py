import argparse
import os

import numpy as np
import pandas as pd

import asleep.sleep_windows as sw
from asleep.utils import read
from asleep.sleepnet import start_sleep_net


def main():
    parser = argparse.ArgumentParser(
        description="Estimate sleep stages from wrist accelerometer data",
        add_help=True,
    )
    parser.add_argument("filepath", help="file to process")
    parser.add_argument("--outdir", "-o", default="outputs/")
    parser.add_argument(
        "--pytorch_device",
        "-d",
        help="Pytorch device to use, e.g.: 'cpu' or 'cuda:0' (for SSL only)",
        type=str,
        default='cpu')
    parser.add_argument("--model_weight_path", "-w", default=None)
    parser.add_argument("--local_repo_path", default="")
    args = parser.parse_args()

    data, info = read(args.filepath)
    acc, pids, windows = sw.get_sleep_windows(data, args)

    # the network runs with the default device of start_sleep_net
    y_pred, test_pids = start_sleep_net(
        acc, pids, args.outdir,
        args.model_weight_path, local_repo_path=args.local_repo_path)

    out = pd.DataFrame({"pid": test_pids, "pred": y_pred})
    out.to_csv(os.path.join(args.outdir, "predictions.csv"), index=False)


if __name__ == "__main__":
    main()
