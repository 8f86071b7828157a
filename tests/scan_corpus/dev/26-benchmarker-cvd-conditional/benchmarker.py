# -*- coding: utf-8 -*-
"""Benchmark runner main module."""

import importlib
import ast
import os
from .util import sysinfo
from .util.io import save_json


def run(args, unknown_args):
    params = {}
    params["platform"] = sysinfo.get_sys_info()
    if args.framework is None:
        print("please choose one of the frameworks to evaluate")
        raise Exception

    params["framework"] = args.framework
    params["path_out"] = args.path_out

    if args.problem is None:
        print("choose a problem to run")
        raise Exception

    params["problem"] = {}
    params["problem"]["name"] = args.problem
    if args.problem_size is not None:
        params["problem"]["size"] = ast.literal_eval(args.problem_size)
    if args.batch_size is not None:
        params["batch_size"] = int(args.batch_size)
    os.environ["CUDA_VISIBLE_DEVICES"] = "-1"
    if args.gpus:
        os.environ["CUDA_VISIBLE_DEVICES"] = args.gpus
        params["gpus"] = list(map(int, args.gpus.split(",")))
    else:
        params["gpus"] = []

    params["nb_gpus"] = len(params["gpus"])

    if params["nb_gpus"] > 0:
        params["device"] = params["platform"]["gpus"][0]["brand"]
    else:
        params["device"] = params["platform"]["cpu"]["brand"] or "unknown CPU"

    params["path_out"] = os.path.join(params["path_out"], params["problem"]["name"])
    mod = importlib.import_module("benchrun.modules.do_" + params["framework"])
    benchmark = getattr(mod, 'Benchmark')(params, unknown_args)
    benchmark.run()
    save_json(params)
