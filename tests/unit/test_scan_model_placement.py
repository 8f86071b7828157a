"""WG719: a PyTorch program that makes a model and runs it, and never places anything on a device
(whynogpu/scan/placement.py), in a file, a notebook and a pasted report. The programs follow PyTorch's
"Quickstart" tutorial and transformers' generation example, with their `.to(device)` lines left out."""

from __future__ import annotations

import json

from whynogpu.commands.scan import scan_report
from whynogpu.host.real import RealHost
from whynogpu.model import Severity
from whynogpu.scan.placement import never_placed
from whynogpu.triage.engine import triage

QUICKSTART = '''\
import torch
from torch import nn
from torch.utils.data import DataLoader
from torchvision import datasets
from torchvision.transforms import ToTensor

training_data = datasets.FashionMNIST(root="data", train=True, download=True, transform=ToTensor())
train_dataloader = DataLoader(training_data, batch_size=64)


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


model = NeuralNetwork()
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
for X, y in train_dataloader:
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
'''

GENERATE = '''\
from transformers import AutoModelForCausalLM, AutoTokenizer

tokenizer = AutoTokenizer.from_pretrained("openai-community/gpt2")
model = AutoModelForCausalLM.from_pretrained("openai-community/gpt2")
inputs = tokenizer(["A list of colors: red, blue"], return_tensors="pt")
generated_ids = model.generate(**inputs, max_new_tokens=20)
'''


def _wg719(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    report, _, _ = scan_report(RealHost(), (str(p),))
    return [f for f in report.findings if f.code == "WG719"]


def test_a_training_script_that_never_places_the_model_is_found_at_the_model(tmp_path):
    found = _wg719(tmp_path, "train.py", QUICKSTART)
    assert [(f.location.line, f.severity, f.category) for f in found] == [(21, Severity.WARNING, "code_forces_cpu")]
    assert "model = model.to(device)" in found[0].fix.commands


def test_any_placement_anywhere_clears_it(tmp_path):
    placed = QUICKSTART.replace("model = NeuralNetwork()", 'device = "cuda"\nmodel = NeuralNetwork().to(device)')
    assert _wg719(tmp_path, "train.py", placed) == []
    kw = GENERATE.replace('("openai-community/gpt2")\ninputs', '("openai-community/gpt2", device_map="auto")\ninputs')
    assert _wg719(tmp_path, "gen.py", kw) == []
    trainer = QUICKSTART + "import lightning as L\ntrainer = L.Trainer(max_epochs=1)\n"
    assert _wg719(tmp_path, "train.py", trainer) == []


def test_generation_with_a_pretrained_model_on_the_cpu_is_found_and_the_tokenizer_is_no_model(tmp_path):
    found = _wg719(tmp_path, "gen.py", GENERATE)
    assert [f.location.line for f in found] == [4]


def test_library_code_and_docstring_examples_are_no_program():
    library = "import torch\n\n\nclass Tiny(torch.nn.Module):\n    pass\n\n\ndef build():\n    m = Tiny()\n    m(torch.ones(1))\n"
    assert never_placed(library) is None
    docstring = 'import torch\n"""Example:\nmodel = Tiny()\nmodel.eval()\nwith torch.no_grad():\n    model(x)\n"""\n'
    assert never_placed(docstring) is None


def test_a_notebook_is_one_program_across_its_cells(tmp_path):
    cells = [QUICKSTART.split("model = NeuralNetwork()")[0], "model = NeuralNetwork()\n",
             QUICKSTART.split("model = NeuralNetwork()\n")[1]]
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [], "execution_count": None}
                    for c in cells], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    found = _wg719(tmp_path, "train.ipynb", json.dumps(nb))
    assert [(f.location.path.endswith(":cell 2"), f.location.line) for f in found] == [(True, 1)]


def test_a_report_pasting_the_program_gets_the_same_code_as_a_weak_candidate():
    r = triage(f"Training is very slow and nvidia-smi shows 0% GPU use. My script:\n```python\n{QUICKSTART}```\n")
    hit = next(f for f in r.findings if f.code == "WG719")
    assert hit.origin == "inferred" and r.verdict.root_cause == "code_forces_cpu"
    # a report whose code places the model keeps it out
    placed = QUICKSTART.replace("model = NeuralNetwork()", "model = NeuralNetwork().cuda()")
    assert all(f.code != "WG719" for f in triage(f"Slow training:\n```python\n{placed}```\n").findings)


def test_a_hub_model_used_through_its_methods_runs_where_it_was_loaded():
    # fairseq's torch.hub models are used through .translate(); nothing here moves them to a GPU
    source = ('model = torch.hub.load("pytorch/fairseq", "transformer.wmt16.en-de", tokenizer="moses", bpe="fastbpe")\n'
              'for line in open("src.txt"):\n    print(model.translate(line))\n')
    assert never_placed(source) == (1, source.split("\n")[0])
    assert never_placed(source.replace("model.translate(line)", "model.cuda().translate(line)")) is None
    # a model only set up (weights loaded, eval mode) is not shown at work: no verdict on it
    setup = "import torch\nmodel = torch.load('model.pt')\nmodel.load_state_dict(state)\nmodel.eval()\n"
    assert never_placed(setup) is None
    assert never_placed(setup + "scores = model.predict(batch)\n") == (2, "model = torch.load('model.pt')")
