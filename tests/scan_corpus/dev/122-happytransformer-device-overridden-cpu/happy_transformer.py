"""
Thin wrapper around pretrained transformer models so that users do not
need to know PyTorch to get predictions.
"""
import re
import torch


class EasyTransformer:
    """Base class; subclasses set the model and tokenizer."""

    def __init__(self):
        self.transformer = None
        self.tokenizer = None
        self.model_name = ''
        self.bert_like = ['BERT', 'GPT2', 'XLM', 'XLNET']

        # GPU support
        self.gpu_support = torch.device("cuda" if torch.cuda.is_available()
                                        else "cpu")
        self.gpu_support = "cpu"
        print("Using model:", self.gpu_support)

    def predict_mask(self, text: str, options=None, k=1):
        """Predict the masked token in the given text."""
        if self.model_name in self.bert_like:
            text = text.replace("<mask>", "[MASK]")
        tokens = self._tokenize(text)
        masked_index = tokens.index(self.mask_token)
        softmax = self._prediction_softmax(tokens)
        top = torch.topk(softmax[0, masked_index], k)
        scores = top[0].tolist()
        words = self.tokenizer.convert_ids_to_tokens(top[1].tolist())
        if self.gpu_support == "cuda":
            torch.cuda.empty_cache()
        return [{"word": w, "score": s} for w, s in zip(words, scores)]

    def _tokenize(self, text):
        text = re.sub(r"\s+", " ", text)
        return self.tokenizer.tokenize(text)

    def _prediction_softmax(self, tokens):
        ids = self.tokenizer.convert_tokens_to_ids(tokens)
        tokens_tensor = torch.tensor([ids])
        with torch.no_grad():
            outputs = self.transformer(tokens_tensor)
        return torch.softmax(outputs[0], dim=-1)
