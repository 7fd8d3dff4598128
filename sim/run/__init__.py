"""Running replications: one replication is a pure function of (config, rep); executors spread them."""
