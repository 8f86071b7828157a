import torch
from PIL import Image


def fetch_tfds(name, data_dir=None):
    import tensorflow_datasets as tfds
    builder = tfds.builder(name, data_dir=data_dir)
    builder.download_and_prepare()


def disable_gpus_on_tensorflow():
    try:
        import tensorflow as tf
        tf.config.set_visible_devices([], 'GPU')
    except ImportError:
        pass


class TfdsIterable(torch.utils.data.IterableDataset):
    """Streams a TF dataset into a torch DataLoader."""

    def __init__(self, source, split="test", image_key="image", label_key="label",
                 mode="RGB", transform=None):
        self.source = source
        self.split = split
        self.image_key = image_key
        self.label_key = label_key
        self.mode = mode
        self.transform = transform
        self.size = source.get_num_samples(split)

    def __iter__(self):
        info = torch.utils.data.get_worker_info()
        it = self.source.get_tf_data(self.split, batch_size=1, epochs=1, for_eval=True)
        if info is not None:
            it = it.shard(index=info.id, num_shards=info.num_workers)
        for item in it:
            for img, lab in zip(item[self.image_key].numpy(), item[self.label_key].numpy()):
                img = Image.fromarray(img, mode=self.mode)
                if self.transform is not None:
                    img = self.transform(img)
                yield img, lab

    def __len__(self):
        return self.size
