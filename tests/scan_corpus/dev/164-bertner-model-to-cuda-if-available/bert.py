"""BERT NER inference."""

import json
import os

import torch
import torch.nn.functional as F
from nltk import word_tokenize
from pytorch_transformers import (BertConfig, BertForTokenClassification,
                                  BertTokenizer)


class TokenTagger(BertForTokenClassification):

    def forward(self, input_ids, token_type_ids=None, attention_mask=None, valid_ids=None):
        seq_out = self.bert(input_ids, token_type_ids, attention_mask, head_mask=None)[0]
        batch_size, max_len, feat_dim = seq_out.shape
        valid_output = torch.zeros(batch_size, max_len, feat_dim, dtype=torch.float32,
                                   device='cuda' if torch.cuda.is_available() else 'cpu')
        for i in range(batch_size):
            jj = -1
            for j in range(max_len):
                if valid_ids[i][j].item() == 1:
                    jj += 1
                    valid_output[i][jj] = seq_out[i][j]
        seq_out = self.dropout(valid_output)
        return self.classifier(seq_out)


class Tagger:

    def __init__(self, model_dir: str):
        self.model, self.tokenizer, self.cfg = self.load_model(model_dir)
        self.label_map = {int(k): v for k, v in self.cfg["label_map"].items()}
        self.max_seq_length = self.cfg["max_seq_length"]
        self.device = "cuda" if torch.cuda.is_available() else "cpu"
        self.model = self.model.to(self.device)
        self.model.eval()

    def load_model(self, model_dir: str, cfg_name: str = "model_config.json"):
        cfg = json.load(open(os.path.join(model_dir, cfg_name)))
        model = TokenTagger.from_pretrained(model_dir)
        tokenizer = BertTokenizer.from_pretrained(model_dir, do_lower_case=cfg["do_lower"])
        return model, tokenizer, cfg

    def preprocess(self, text: str):
        words = word_tokenize(text)
        tokens, valid = ["[CLS]"], [1]
        for w in words:
            pieces = self.tokenizer.tokenize(w)
            tokens.extend(pieces)
            valid.extend([1] + [0] * (len(pieces) - 1))
        tokens.append("[SEP]")
        valid.append(1)
        ids = self.tokenizer.convert_tokens_to_ids(tokens)
        mask = [1] * len(ids)
        segs = [0] * len(ids)
        while len(ids) < self.max_seq_length:
            ids.append(0); mask.append(0); segs.append(0); valid.append(0)
        return ids, mask, segs, valid

    def predict(self, text: str):
        ids, mask, segs, valid = self.preprocess(text)
        input_ids = torch.tensor([ids], dtype=torch.long, device=self.device)
        input_mask = torch.tensor([mask], dtype=torch.long, device=self.device)
        segment_ids = torch.tensor([segs], dtype=torch.long, device=self.device)
        valid_ids = torch.tensor([valid], dtype=torch.long, device=self.device)
        with torch.no_grad():
            logits = self.model(input_ids, segment_ids, input_mask, valid_ids)
        logits = F.softmax(logits, dim=2)
        labels = torch.argmax(logits, dim=2).detach().cpu().numpy().tolist()[0]
        return [self.label_map.get(l, "O") for l in labels]
