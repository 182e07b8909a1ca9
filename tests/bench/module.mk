# tests/bench/: benchmark programs beyond the data plane's (the data-plane bench is in tests/module.mk).

# ---- the firmware's table manager placing exact keys through the real HLS table window (the
# default 64K table), against a plain linear-probing table of the same capacity ----

BENCH_FW_TABLES_SRCS := tests/bench/bench_fw_tables.c firmware/core/tblmgr.c firmware/core/log.c $(HLS_SRCS)

$(BIN)/clif-bench-fw-tables: $(BENCH_FW_TABLES_SRCS) | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_BASE) -Ifirmware/include -std=c11 $(WARN) -O2 -g -Wno-unknown-pragmas \
		$(BENCH_FW_TABLES_SRCS) -o $@

ALL_PROGRAMS += $(BIN)/clif-bench-fw-tables

.PHONY: bench-fw-tables
bench-fw-tables: $(BIN)/clif-bench-fw-tables
	$(BIN)/clif-bench-fw-tables

bench: bench-fw-tables

# Under `make bench`, time the table manager once the other benchmarks are built, so that no
# compiler competes with it for the cores.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-fw-tables: | $(BIN)/clif-bench-dp $(BIN)/clif-bench-dp-1m
endif
