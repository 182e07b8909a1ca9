# ==== fuzz-x1 (issue 6) ====
# clifd's X1 message layer (hostdrv/clifd/x1*.c) under libFuzzer: arbitrary bytes parsed as an
# X1Request, every parsed message answered (its matching response and an ErrorResponse), a
# refused document answered with X1TopLevelErrorResponse, the parser and builder invariants
# asserted (tests/fuzz/fuzz_x1.c). The x1 sources and model.c are rebuilt with coverage and
# sanitizers under $(BUILD)/fuzz/x1obj. The seed generator (the same source without the
# target) writes a request of every kind into $(BUILD)/fuzz/x1-corpus and a dictionary of X1
# names into $(BUILD)/fuzz/x1.dict.
FUZZ_X1_CORPUS := $(BUILD)/fuzz/x1-corpus
FUZZ_X1_DICT := $(BUILD)/fuzz/x1.dict
FUZZ_X1_OBJ := $(BUILD)/fuzz/x1obj
FUZZ_X1_SAN := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_X1_SRCS := tests/fuzz/fuzz_x1.c $(sort $(wildcard hostdrv/clifd/x1*.c)) hostdrv/clifd/model.c
FUZZ_X1_OBJS := $(FUZZ_X1_SRCS:%.c=$(FUZZ_X1_OBJ)/%.o)

$(FUZZ_X1_OBJ)/%.o: %.c | deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_X1_SAN) $(CPPFLAGS_BASE) -std=c11 $(WARN) -MMD -MP -Ihostdrv/clifd \
		-I/usr/include/libxml2 -c $< -o $@

$(BIN)/fuzz-x1: $(FUZZ_X1_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) -fsanitize=fuzzer,address,undefined $^ -lxml2 -lcrypto -lpthread -o $@

$(BIN)/fuzz-x1-mkseeds: tests/fuzz/fuzz_x1.c hostdrv/clifd/x1.h hostdrv/clifd/model.h | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_BASE) -std=c11 $(WARN) -O2 -g -DFUZZ_X1_MKSEEDS -Ihostdrv/clifd $< -o $@

$(FUZZ_X1_CORPUS)/.seeded: $(BIN)/fuzz-x1-mkseeds
	@mkdir -p $(@D)
	$(BIN)/fuzz-x1-mkseeds $(@D)
	@touch $@

ALL_PROGRAMS += $(BIN)/fuzz-x1 $(BIN)/fuzz-x1-mkseeds

# `make fuzz` runs it for FUZZ_SECONDS; `make check` builds it and its seeds for the smoke run
# in tests/run-check.
.PHONY: fuzz-x1
fuzz-x1: $(BIN)/fuzz-x1 $(FUZZ_X1_CORPUS)/.seeded
	$(BIN)/fuzz-x1 -max_len=65536 -dict=$(FUZZ_X1_DICT) -max_total_time=$(FUZZ_SECONDS) \
		-print_final_stats=1 $(FUZZ_X1_CORPUS)

fuzz: fuzz-x1
check: $(BIN)/fuzz-x1 $(FUZZ_X1_CORPUS)/.seeded
