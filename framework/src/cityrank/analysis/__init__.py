"""Analysis of rankings: uncertainty and sensitivity (Monte Carlo over the assumptions)."""

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
    "Assumptions",
    "SensitivityResult",
    "UncertaintyResult",
    "WeightNoise",
    "sensitivity",
    "sobol_indices",
    "uncertainty",
]
