"""The simulated AWS control plane that all five services share."""
