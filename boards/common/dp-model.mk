# For boards whose table window is memory served by the data-plane model (the QEMU test
# boards): the HLS data plane built into the image with small tables (the firmware reads the
# sizes back from the window's geometry registers), and the doorbell glue.
# A board.mk includes this file after setting BOARD_SRCS and BOARD_CPPFLAGS.

BOARD_SRCS += hls/parser.c hls/tables.c hls/capture.c hls/dataplane.c boards/common/tw_model.c
BOARD_CPPFLAGS += -Ihls -DCLIF_DP_EXACT_WAY_SIZE=1024u -DCLIF_DP_RULE_SLOTS=8192u \
	-DCLIF_DP_PREFIX_ENTRIES=64u -DCLIF_DP_TERNARY_ENTRIES=32u
