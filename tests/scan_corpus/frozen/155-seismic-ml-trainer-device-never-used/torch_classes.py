import numpy as np
import torch
from sklearn.metrics import accuracy_score

import seisml.log as log


class Trainer:
    def __init__(self,
                 model: torch.nn.Module,
                 device: torch.device,
                 criterion: torch.nn.Module,
                 optimizer: torch.optim.Optimizer,
                 training_DataLoader: torch.utils.data.Dataset,
                 validation_DataLoader: torch.utils.data.Dataset = None,
                 epochs: int = 100,
                 ):
        self.model = model
        self.criterion = criterion
        self.optimizer = optimizer
        self.training_DataLoader = training_DataLoader
        self.validation_DataLoader = validation_DataLoader
        self.device = device
        self.epochs = epochs
        self.training_loss = []
        self.validation_loss = []

    def run_trainer(self):
        log.msg(f'Device is: {self.device}')
        for i in range(self.epochs):
            log.msg(f'----------------- Epoch {i + 1} ------------------')
            self._train()
            if self.validation_DataLoader is not None:
                self._validate()
        return self.model, self.training_loss, self.validation_loss

    def _train(self):
        self.model.train()
        train_losses = []
        for input, target in self.training_DataLoader:
            self.optimizer.zero_grad()
            out = self.model(input)
            target = target.type(torch.LongTensor)
            pred = np.argmax(out.detach().numpy(), axis=1)
            acc = accuracy_score(pred, target)
            loss = self.criterion(out, target.squeeze(1))
            train_losses.append(loss.item())
            loss.backward()
            self.optimizer.step()
        self.training_loss.append(np.mean(train_losses))

    def _validate(self):
        self.model.eval()
        valid_losses = []
        for input, target in self.validation_DataLoader:
            with torch.no_grad():
                out = self.model(input)
                target = target.type(torch.LongTensor)
                loss = self.criterion(out, target.squeeze(1))
                valid_losses.append(loss.item())
        self.validation_loss.append(np.mean(valid_losses))
