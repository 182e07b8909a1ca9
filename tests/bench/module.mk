# tests/bench/: benchmark programs beyond the data plane's (the data-plane bench is in tests/module.mk).
