"""
Use the RLDS/tf.data loader from PyTorch by wrapping it in a simple
torch IterableDataset.
"""
import numpy as np
import tensorflow as tf
import torch
from torch.utils.data import DataLoader
import tqdm

from octo.data.dataset import make_interleaved_dataset
from octo.data.oxe import make_oxe_dataset_kwargs_and_weights

DATA_PATH = "gs://example-bucket/resize_256_256"

tf.config.set_visible_devices([], "GPU")


class TorchRLDSDataset(torch.utils.data.IterableDataset):
    """Thin wrapper around an RLDS dataset for PyTorch dataloaders."""

    def __init__(self, rlds_dataset, train=True):
        self._ds = rlds_dataset
        self._is_train = train

    def __iter__(self):
        for sample in self._ds.as_numpy_iterator():
            yield sample

    def __len__(self):
        lengths = np.array([s["num_transitions"] for s in self._ds.dataset_statistics])
        total = lengths.sum()
        return int(0.95 * total) if self._is_train else int(0.05 * total)


kwargs_list, weights = make_oxe_dataset_kwargs_and_weights(
    "oxe_magic_soup",
    DATA_PATH,
    load_camera_views=("primary", "wrist"),
)

dataset = make_interleaved_dataset(
    kwargs_list,
    weights,
    train=True,
    shuffle_buffer_size=1000,
    batch_size=None,  # batching is done by the PyTorch DataLoader
    balance_weights=True,
    traj_transform_threads=48,
    traj_read_threads=48,
)

loader = DataLoader(
    TorchRLDSDataset(dataset),
    batch_size=16,
    num_workers=0,  # keep 0 so PyTorch does not interfere with tf.data parallelism
)

for i, sample in tqdm.tqdm(enumerate(loader)):
    if i == 5000:
        break
