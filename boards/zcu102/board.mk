# QEMU -M xlnx-zcu102 (Zynq UltraScale+ MPSoC, 4x Cortex-A53, Cadence UART): the closest QEMU
# has to the SmartNIC's processing system. Test board: data-plane model, boot self-test,
# semihosting exit. QEMU leaves the device tree at the start of DDR (address 0).

BOARD_ARCH := aarch64
BOARD_LOAD_ADDR := 0x00200000
BOARD_DTB_ADDR := 0x0
BOARD_STOP := semihosting
BOARD_SELFTEST := 1
BOARD_EARLY_UART := cdns,uart-r1p12 0xff000000
BOARD_SRCS :=
BOARD_CPPFLAGS :=
BOARD_QEMU := -M xlnx-zcu102 -audiodev none,id=snd0
include boards/common/dp-model.mk
