import argparse
import os
from argparse import RawTextHelpFormatter
import torch

from tqdm import tqdm

from voicekit.config import load_config
from voicekit.datasets import load_samples
from voicekit.utils.speakers import SpeakerManager
from voicekit.utils.managers import save_file

parser = argparse.ArgumentParser(
    description="""Compute embedding vectors for each wav file in a dataset.\n\n"""
    """
    Example runs:
    python compute_embeddings.py encoder_model.pth encoder_config.json dataset_config.json
    """,
    formatter_class=RawTextHelpFormatter,
)
parser.add_argument("model_path", type=str, help="Path to model checkpoint file.")
parser.add_argument("config_path", type=str, help="Path to model config file.")
parser.add_argument("config_dataset_path", type=str, help="Path to dataset config file.")
parser.add_argument("--output_path", type=str, help="Path for output `pth` or `json` file.", default="speakers.pth")
parser.add_argument("--old_file", type=str, help="Previous embedding file to only compute new audios.", default=None)
parser.add_argument("--disable_cuda", type=bool, help="Flag to disable cuda.", default=False)
parser.add_argument("--no_eval", type=bool, help="Do not compute eval?. Default False", default=False)

args = parser.parse_args()

use_cuda = torch.cuda.is_available() and not args.disable_cuda

c_dataset = load_config(args.config_dataset_path)

meta_train, meta_eval = load_samples(c_dataset.datasets, eval_split=not args.no_eval)
wav_files = meta_train if meta_eval is None else meta_train + meta_eval

encoder_manager = SpeakerManager(
    encoder_model_path=args.model_path,
    encoder_config_path=args.config_path,
    d_vectors_file_path=args.old_file,
    use_cuda=use_cuda,
)

class_name_key = encoder_manager.encoder_config.class_name_key

# compute speaker embeddings
speaker_mapping = {}
for idx, wav_file in enumerate(tqdm(wav_files)):
    if isinstance(wav_file, dict):
        class_name = wav_file[class_name_key]
        wav_file = wav_file["audio_file"]
    else:
        class_name = None

    wav_file_name = os.path.basename(wav_file)
    if args.old_file is not None and wav_file_name in encoder_manager.clip_ids:
        embedd = encoder_manager.get_embedding_by_clip(wav_file_name)
    else:
        embedd = encoder_manager.compute_embedding_from_clip(wav_file)

    speaker_mapping[wav_file_name] = {"name": class_name, "embedding": embedd}

if speaker_mapping:
    save_file(speaker_mapping, args.output_path)
    print("Speaker embeddings saved at:", args.output_path)
