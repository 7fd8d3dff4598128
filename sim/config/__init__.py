"""Configs: the schema, value rules, YAML and override safety, arrival traces, the memory estimate,
composition with Hydra, and the one gate (:mod:`sim.config.gate`) every config passes before it runs."""
