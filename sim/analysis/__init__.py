"""Analysis of event records, without SimPy: KPIs, time series, paired comparison, warm-up,
precision and queueing theory."""
