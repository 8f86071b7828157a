import json

import torch
from pytorch_lightning import seed_everything, Trainer
from torch.utils.data import DataLoader

import src.data_loaders as module_data
from train import CommentClassifier


def initialize_trainer(CONFIG):
    seed_everything(1234)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    def get_instance(module, name, config, *args, **kwargs):
        return getattr(module, config[name]["type"])(*args, **config[name]["args"], **kwargs)

    model = CommentClassifier(CONFIG)
    model.to(device)

    dataset = get_instance(module_data, "dataset", CONFIG)
    val_dataset = get_instance(module_data, "dataset", CONFIG, train=False)

    data_loader = DataLoader(dataset, batch_size=CONFIG["batch_size"], num_workers=2,
                             shuffle=True, drop_last=True, pin_memory=True)
    valid_data_loader = DataLoader(val_dataset, batch_size=CONFIG["batch_size"], num_workers=2)

    trainer = Trainer(
        gpus=0 if torch.cuda.is_available() else None,
        limit_train_batches=2,
        limit_val_batches=2,
        max_epochs=1,
    )
    trainer.fit(model, data_loader, valid_data_loader)
    return trainer.test(dataloaders=valid_data_loader)


def test_trainer():
    CONFIG = json.load(open("configs/comment_classification_bert.json"))
    CONFIG["dataset"]["args"]["train_csv_file"] = "tests/dummy_data/train.csv"
    CONFIG["dataset"]["args"]["test_csv_file"] = "tests/dummy_data/test.csv"
    CONFIG["batch_size"] = 2

    results = initialize_trainer(CONFIG)
    assert results[0]["test_acc"] > 0.3


if __name__ == "__main__":
    test_trainer()
