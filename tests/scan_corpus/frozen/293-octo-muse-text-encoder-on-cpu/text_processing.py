from abc import ABC, abstractmethod
from typing import Optional, Sequence

import numpy as np
import tensorflow as tf

MUSE_URL = "https://tfhub.dev/google/universal-sentence-encoder-multilingual/3"


class TextProcessor(ABC):
    """Base class for text tokenization or text embedding."""

    @abstractmethod
    def encode(self, strings: Sequence[str]):
        raise NotImplementedError


class HFTokenizer(TextProcessor):
    def __init__(
        self,
        tokenizer_name: str,
        tokenizer_kwargs: Optional[dict] = {
            "max_length": 64,
            "padding": "max_length",
            "truncation": True,
            "return_tensors": "np",
        },
        encode_with_model: bool = False,
    ):
        from transformers import AutoTokenizer, FlaxAutoModel  # lazy import

        self.tok = AutoTokenizer.from_pretrained(tokenizer_name)
        self.tok_kwargs = tokenizer_kwargs
        self.encode_with_model = encode_with_model
        if self.encode_with_model:
            self.model = FlaxAutoModel.from_pretrained(tokenizer_name)

    def encode(self, strings: Sequence[str]):
        inputs = self.tok(strings, **self.tok_kwargs)
        if self.encode_with_model:
            return np.array(self.model(**inputs).last_hidden_state)
        return dict(inputs)


class MuseEmbedding(TextProcessor):
    def __init__(self):
        import tensorflow_hub as hub  # lazy import
        import tensorflow_text  # noqa: F401

        self.muse = hub.load(MUSE_URL)

    def encode(self, strings: Sequence[str]):
        with tf.device("/cpu:0"):
            return self.muse(strings).numpy()
