# hls/: the data plane (synthesizable C), its golden model and its C-simulation testbench.

DIR_CFLAGS_hls := -Wno-unknown-pragmas

HLS_SRCS := hls/parser.c hls/tables.c hls/capture.c hls/dataplane.c hls/top.c
GOLDEN_SRCS := hls/golden/golden.c
TB_SRCS := hls/tb/pktgen.c hls/tb/placer.c

HLS_OBJS := $(HLS_SRCS:%.c=$(BUILD)/obj/%.o)
HLS_SAN_OBJS := $(HLS_SRCS:%.c=$(BUILD)/san/%.o)
GOLDEN_OBJS := $(GOLDEN_SRCS:%.c=$(BUILD)/obj/%.o)
GOLDEN_SAN_OBJS := $(GOLDEN_SRCS:%.c=$(BUILD)/san/%.o)
TB_OBJS := $(TB_SRCS:%.c=$(BUILD)/obj/%.o)
TB_SAN_OBJS := $(TB_SRCS:%.c=$(BUILD)/san/%.o)

$(BIN)/clif-csim: $(BUILD)/obj/hls/tb/csim.o $(HLS_OBJS) $(GOLDEN_OBJS) $(TB_OBJS)
	@mkdir -p $(@D)
	$(CC) $^ -o $@

$(BIN)/clif-csim-san: $(BUILD)/san/hls/tb/csim.o $(HLS_SAN_OBJS) $(GOLDEN_SAN_OBJS) $(TB_SAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(SAN_FLAGS) $^ -o $@

ALL_PROGRAMS += $(BIN)/clif-csim $(BIN)/clif-csim-san

CSIM_PACKETS ?= 1000000

csim: $(BIN)/clif-csim
	$(BIN)/clif-csim --packets $(CSIM_PACKETS)
