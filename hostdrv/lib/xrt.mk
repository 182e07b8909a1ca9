# The XRT backend of libclif and its no-op-emulation tests.
