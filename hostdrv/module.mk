# hostdrv/: the host side. libclif (hostdrv/lib), tools.

DIR_CFLAGS_hostdrv := -Ihostdrv/lib/include -Ihostdrv/lib -I/usr/include/xrt

include hostdrv/lib/xrt.mk
