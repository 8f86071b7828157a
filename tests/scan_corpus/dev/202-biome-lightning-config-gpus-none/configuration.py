from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import Dict
from typing import List
from typing import Optional
from typing import Union

import pytorch_lightning as pl


@dataclass
class LightningTrainerConfiguration:
    """Configuration for our Lightning trainer.

    Most parameters are forwarded as-is to the `pytorch_lightning.Trainer`.

    Parameters
    ----------
    max_epochs
        Stop training once this number of epochs is reached.
    gpus
        number of gpus to train on (int) or which GPUs to train on (list or str) applied per node
    precision
        Full precision (32) or half precision (16).
    default_root_dir
        Default path for logs and weights.
    """

    max_epochs: int = 1000
    gpus: Optional[Union[List[int], str, int]] = None
    precision: int = 32
    default_root_dir: Optional[str] = None
    callbacks: Optional[List[pl.Callback]] = None
    logger: Union[bool, List[Any]] = True
    extra_lightning_params: Dict[str, Any] = field(default_factory=dict)

    # non-lightning parameters
    batch_size: int = 16
    add_csv_logger: bool = True

    @property
    def lightning_params(self) -> Dict[str, Any]:
        """Keyword arguments for the `pytorch_lightning.Trainer`."""
        params = asdict(self)
        for key in ["batch_size", "add_csv_logger", "extra_lightning_params"]:
            params.pop(key)
        params.update(self.extra_lightning_params)
        return params
