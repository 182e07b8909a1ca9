# The XRT backend of libclif (hostdrv/lib/xrt.c) and its tests in XRT's no-op emulation.
#
# For libclif (hostdrv/module.mk):
#   LIBCLIF_XRT_SRCS    the backend's sources (compiled with DIR_CFLAGS_hostdrv: -I/usr/include/xrt)
#   LIBCLIF_XRT_LDLIBS  what every program linked with libclif needs for it
# (xrt.pc is broken in Debian's libxrt-dev, so no pkg-config.)
LIBCLIF_XRT_SRCS := hostdrv/lib/xrt.c
LIBCLIF_XRT_LDLIBS := -lxrt_coreutil

# Tests (tests/xrt): clif-mkxclbin writes the metadata-only xclbins, clif-xrt-noop-test drives
# the backend's ops table, tests/xrt/run-noop runs it in the emulation (make check).
$(BUILD)/obj/tests/xrt/%.o: CPPFLAGS_BASE += -I/usr/include/xrt -Ihostdrv/lib -Ihostdrv/lib/include

$(BIN)/clif-mkxclbin: $(BUILD)/obj/tests/xrt/mkxclbin.o
	@mkdir -p $(@D)
	$(CC) $^ -o $@

$(BIN)/clif-xrt-noop-test: $(BUILD)/obj/tests/xrt/test_xrt_noop.o $(LIBCLIF_XRT_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	$(CC) $^ $(LIBCLIF_XRT_LDLIBS) -o $@

XRT_TEST_PROGRAMS := $(BIN)/clif-mkxclbin $(BIN)/clif-xrt-noop-test
ALL_PROGRAMS += $(XRT_TEST_PROGRAMS)
check: $(XRT_TEST_PROGRAMS)
