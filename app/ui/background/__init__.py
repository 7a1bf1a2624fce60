"""Work off the GUI thread: the worker queues and the keyring's own thread."""
