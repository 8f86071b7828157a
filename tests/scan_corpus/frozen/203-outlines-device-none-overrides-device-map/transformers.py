from typing import TYPE_CHECKING, List, Optional

import torch

from outlines.models.tokenizer import Tokenizer

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizer

__all__ = ["transformers"]


class Transformers:
    """Represents a `transformers` model."""

    def __init__(self, model: "PreTrainedModel", tokenizer: "PreTrainedTokenizer"):
        self.device = model.device
        self.model = model
        self.tokenizer = tokenizer

    def __call__(self, input_ids: torch.LongTensor, attention_mask: torch.LongTensor):
        output = self.model(input_ids, attention_mask=attention_mask, return_dict=True)
        return output.logits[..., -1, :]


class TransformersTokenizer(Tokenizer):
    def __init__(self, model_name: str, **kwargs):
        from transformers import AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(model_name, **kwargs)


def transformers(
    model_name: str,
    device: Optional[str] = None,
    model_kwargs: dict = {},
    tokenizer_kwargs: dict = {},
):
    """Instantiate a model from the `transformers` library and its tokenizer.

    Parameters
    ----------
    model_name
        The name of the model as listed on Hugging Face's model page.
    device_map
        The device(s) on which the model should be loaded. This overrides
        the value passed for `device_map` in `model_kwargs`.
    model_kwargs
        Keyword arguments passed to `from_pretrained` when loading the model.
    tokenizer_kwargs
        Keyword arguments passed to `from_pretrained` when loading the tokenizer.
    """
    try:
        from transformers import AutoModelForCausalLM
    except ImportError:
        raise ImportError(
            "The `transformers` library needs to be installed in order to use `transformers` models."
        )

    model_kwargs["device_map"] = device
    model = AutoModelForCausalLM.from_pretrained(model_name, **model_kwargs)
    tokenizer = TransformersTokenizer(model_name, **tokenizer_kwargs)

    return Transformers(model, tokenizer)
