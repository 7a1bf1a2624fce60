"""What the local API test servers share: the threaded HTTP server and its handler, the request
pipeline with its fault plan, per-key token buckets, the request log, a manual clock and the
standalone runner. Each server (``autopilot_sim``, ``ortto_sim``) adds its own contract on top.
"""
