"""Local LLM layer: engine interface, vLLM offline/server engines, ``build_engine``, call log."""
