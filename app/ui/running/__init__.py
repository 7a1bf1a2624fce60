"""The running export: starting and resuming runs, the job on its thread, the progress panel."""
