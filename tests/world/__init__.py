"""The local test world: anvil L1 + L2 with the real OP Stack contracts."""
