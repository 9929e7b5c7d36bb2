"""Analysis of rankings: uncertainty, sensitivity and acceptability (Monte Carlo over the assumptions)."""

from ..model import WeightNoise
from .acceptability import AcceptabilityResult, acceptability
from .sampler import Assumptions
from .sensitivity import SensitivityResult, sensitivity, sobol_indices
from .uncertainty import UncertaintyResult, uncertainty

__all__ = [
    "AcceptabilityResult",
    "Assumptions",
    "SensitivityResult",
    "UncertaintyResult",
    "WeightNoise",
    "acceptability",
    "sensitivity",
    "sobol_indices",
    "uncertainty",
]
