"""Past one machine (issue 16): the Ray executor for per-record CPU stages and the config checks of the
scale-out settings (``run.executor``, ``run.ray``, ``llm.fleet``, ``security.allow_hosts``)."""
