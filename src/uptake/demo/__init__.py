"""The simulated international Dynamics 365 rollout behind ``uptake demo``."""

from uptake.demo.generate import TRUTH_FILE, generate
from uptake.demo.scales import SCALE_NAMES, SCALES, Scale

__all__ = ["SCALES", "SCALE_NAMES", "TRUTH_FILE", "Scale", "generate"]
