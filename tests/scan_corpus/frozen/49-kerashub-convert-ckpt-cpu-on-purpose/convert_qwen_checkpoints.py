import os
import traceback

os.environ["KERAS_BACKEND"] = "torch"
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"  # Hide any CUDA devices

import numpy as np
import torch
from absl import app
from absl import flags

device = torch.device("cpu")
# Force PyTorch to use CPU
torch.set_default_device(device)

from keras import ops  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402
from transformers import AutoTokenizer  # noqa: E402

import modelhub  # noqa: E402

PRESET_MAP = {
    "lm_0.5b_en": "example-org/LM-0.5B",
    "lm_7b_en": "example-org/LM-7B",
}

FLAGS = flags.FLAGS
flags.DEFINE_string("preset", None, f"Must be one of {','.join(PRESET_MAP.keys())}")


def check_outputs_match(hub_model, hub_tokenizer, hf_model, hf_tokenizer):
    # Same parameter count, then same logits on one prompt.
    assert hub_model.count_params() == hf_model.num_parameters()

    hf_inputs = hf_tokenizer(["What is Keras?"], return_tensors="pt").to(device)
    hf_logits = hf_model(**hf_inputs).logits.detach().cpu().float().numpy()

    preprocessor = modelhub.models.LMPreprocessor(hub_tokenizer)
    hub_inputs = preprocessor(["What is Keras?"], sequence_length=5)[0]
    hub_inputs = {k: v.to(device) for k, v in hub_inputs.items()}
    hub_logits = hub_model.token_embedding(hub_model(hub_inputs), reverse=True)

    try:
        np.testing.assert_allclose(ops.convert_to_numpy(hub_logits), hf_logits, atol=1e-4)
    except AssertionError as err:
        print(traceback.format_exc())
        print(err.args[0])


def main(_):
    if FLAGS.preset not in PRESET_MAP:
        raise ValueError(f"Invalid preset {FLAGS.preset}")
    hf_preset = PRESET_MAP[FLAGS.preset]

    hf_model = AutoModelForCausalLM.from_pretrained(hf_preset, device_map=device)
    hf_tokenizer = AutoTokenizer.from_pretrained(hf_preset, return_tensors="pt")
    hf_model.eval()

    hub_backbone = modelhub.models.LMBackbone.from_preset(f"hf://{hf_preset}")
    hub_tokenizer = modelhub.models.LMTokenizer.from_preset(f"hf://{hf_preset}")

    check_outputs_match(hub_backbone, hub_tokenizer, hf_model, hf_tokenizer)

    modelhub.models.LMCausalLM(hub_backbone).save_to_preset(f"./{FLAGS.preset}")


if __name__ == "__main__":
    flags.mark_flag_as_required("preset")
    app.run(main)
