# Xilinx Alveo U25N SmartNIC: the Zynq UltraScale+ processing system on the card runs the
# firmware; the table window is the FPGA's. Production board: no self-test, no semihosting
# (plat_stop parks the core), the device tree comes from the boot loader in x0.
# Builds here; cannot boot here (README.md).

BOARD_ARCH := aarch64
BOARD_LOAD_ADDR := 0x00200000
BOARD_DTB_ADDR :=
BOARD_STOP := idle
BOARD_SELFTEST := 0
BOARD_EARLY_UART := cdns,uart-r1p12 0xff000000
BOARD_SRCS :=
BOARD_CPPFLAGS :=
BOARD_QEMU :=
