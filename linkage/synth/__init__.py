"""Synthetic nightly batches with ground truth: benign users, their look-alikes and coordinated networks."""

from linkage.synth.generate import SynthResult, synthesize
from linkage.synth.scenario import Scenario

__all__ = ["Scenario", "SynthResult", "synthesize"]
