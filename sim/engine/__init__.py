"""The SimPy model: places (each owns its counter and queue), the event record, random streams,
distributions, arrival times and schedules. Imports only simpy, numpy, scipy.special and sim.engine."""
