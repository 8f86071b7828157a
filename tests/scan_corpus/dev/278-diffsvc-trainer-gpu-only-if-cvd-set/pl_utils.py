import logging
import os

import torch
import torch.multiprocessing as mp
from torch.nn import DataParallel as DP
from torch.nn.parallel import DistributedDataParallel as DDP


class BaseTrainer:
    def __init__(self, logger=None, checkpoint_callback=None, max_updates=1000,
                 val_check_interval=2000, accumulate_grad_batches=1):
        self.logger = logger
        self.checkpoint_callback = checkpoint_callback
        self.max_updates = max_updates
        self.val_check_interval = val_check_interval
        self.accumulate_grad_batches = accumulate_grad_batches

        self.model = None
        self.optimizers = None
        self.lr_schedulers = []
        self.global_step = 0
        self.testing = False

        # allow int, string and gpu list
        self.data_parallel_device_ids = [
            int(x) for x in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if x != '']
        if len(self.data_parallel_device_ids) == 0:
            self.root_gpu = None
            self.on_gpu = False
        else:
            self.root_gpu = self.data_parallel_device_ids[0]
            self.on_gpu = True

        # distributed backend choice
        self.use_ddp = False
        self.use_dp = False
        self.single_gpu = False
        self.distributed_backend = 'ddp' if self.num_gpus > 0 else 'dp'
        self.set_distributed_mode(self.distributed_backend)

    @property
    def num_gpus(self):
        gpus = self.data_parallel_device_ids
        if gpus is None:
            return 0
        return len(gpus)

    def fit(self, model):
        if self.use_ddp:
            mp.spawn(self.ddp_train, nprocs=self.num_gpus, args=(model,))
        else:
            model.model = model.build_model()
            if not self.testing:
                self.optimizers, self.lr_schedulers = self.init_optimizers(model.configure_optimizers())
            if self.use_dp:
                model.cuda(self.root_gpu)
                model = DP(model, device_ids=self.data_parallel_device_ids)
            elif self.single_gpu:
                model.cuda(self.root_gpu)
            self.run_pretrain_routine(model)
        return 1

    def set_distributed_mode(self, distributed_backend):
        # skip for CPU
        if self.num_gpus == 0:
            return
        elif self.num_gpus == 1:
            self.single_gpu = True
            self.use_dp = False
            self.use_ddp = False
            self.root_gpu = 0
            self.data_parallel_device_ids = [0]
        else:
            self.use_dp = distributed_backend == 'dp'
            self.use_ddp = distributed_backend == 'ddp'

        logging.info(f'gpu available: {torch.cuda.is_available()}, used: {self.on_gpu}')

    def init_optimizers(self, optimizers):
        if isinstance(optimizers, (list, tuple)):
            return list(optimizers), []
        return [optimizers], []

    def ddp_train(self, gpu_idx, model):
        torch.cuda.set_device(gpu_idx)
        model.cuda(gpu_idx)
        model = DDP(model, device_ids=[gpu_idx])
        self.run_pretrain_routine(model)

    def run_pretrain_routine(self, model):
        self.model = model
        self.train()

    def train(self):
        raise NotImplementedError
