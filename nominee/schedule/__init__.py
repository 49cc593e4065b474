"""The scheduler: time-driven work, run once per due moment (see ``services.tick``)."""
