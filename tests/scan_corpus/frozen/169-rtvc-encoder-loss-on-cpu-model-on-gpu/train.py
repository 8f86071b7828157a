from pathlib import Path

import torch

from speaker_enc.data_objects import VerificationDataLoader, VerificationDataset
from speaker_enc.model import SpeakerEmbedder
from speaker_enc.params_model import *


def sync(device: torch.device):
    # For correct profiling (cuda operations are async)
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def train(run_id: str, data_root: Path, models_dir: Path, save_every: int, force_restart: bool):
    dataset = VerificationDataset(data_root)
    loader = VerificationDataLoader(dataset, speakers_per_batch, utterances_per_speaker, num_workers=4)

    # Setup the device on which to run the forward pass and the loss. These can be different,
    # because the forward pass is faster on the GPU whereas the loss is often (depending on your
    # hyperparameters) faster on the CPU.
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    # FIXME: currently, the gradient is None if loss_device is cuda
    loss_device = torch.device("cpu")

    model = SpeakerEmbedder(device, loss_device)
    optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate_init)
    init_step = 1

    model_dir = models_dir / run_id
    model_dir.mkdir(exist_ok=True, parents=True)
    state_fpath = model_dir / "encoder.pt"

    if not force_restart and state_fpath.exists():
        checkpoint = torch.load(state_fpath)
        init_step = checkpoint["step"]
        model.load_state_dict(checkpoint["model_state"])
        optimizer.load_state_dict(checkpoint["optimizer_state"])
    model.train()

    device_name = str(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "CPU")
    print("Device:", device_name)

    for step, speaker_batch in enumerate(loader, init_step):
        inputs = torch.from_numpy(speaker_batch.data).to(device)
        sync(device)
        embeds = model(inputs)
        sync(device)
        embeds_loss = embeds.view((speakers_per_batch, utterances_per_speaker, -1)).to(loss_device)
        loss, eer = model.loss(embeds_loss)
        sync(loss_device)

        model.zero_grad()
        loss.backward()
        model.do_gradient_ops()
        optimizer.step()

        if save_every != 0 and step % save_every == 0:
            torch.save({"step": step + 1,
                        "model_state": model.state_dict(),
                        "optimizer_state": optimizer.state_dict()}, state_fpath)
