"""The centre manages officers (a signed directory) and terminals (a registry, the CRL)."""
