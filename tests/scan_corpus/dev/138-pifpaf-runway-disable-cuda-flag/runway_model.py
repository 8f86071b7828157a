import runway
from runway.data_types import text, image

import argparse
import json
import logging

import numpy as np
import torch

from posekit.network import nets
from posekit import decoder, transforms
import datasets


def cli():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    nets.cli(parser)
    decoder.cli(parser, force_complete_pose=False, instance_threshold=0.1, seed_threshold=0.5)
    parser.add_argument('--batch-size', default=1, type=int,
                        help='processing batch size')
    parser.add_argument('--long-edge', default=None, type=int,
                        help='apply preprocessing to batch images')
    parser.add_argument('--loader-workers', default=2, type=int,
                        help='number of workers for data loading')
    parser.add_argument('--disable-cuda', action='store_true',
                        help='disable CUDA')
    parser.add_argument('--debug', default=False, action='store_true',
                        help='print debug messages')
    args = parser.parse_args([])

    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO)

    # add args.device
    args.device = torch.device('cpu')
    args.pin_memory = False
    if not args.disable_cuda and torch.cuda.is_available():
        args.device = torch.device('cuda')
        args.pin_memory = True

    return args


@runway.setup(options={})
def setup(opts):
    args = cli()

    # load model
    model, _ = nets.factory_from_args(args)
    model = model.to(args.device)
    processor = decoder.factory_from_args(args, model)

    return model, processor


@runway.command(name='predict',
                inputs={'image': image()},
                outputs={'keypoints': text()})
def generate(m, inputs):
    args = cli()
    model, processor = m

    preprocess = None
    if args.long_edge:
        preprocess = transforms.Compose([
            transforms.Normalize(),
            transforms.RescaleAbsolute(args.long_edge),
        ])
    data = datasets.PilImageList([inputs["image"]], preprocess=preprocess)
    data_loader = torch.utils.data.DataLoader(
        data, batch_size=args.batch_size, shuffle=False,
        pin_memory=args.pin_memory, num_workers=args.loader_workers)

    _, _, processed_images_cpu = next(iter(data_loader))
    processed_images = processed_images_cpu.to(args.device, non_blocking=True)
    fields_batch = processor.fields(processed_images)
    pred_batch = processor.annotations_batch(fields_batch, debug_images=processed_images_cpu)

    keypoint_sets, scores = processor.keypoint_sets_from_annotations(pred_batch[0])
    kp_json = json.dumps([{'keypoints': np.around(kps, 1).reshape(-1).tolist()}
                          for kps in keypoint_sets])
    return {'keypoints': kp_json}


if __name__ == '__main__':
    runway.run(host='0.0.0.0', port=8000)
