"""uptake: measure and steer user adoption of a CRM rollout."""

__version__ = "0.1.0"
