"""The command line and Automation API of webstack: offline plan, validate, and the Pulumi CLI wrappers."""
