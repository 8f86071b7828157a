from __future__ import annotations

import os
ENV = {"TF_FORCE_UNIFIED_MEMORY":"1", "XLA_PYTHON_CLIENT_MEM_FRACTION":"4.0"}
for k,v in ENV.items():
    if k not in os.environ: os.environ[k] = v

import logging
from pathlib import Path
from typing import Any, Dict, List

import numpy as np

logger = logging.getLogger(__name__)

from jax import local_devices

# silence "Unable to initialize backend 'rocm' / 'tpu'" messages
logging.getLogger('jax._src.xla_bridge').addFilter(lambda _: False)


def run(queries: List[Any], result_dir: str, num_models: int = 5,
        use_gpu_relax: bool = True, **kwargs) -> Dict[str, Any]:
    # check what device is available
    try:
        from tpu_info import device
        if len(device.get_local_chips()) > 0:
            import jax.tools.colab_tpu
            jax.tools.colab_tpu.setup_tpu()
            logger.info('Running on TPU')
            use_gpu_relax = False
    except Exception:
        if local_devices()[0].platform == 'cpu':
            logger.info("WARNING: no GPU detected, will be using CPU")
            use_gpu_relax = False
        else:
            logger.info('Running on GPU')

    from predictor.models import load_models_and_params
    out = Path(result_dir)
    out.mkdir(exist_ok=True)
    runners = load_models_and_params(num_models=num_models)
    results = {}
    for name, seq in queries:
        for model_name, runner, params in runners:
            feats = runner.process_features(seq, random_seed=0)
            results[(name, model_name)] = runner.predict(feats, random_seed=0)
    np.save(out / "summary.npy", np.array(list(results.keys()), dtype=object))
    return results
