"""Studies built on many runs: sweeps, the capacity planner, calibration and input modelling."""
