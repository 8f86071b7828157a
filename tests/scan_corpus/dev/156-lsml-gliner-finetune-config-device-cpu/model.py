import logging
import os
from types import SimpleNamespace

import torch
from gliner import GLiNER
from tqdm import tqdm
from transformers import get_cosine_schedule_with_warmup

from annotate_ml.model import MLBackendBase

logger = logging.getLogger(__name__)

NER_MODEL_NAME = os.getenv("NER_MODEL_NAME", "urchade/gliner_medium-v2.1")
MODEL = GLiNER.from_pretrained(NER_MODEL_NAME)


class SpanNERModel(MLBackendBase):

    def setup(self):
        self.threshold = float(os.getenv('THRESHOLD', 0.5))
        self.model = MODEL

    def train(self, model, config, train_data, eval_data=None):
        logger.info("Training Model")
        model = model.to(config.device)

        model.train()
        train_loader = model.create_dataloader(train_data, batch_size=config.train_batch_size, shuffle=True)
        optimizer = model.get_optimizer(config.lr_encoder, config.lr_others, config.freeze_token_rep)
        num_warmup_steps = int(config.num_steps * config.warmup_ratio)
        scheduler = get_cosine_schedule_with_warmup(optimizer, num_warmup_steps, config.num_steps)
        iter_train_loader = iter(train_loader)

        for step in tqdm(range(config.num_steps)):
            try:
                x = next(iter_train_loader)
            except StopIteration:
                iter_train_loader = iter(train_loader)
                x = next(iter_train_loader)

            for k, v in x.items():
                if isinstance(v, torch.Tensor):
                    x[k] = v.to(config.device)

            loss = model(x)
            if torch.isnan(loss):
                continue
            loss.backward()
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()

            if (step + 1) % config.eval_every == 0:
                model.save_pretrained(f"{config.save_directory}/finetuned_{step}")

    def fit(self, event, data, **kwargs):
        if event == "START_TRAINING":
            training_data = self.download_labeled_tasks()

            config = SimpleNamespace(
                num_steps=10000,  # number of training iteration
                train_batch_size=2,
                eval_every=1000,  # evaluation/saving steps
                save_directory="logs",  # where to save checkpoints
                warmup_ratio=0.1,  # warmup steps
                device='cpu',
                lr_encoder=1e-5,  # learning rate for the backbone
                lr_others=5e-5,  # learning rate for other parameters
                freeze_token_rep=False,
            )

            self.train(self.model, config, training_data)
