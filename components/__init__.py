"""One ComponentResource per area of the platform, and the root that wires them."""
