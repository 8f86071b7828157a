from .__about__ import __version__ as __version__
from .data import (
    Data as Data,
    SpectrumData as SpectrumData,
)
from .infer import BayesFit as BayesFit, MaxLikeFit as MaxLikeFit
from .models.model import (
    AnaIntAdditive as AnaIntAdditive,
    NumIntAdditive as NumIntAdditive,
)
from .util import (
    jax_debug_nans as jax_debug_nans,
    jax_enable_x64,
    set_cpu_cores,
    set_jax_platform,
)

jax_enable_x64(True)
set_jax_platform('cpu')
set_cpu_cores(4)
