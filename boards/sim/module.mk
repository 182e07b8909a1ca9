# boards/sim: clif-cardsim, the card as a host process (boards/sim/README.md): the firmware
# core built for the host, the HLS data-plane model and the testbench's frame generator behind
# a shared-memory BAR0 and DMA region. tests/sim holds its tests and their helper, clif-simpeek.

SIM_SRCS := $(wildcard boards/sim/*.c)
SIM_OBJS := $(SIM_SRCS:%.c=$(BUILD)/obj/%.o)

# Only these objects: the firmware's host objects stay as the unit tests build them.
# fw_build_id.h (the firmware build's, FW_BUILD_ID) gives the identity block its build id.
$(SIM_OBJS): CPPFLAGS_BASE += -D_GNU_SOURCE -Ifirmware/include -Ihls/tb -I$(FW_OUT)/include
$(SIM_OBJS): $(FW_OUT)/include/fw_build_id.h

$(BIN)/clif-cardsim: $(SIM_OBJS) $(FW_CORE_OBJS) $(HLS_OBJS) $(BUILD)/obj/hls/tb/pktgen.o
	@mkdir -p $(@D)
	$(CC) $^ -lpcap -lpthread -lrt -o $@

# Test helper: reads and pokes a simulated card's shared memory, writes test pcaps.
$(BUILD)/obj/tests/sim/simpeek.o: CPPFLAGS_BASE += -D_GNU_SOURCE

$(BIN)/clif-simpeek: $(BUILD)/obj/tests/sim/simpeek.o
	@mkdir -p $(@D)
	$(CC) $^ -lrt -o $@

SIM_PROGRAMS := $(BIN)/clif-cardsim $(BIN)/clif-simpeek
ALL_PROGRAMS += $(SIM_PROGRAMS)

# `make check` runs tests/sim (tests/run-check).
check: $(SIM_PROGRAMS)
