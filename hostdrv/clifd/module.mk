# hostdrv/clifd/: the daemon (issue 6). Everything but main.c goes into build/lib/libclifd.a so
# that the test programs and fuzz targets link the real modules:
#   model     tasks, destinations, X1 error codes, identifier text forms
#   x1        X1 (TS 103 221-1) messages: libxml2 parsing with DTDs, entities and network off,
#             response and report building
#   store     the task store: SQLite (WAL, synchronous writes), restored at start
#   audit     the hash-chained audit log and its verifier
#   rulecomp  targets + scope -> card rules through libclif, reference-counted keys
#   deliver   one TS 102 232-1 sender per destination (TLS, keep-alive, resend buffer)
#   server, config, ... (the daemon)
# Test suites: tests/clifd/test_NAME.c -> build/bin/clif-test-clifd-NAME.

CLIFD_LIB := $(BUILD)/lib/libclifd.a
CLIFD_SRCS := $(filter-out hostdrv/clifd/main.c,$(sort $(wildcard hostdrv/clifd/*.c)))
CLIFD_LDLIBS := -lxml2 -levent -levent_openssl -lsqlite3 -lssl -lcrypto -lpthread

# libxml2's headers live in their own folder.
$(BUILD)/obj/hostdrv/clifd/%.o: DIR_CFLAGS_hostdrv += -I/usr/include/libxml2

$(CLIFD_LIB): $(CLIFD_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

ALL_PROGRAMS += $(CLIFD_LIB)

ifneq ($(wildcard hostdrv/clifd/main.c),)
$(BIN)/clifd: $(BUILD)/obj/hostdrv/clifd/main.o $(CLIFD_LIB) $(ETSI_LIB) $(BUILD)/lib/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ $(CLIFD_LDLIBS) $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clifd
check: $(BIN)/clifd
endif

CLIFD_TEST_SRCS := $(sort $(wildcard tests/clifd/test_*.c))
CLIFD_TESTS := $(patsubst tests/clifd/test_%.c,$(BIN)/clif-test-clifd-%,$(CLIFD_TEST_SRCS))

$(BUILD)/obj/tests/clifd/%.o: DIR_CFLAGS_tests += -Ihostdrv/clifd -Ihostdrv/lib/include -I/usr/include/libxml2

$(BIN)/clif-test-clifd-%: $(BUILD)/obj/tests/clifd/test_%.o $(CLIFD_LIB) $(ETSI_LIB) $(BUILD)/lib/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ $(CLIFD_LDLIBS) $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(CLIFD_TESTS)
check: $(CLIFD_TESTS)

# The suites' objects are intermediates of the pattern rule: keep them (no rebuild next time).
.SECONDARY: $(CLIFD_TEST_SRCS:%.c=$(BUILD)/obj/%.o)
