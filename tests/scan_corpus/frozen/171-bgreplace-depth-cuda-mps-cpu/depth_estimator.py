import torch
import numpy as np
from PIL import Image
from transformers import DPTFeatureExtractor, DPTForDepthEstimation

depth_model = None
feat_extractor = None

DEVICE = None
if torch.cuda.is_available():
    DEVICE = "cuda"
elif torch.backends.mps.is_available():
    DEVICE = "mps"
else:
    DEVICE = "cpu"


def init():
    global depth_model, feat_extractor

    print("### BackgroundSwap: Initializing depth estimator...")

    depth_model = DPTForDepthEstimation.from_pretrained(
        "Intel/dpt-hybrid-midas").to(DEVICE)
    feat_extractor = DPTFeatureExtractor.from_pretrained(
        "Intel/dpt-hybrid-midas")


def get_depth_map(image):
    original_size = image.size

    pixels = feat_extractor(
        images=image, return_tensors="pt").pixel_values.to(DEVICE)

    with torch.no_grad(), torch.autocast(DEVICE):
        depth_map = depth_model(pixels).predicted_depth

    depth_map = torch.nn.functional.interpolate(
        depth_map.unsqueeze(1),
        size=original_size[::-1],
        mode="bicubic",
        align_corners=False,
    )
    dmin = torch.amin(depth_map, dim=[1, 2, 3], keepdim=True)
    dmax = torch.amax(depth_map, dim=[1, 2, 3], keepdim=True)
    depth_map = (depth_map - dmin) / (dmax - dmin)
    out = torch.cat([depth_map] * 3, dim=1)
    out = out.permute(0, 2, 3, 1).cpu().numpy()[0]
    return Image.fromarray((out * 255.0).clip(0, 255).astype(np.uint8))
