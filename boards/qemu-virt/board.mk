# QEMU -M virt with a Cortex-A53: the CLIF firmware's main test board. The table window is the
# data-plane model in memory; the firmware runs its boot self-test and exits via semihosting.
# Variables: README.md, "For firmware engineers".

BOARD_ARCH := aarch64
BOARD_LOAD_ADDR := 0x40200000
BOARD_DTB_ADDR := 0x40000000
BOARD_STOP := semihosting
BOARD_SELFTEST := 1
BOARD_EARLY_UART := arm,pl011 0x09000000
BOARD_SRCS :=
BOARD_CPPFLAGS :=
BOARD_QEMU := -M virt -cpu cortex-a53
include boards/common/dp-model.mk
