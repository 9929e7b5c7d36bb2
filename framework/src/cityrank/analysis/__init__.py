"""Analysis of rankings: uncertainty, sensitivity and acceptability (Monte Carlo over the assumptions)."""

from .acceptability import AcceptabilityResult, acceptability
from .uncertainty import (
    Assumptions,
    SensitivityResult,
    UncertaintyResult,
    WeightNoise,
    sensitivity,
    sobol_indices,
    uncertainty,
)

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
