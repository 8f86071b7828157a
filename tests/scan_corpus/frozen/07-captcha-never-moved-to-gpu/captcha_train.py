# -*- coding: UTF-8 -*-
import torch
import torch.nn as nn
from torch.autograd import Variable
import data_loader
from model_def import ConvNet

# Hyper Parameters
num_epochs = 30
batch_size = 100
learning_rate = 0.001

def main():
    net = ConvNet()
    net.train()
    print('init net')
    criterion = nn.MultiLabelSoftMarginLoss()
    optimizer = torch.optim.Adam(net.parameters(), lr=learning_rate)

    # Train the Model
    loader = data_loader.get_train_loader()
    for epoch in range(num_epochs):
        for i, (images, labels) in enumerate(loader):
            images = Variable(images)
            labels = Variable(labels.float())
            predict_labels = net(images)
            loss = criterion(predict_labels, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if (i+1) % 10 == 0:
                print("epoch:", epoch, "step:", i, "loss:", loss.item())
        torch.save(net.state_dict(), "./model.pkl")
    print("save last model")

if __name__ == '__main__':
    main()
