# The card as a host process: clif-cardsim (boards/sim/module.mk builds it; README.md here).
# `make firmware` builds aarch64 boards only and skips this one: clif-cardsim links the host
# build of the firmware core (FW_CORE_OBJS) with its own port of fw/port.h.

BOARD_ARCH := host
