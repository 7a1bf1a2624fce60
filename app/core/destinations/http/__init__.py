"""HTTP machinery every destination's client shares: transport, pacing, retries, failures."""
