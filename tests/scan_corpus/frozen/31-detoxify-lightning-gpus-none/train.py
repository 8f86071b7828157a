import argparse
import json

import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import ModelCheckpoint
from torch.nn import functional as F
from torch.utils.data import DataLoader

import src.data_loaders as module_data
from src.utils import get_model_and_tokenizer


class CommentClassifier(pl.LightningModule):
    def __init__(self, config):
        super().__init__()
        self.save_hyperparameters()
        self.model, self.tokenizer = get_model_and_tokenizer(**config["arch"]["args"])
        self.config = config

    def forward(self, x):
        inputs = self.tokenizer(x, return_tensors="pt", truncation=True, padding=True).to(self.model.device)
        return self.model(**inputs)[0]

    def training_step(self, batch, batch_idx):
        x, meta = batch
        output = self.forward(x)
        target = meta["target"].to(output.device)
        loss = F.binary_cross_entropy_with_logits(output, target.float())
        self.log("train_loss", loss)
        return {"loss": loss}

    def validation_step(self, batch, batch_idx):
        x, meta = batch
        output = self.forward(x)
        target = meta["target"].to(output.device)
        loss = F.binary_cross_entropy_with_logits(output, target.float())
        self.log("val_loss", loss)
        return {"loss": loss}

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), **self.config["optimizer"]["args"])


def cli_main():
    parser = argparse.ArgumentParser()
    parser.add_argument("-c", "--config", default=None, type=str, help="config file path (default: None)")
    parser.add_argument("-r", "--resume", default=None, type=str, help="path to latest checkpoint (default: None)")
    parser.add_argument(
        "-d",
        "--device",
        default=None,
        type=str,
        help="indices of GPUs to enable (default: None)",
    )
    parser.add_argument("--num_workers", default=10, type=int)
    parser.add_argument("-e", "--n_epochs", default=100, type=int)

    args = parser.parse_args()
    config = json.load(open(args.config))

    if args.device is not None:
        config["device"] = args.device

    def get_instance(module, name, config, *args, **kwargs):
        return getattr(module, config[name]["type"])(*args, **config[name]["args"], **kwargs)

    dataset = get_instance(module_data, "dataset", config)
    val_dataset = get_instance(module_data, "dataset", config, train=False)

    data_loader = DataLoader(dataset, batch_size=int(config["batch_size"]), num_workers=args.num_workers,
                             shuffle=True, drop_last=True, pin_memory=True)
    valid_data_loader = DataLoader(val_dataset, batch_size=config["batch_size"], num_workers=args.num_workers)

    model = CommentClassifier(config)

    checkpoint_callback = ModelCheckpoint(save_top_k=100, monitor="val_loss", mode="min")
    trainer = pl.Trainer(
        gpus=args.device,
        max_epochs=args.n_epochs,
        accumulate_grad_batches=config["accumulate_grad_batches"],
        callbacks=[checkpoint_callback],
        resume_from_checkpoint=args.resume,
        default_root_dir="saved/" + config["name"],
        deterministic=True,
    )
    trainer.fit(model, data_loader, valid_data_loader)


if __name__ == "__main__":
    cli_main()
