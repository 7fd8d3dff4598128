"""The command line: ``python -m sim`` with its Hydra app and callbacks, the pre-flight check of every
job, and the planner, sweep and cluster commands. The only package that runs Hydra's app."""
