# The card as a host process (clif-cardsim, next issue): the same firmware core built for the
# host, behind a shared-memory BAR0 and DMA region, with the data-plane model serving the
# table window. Nothing to build here yet: `make firmware` builds aarch64 boards only, and the
# host build of the core is what the unit tests already link (firmware/module.mk).

BOARD_ARCH := host
