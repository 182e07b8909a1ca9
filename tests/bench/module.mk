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

# ---- libclif: the C2H consumer (dequeue, touch every byte, release) against a plain memcpy ----
# The libclif suites (tests/unit, tests/sim, tests/bench) include libclif.h.
DIR_CFLAGS_tests += -Ihostdrv/lib/include

$(BIN)/clif-bench-c2h: $(BUILD)/obj/tests/bench/bench_c2h.o $(BUILD)/obj/tests/sim/cardsim_proc.o \
		$(BUILD)/obj/hls/tb/pktgen.o $(LIB)/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ -lpcap $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-bench-c2h

# Fed by clif-cardsim replaying a pcap (tests/bench/bench_c2h.c says how).
.PHONY: bench-c2h
bench-c2h: $(BIN)/clif-bench-c2h $(BIN)/clif-cardsim
	$(BIN)/clif-bench-c2h $(BIN)

bench: bench-c2h

# Under `make bench`, after the table-manager bench: one benchmark at a time.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-c2h: | bench-fw-tables
endif

# ---- HI3 CC encoding (issue 5): etsi_cc_encode writing PS-PDUs into an in-cache ring, against
# asn1c's der_encode_to_buffer of the same PDUs and a plain memcpy of the same bytes ----
$(BUILD)/obj/tests/bench/bench_hi3.o: DIR_CFLAGS_tests += -isystem $(ASN1_GEN) -Ihostdrv/etsi
$(BUILD)/obj/tests/bench/bench_hi3.o: $(ASN1_GEN_MK)

$(BIN)/clif-bench-hi3: $(BUILD)/obj/tests/bench/bench_hi3.o $(ETSI_LIB) $(ETSI_ASN1_LIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@

ALL_PROGRAMS += $(BIN)/clif-bench-hi3

.PHONY: bench-hi3
bench-hi3: $(BIN)/clif-bench-hi3
	$(BIN)/clif-bench-hi3

bench: bench-hi3

# Under `make bench`, after the C2H consumer bench: one benchmark at a time. Its program (and
# the asn1c library) is built before the first benchmark starts, so no compiler competes.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-hi3: | bench-c2h
bench-fw-tables: | $(BIN)/clif-bench-hi3
endif

# ==== bench-x1 (issue 6) begin ====
# ---- clifd over X1: ActivateTask sent -> rule live on the card (p50, p99) and 10,000 tasks
# as fast as X1 allows, on one kept-alive TLS connection, against the X1 Ping round trip on
# that connection. Runs the real clifd and clif-cardsim through the clifd test harness
# (tests/clifd/harness.c); x1.h gives the batch size (X1_MAX_MESSAGES) ----
$(BUILD)/obj/tests/bench/bench_x1.o: DIR_CFLAGS_tests += -Ihostdrv/clifd

$(BIN)/clif-bench-x1: $(BUILD)/obj/tests/bench/bench_x1.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(LIB)/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ -lssl -lcrypto -lpcap $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-bench-x1

.PHONY: bench-x1
bench-x1: $(BIN)/clif-bench-x1 $(BIN)/clifd $(BIN)/clif-cardsim
	$(BIN)/clif-bench-x1 $(BIN)

bench: bench-x1

# Under `make bench`, after the HI3 bench: one benchmark at a time. Its programs (clifd and
# clif-cardsim too) are built before the first benchmark starts, so no compiler competes.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-x1: | bench-hi3
bench-fw-tables: | $(BIN)/clif-bench-x1 $(BIN)/clifd $(BIN)/clif-cardsim
endif
# ==== bench-x1 end ====

# ==== bench-e2e (issue 7) begin ====
# ---- captured traffic end to end: clif-cardsim replaying a pcap -> clifd -> mutual TLS -> a
# counting TLS sink inside the program (1500 B Gb/s and 64 B Mpps per clifd CPU second, 0 loss;
# ActivateTask -> first CC PDU), against the same records over a plain TLS socket pair. Runs
# the real clifd and clif-cardsim through the clifd test harness (tests/clifd/harness.c) ----
$(BUILD)/obj/tests/bench/bench_e2e.o: DIR_CFLAGS_tests += -Ihostdrv/etsi

$(BIN)/clif-bench-e2e: $(BUILD)/obj/tests/bench/bench_e2e.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(ETSI_LIB) $(LIB)/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ -lssl -lcrypto -lpcap -lpthread $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-bench-e2e

.PHONY: bench-e2e
bench-e2e: $(BIN)/clif-bench-e2e $(BIN)/clifd $(BIN)/clif-cardsim
	$(BIN)/clif-bench-e2e $(BIN)

bench: bench-e2e

# Under `make bench`, after the X1 bench: one benchmark at a time. Its program is built before
# the first benchmark starts, so no compiler competes.
ifneq ($(filter bench,$(MAKECMDGOALS)),)
bench-e2e: | bench-x1
bench-fw-tables: | $(BIN)/clif-bench-e2e
endif
# ==== bench-e2e end ====
