"""The main job: configuration, content keys, state, the run itself, the index page."""
