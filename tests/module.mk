# tests/: unit suites (CppUTest), the fuzz target, benchmarks, and the check runner.

UNIT_SRCS := $(wildcard tests/unit/*.cpp)
UNIT_C_SRCS := $(HLS_SRCS) $(TB_SRCS) $(FW_CORE_SRCS) $(LIBCLIF_SRCS)

$(BIN)/clif-unit: $(UNIT_SRCS:%.cpp=$(BUILD)/obj/%.o) $(UNIT_C_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	$(CXX) $^ -lCppUTest -lCppUTestExt $(LIBCLIF_LDLIBS) -o $@

$(BIN)/clif-unit-san: $(UNIT_SRCS:%.cpp=$(BUILD)/san/%.o) $(UNIT_C_SRCS:%.c=$(BUILD)/san/%.o)
	@mkdir -p $(@D)
	$(CXX) $(SAN_FLAGS) $^ -lCppUTest -lCppUTestExt $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-unit $(BIN)/clif-unit-san

# ---- fuzzing (clang + libFuzzer); the target is differential: HLS vs golden model ----

FUZZ_SRCS := tests/fuzz/fuzz_dataplane.c $(HLS_SRCS) $(GOLDEN_SRCS) hls/tb/placer.c
FUZZ_SECONDS ?= 60
FUZZ_CORPUS := $(BUILD)/fuzz/corpus

$(BIN)/fuzz-dataplane: $(FUZZ_SRCS) | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS_BASE) -Ihls/tb -std=c11 $(WARN) -Wno-unknown-pragmas -O1 -g \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(FUZZ_SRCS) -o $@

$(BIN)/fuzz-mkseeds: $(BUILD)/obj/tests/fuzz/mkseeds.o $(BUILD)/obj/hls/tb/pktgen.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@

DIR_CFLAGS_tests := -Ihls/tb -Ifirmware/include

$(FUZZ_CORPUS)/.seeded: $(BIN)/fuzz-mkseeds
	@mkdir -p $(@D)
	$(BIN)/fuzz-mkseeds $(@D) 300
	@touch $@

FUZZ_PROGRAMS := $(BIN)/fuzz-dataplane $(BIN)/fuzz-mkseeds
ALL_PROGRAMS += $(FUZZ_PROGRAMS)

fuzz: $(BIN)/fuzz-dataplane $(FUZZ_CORPUS)/.seeded
	$(BIN)/fuzz-dataplane -max_len=9730 -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_CORPUS)

# ==== fuzz-stream (issue 5) begin ====
# The ETSI stream framer (hostdrv/etsi/etsi_stream.c) under libFuzzer: arbitrary bytes framed
# as a BER PS-PDU or X2/X3 stream, every framed PDU decoded (asn1c, x2x3_parse) and rejected
# when it does not decode, the byte accounting asserted (tests/fuzz/fuzz_stream.c). The ETSI
# library and asn1c's generated code are rebuilt with coverage and sanitizers under
# $(BUILD)/fuzz/. asn1c 0.9.28's skeletons shift negative or overflowing signed values
# (INTEGER.c asn_INTEGER2long, ber_tlv_length.c ber_fetch_length), which UBSan's shift check
# reports on hostile input: for the generated code only that one check is off.
FUZZ_STREAM_CORPUS := $(BUILD)/fuzz/stream-corpus
FUZZ_STREAM_SAN := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_STREAM_OBJ := $(BUILD)/fuzz/obj
FUZZ_STREAM_ASN1_OBJ := $(BUILD)/fuzz/asn1obj
FUZZ_STREAM_OBJS := $(FUZZ_STREAM_OBJ)/tests/fuzz/fuzz_stream.o \
	$(ETSI_SRCS:%.c=$(FUZZ_STREAM_OBJ)/%.o) \
	$(patsubst $(ASN1_GEN)/%.c,$(FUZZ_STREAM_ASN1_OBJ)/%.o,$(ASN1_GEN_SRCS))

$(FUZZ_STREAM_ASN1_OBJ)/%.o: $(ASN1_GEN)/%.c $(ASN1_GEN_MK) | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_STREAM_SAN) -fno-sanitize=shift -std=gnu11 -w -I$(ASN1_GEN) -c $< -o $@

$(FUZZ_STREAM_OBJ)/%.o: %.c $(ASN1_GEN_MK) | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_STREAM_SAN) -std=c11 $(WARN) -MMD -MP -D_GNU_SOURCE -Ihostdrv/etsi \
		-isystem $(ASN1_GEN) -c $< -o $@

$(BIN)/fuzz-stream: $(FUZZ_STREAM_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $^ -o $@

# The seed generator is the same source without the fuzz target (-DFUZZ_STREAM_MKSEEDS).
$(BIN)/fuzz-stream-mkseeds: tests/fuzz/fuzz_stream.c $(ETSI_LIB) | deps
	@mkdir -p $(@D)
	$(CC) -std=c11 $(WARN) -O2 -g -DFUZZ_STREAM_MKSEEDS -Ihostdrv/etsi $< $(ETSI_LIB) -o $@

$(FUZZ_STREAM_CORPUS)/.seeded: $(BIN)/fuzz-stream-mkseeds
	@mkdir -p $(@D)
	$(BIN)/fuzz-stream-mkseeds $(@D)
	@touch $@

ALL_PROGRAMS += $(BIN)/fuzz-stream $(BIN)/fuzz-stream-mkseeds

# `make fuzz` runs this target too (FUZZ_SECONDS each); `make check` builds it and its seeds
# for the smoke run in tests/run-check.
.PHONY: fuzz-stream
fuzz-stream: $(BIN)/fuzz-stream $(FUZZ_STREAM_CORPUS)/.seeded
	$(BIN)/fuzz-stream -max_len=4096 -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		$(FUZZ_STREAM_CORPUS)

fuzz: fuzz-stream
check: $(BIN)/fuzz-stream $(FUZZ_STREAM_CORPUS)/.seeded
# ==== fuzz-stream end ====

# ---- benchmarks: the model with the default tables (64K exact entries) and with tables
# built for 1M targets (2M exact entries), each against libpcap's BPF on the same frames ----

BENCH_SRCS := tests/bench/bench_dp.c $(HLS_SRCS) hls/tb/placer.c hls/tb/pktgen.c
BENCH_CFLAGS := $(CPPFLAGS_BASE) -Ihls/tb -std=c11 $(WARN) -O2 -g -Wno-unknown-pragmas

$(BIN)/clif-bench-dp: $(BENCH_SRCS) | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) $(BENCH_SRCS) -lpcap -o $@

$(BIN)/clif-bench-dp-1m: $(BENCH_SRCS) | deps
	@mkdir -p $(@D)
	$(CC) $(BENCH_CFLAGS) -DCLIF_DP_EXACT_WAY_SIZE=524288u -DCLIF_DP_RULE_SLOTS=2097152u \
		$(BENCH_SRCS) -lpcap -o $@

ALL_PROGRAMS += $(BIN)/clif-bench-dp $(BIN)/clif-bench-dp-1m

include tests/bench/module.mk

bench: $(BIN)/clif-bench-dp $(BIN)/clif-bench-dp-1m
	$(BIN)/clif-bench-dp-1m dp_model --optimized-bpf --mixed
	$(BIN)/clif-bench-dp dp_model_64ktable

# ---- make check: every suite; the runner prints one "N passed, N failed" line ----

CHECK_PROGRAMS := $(BIN)/clif-unit $(BIN)/clif-unit-san $(BIN)/clif-csim $(BIN)/clif-csim-san \
	$(BIN)/fuzz-dataplane $(FUZZ_CORPUS)/.seeded $(FW_CHECK_TARGETS)

check: $(CHECK_PROGRAMS)
	@BUILD=$(BUILD) CC=$(CC) CXX=$(CXX) tests/run-check

include tests/encode/module.mk
include tests/clifd/rulecomp.mk
include tests/clifd/daemon.mk
include tests/clifd/fuzz.mk
include tests/clifd/deliver.mk
include tests/clifd/e2e.mk
include tests/clifd/wire.mk
include tests/tools/module.mk
