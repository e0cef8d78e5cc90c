"""Synthetic nightly batches with ground truth: benign users, their look-alikes and coordinated networks."""

from linkage.scenarios.generate import SynthResult, synthesize
from linkage.scenarios.scenario import Scenario, random_scenario, scenario_from

__all__ = ["Scenario", "SynthResult", "random_scenario", "scenario_from", "synthesize"]
