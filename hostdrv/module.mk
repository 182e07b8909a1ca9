# hostdrv/: the host side. libclif (hostdrv/lib), tools.
#
# libclif: one set of position-independent objects makes both build/lib/libclif.a and
# build/lib/libclif.so. Its backends: sim.c (clif-cardsim's shared memory) and xrt.c (Alveo
# cards through XRT; hostdrv/lib/xrt.mk adds what that backend needs to link).

DIR_CFLAGS_hostdrv := -Ihostdrv/lib/include -Ihostdrv/lib -I/usr/include/xrt -D_GNU_SOURCE -fPIC

include hostdrv/lib/xrt.mk
include hostdrv/etsi/module.mk
include hostdrv/clifd/module.mk

LIB := $(BUILD)/lib
LIBCLIF_SRCS := hostdrv/lib/clif.c hostdrv/lib/mbox.c hostdrv/lib/mbox_lock.c hostdrv/lib/rules.c hostdrv/lib/c2h.c hostdrv/lib/sim.c \
	$(LIBCLIF_XRT_SRCS)
# What a program linked with libclif needs besides (-l names only: the unit tests list them as
# prerequisites, which make resolves to the libraries' paths).
LIBCLIF_LDLIBS := $(LIBCLIF_XRT_LDLIBS)

LIBCLIF_OBJS := $(LIBCLIF_SRCS:%.c=$(BUILD)/obj/%.o)

$(LIB)/libclif.a: $(LIBCLIF_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(LIB)/libclif.so: $(LIBCLIF_OBJS)
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,libclif.so -Wl,--no-undefined $^ $(LIBCLIF_LDLIBS) -o $@

# clifctl: the card's diagnostic command (control-only handle: it never takes the C2H ring), and
# `clifctl audit verify`, which needs clifd's audit-log verifier (audit.o, HMAC from libcrypto).
$(BIN)/clifctl: $(BUILD)/obj/hostdrv/tools/clifctl.o $(BUILD)/obj/hostdrv/clifd/audit.o $(LIB)/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ $(LIBCLIF_LDLIBS) -lcrypto -o $@

ALL_PROGRAMS += $(LIB)/libclif.a $(LIB)/libclif.so $(BIN)/clifctl

# clif-demo-traffic: the traffic of `make demo` and the CC each demo target must receive of it;
# clif-cc-compare: checks what clif-lemf received against that (tests/tools).
DEMO_TRAFFIC_OBJS := $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard hostdrv/tools/demo_traffic*.c))

$(BIN)/clif-demo-traffic: $(DEMO_TRAFFIC_OBJS)
	@mkdir -p $(@D)
	$(CC) $^ -lpcap -o $@

$(BIN)/clif-cc-compare: $(BUILD)/obj/hostdrv/tools/cc_compare.o
	@mkdir -p $(@D)
	$(CC) $^ -lpcap -o $@

ALL_PROGRAMS += $(BIN)/clif-demo-traffic $(BIN)/clif-cc-compare

# libclif and clifctl end to end against clif-cardsim (tests/sim/e2e.c, run by tests/run-check).
$(BIN)/clif-libclif-e2e: $(BUILD)/obj/tests/sim/e2e.o $(BUILD)/obj/tests/sim/cardsim_proc.o $(GOLDEN_OBJS) $(BUILD)/obj/hls/tb/pktgen.o $(LIB)/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ -lpcap $(LIBCLIF_LDLIBS) -o $@

# libclif's fault handling against clif-cardsim: ring overflow, resets and replay, ABI refusal,
# mailbox timeout, heartbeat loss (tests/sim/e2e_faults.c, run by tests/run-check).
$(BIN)/clif-libclif-faults: $(BUILD)/obj/tests/sim/e2e_faults.o $(BUILD)/obj/tests/sim/cardsim_proc.o \
		$(BUILD)/obj/tests/sim/cardsim_watchdog.o $(BUILD)/obj/hls/tb/pktgen.o $(LIB)/libclif.a
	@mkdir -p $(@D)
	$(CC) $^ -lpcap $(LIBCLIF_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-libclif-e2e $(BIN)/clif-libclif-faults
check: $(BIN)/clif-libclif-e2e $(BIN)/clif-libclif-faults $(BIN)/clifctl $(BIN)/clif-cardsim
