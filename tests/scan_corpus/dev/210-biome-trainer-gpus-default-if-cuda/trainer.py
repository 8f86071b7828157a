import logging
from dataclasses import asdict
from typing import Optional

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import ModelCheckpoint

from biome.text.configuration import LightningTrainerConfiguration
from biome.text.dataset import Dataset
from biome.text.pipeline import Pipeline

_LOGGER = logging.getLogger(__name__)


class Trainer:
    """A light wrapper around the Pytorch Lightning Trainer for our pipelines."""

    def __init__(
        self,
        pipeline: Pipeline,
        train_dataset: Dataset,
        valid_dataset: Optional[Dataset] = None,
        trainer_config: Optional[LightningTrainerConfiguration] = None,
    ):
        self._pipeline = pipeline
        self._train_dataset = train_dataset
        self._valid_dataset = valid_dataset
        # copy the config, we modify it below
        self._trainer_config = (
            LightningTrainerConfiguration(**asdict(trainer_config))
            if trainer_config is not None
            else LightningTrainerConfiguration()
        )

        # add default callbacks/loggers/gpu
        self._trainer_config.callbacks = [ModelCheckpoint(save_last=True)]
        if self._trainer_config.gpus is None and torch.cuda.is_available():
            self._trainer_config.gpus = 1

        self.trainer = pl.Trainer(**self._trainer_config.lightning_params)

    def fit(self, output_dir: str = "output"):
        self.trainer.fit(self._pipeline.model)
        self._pipeline.save(output_dir)
