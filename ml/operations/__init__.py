"""Operating a deployed stack from the command line: run its pipeline, clean up after runs."""
