# firmware/: the card's ARM firmware. The portable core (firmware/core) also builds for the
# host: the unit tests and clif-cardsim (boards/sim) link it.

DIR_CFLAGS_firmware := -Ifirmware/include

FW_CORE_SRCS := $(wildcard firmware/core/*.c)
FW_CORE_OBJS := $(FW_CORE_SRCS:%.c=$(BUILD)/obj/%.o)
FW_CORE_SAN_OBJS := $(FW_CORE_SRCS:%.c=$(BUILD)/san/%.o)

# ---- `make firmware`: one aarch64 image per board (boards/<board>/board.mk with
# BOARD_ARCH := aarch64): build/firmware/<board>/clif-fw.elf and <board>.dtb. Everything a
# board chooses is a BOARD_* variable of its board.mk (README.md, "For firmware engineers");
# nothing under firmware/ names a board.

FW_CROSS ?= aarch64-linux-gnu-
FW_CC := $(FW_CROSS)gcc
FW_SIZE := $(FW_CROSS)size
DTC ?= dtc
FW_OUT := $(BUILD)/firmware

# Debian's libfdt-dev:arm64, unpacked by scripts/install-deps (never committed).
CLIF_CACHE ?= /var/cache/clif
FW_LIBFDT ?= $(CLIF_CACHE)/libfdt-arm64
FW_LIBFDT_A := $(FW_LIBFDT)/usr/lib/aarch64-linux-gnu/libfdt.a

FW_BUILD_ID := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

# The platform: start-up, vectors, MMU, drivers, C library, device tree and boot. The stop
# path is the board's choice (BOARD_STOP).
FW_PLAT_SRCS := firmware/arch/aarch64/start.S firmware/arch/aarch64/vectors.S \
	firmware/arch/aarch64/exceptions.c firmware/arch/aarch64/mmu.c \
	$(wildcard firmware/drivers/*.c firmware/lib/*.c firmware/plat/*.c)
FW_STOP_SRC_semihosting := firmware/arch/aarch64/semihosting.c
FW_STOP_SRC_idle := firmware/arch/aarch64/stop_idle.c
FW_LDS := firmware/arch/aarch64/linker.ld

# -fno-builtin and no stack protector in our code; libfdt.a (stack-protected, uses the vector
# registers) gets its guard from firmware/lib and FP/SIMD enabled by start.S.
# -nostdinc: the compiler's own freestanding headers, firmware/lib/include for the rest; never
# the build machine's C library headers.
# (Asked once, when the first firmware file compiles: the cross compiler may be installed by
# the deps step of the same make run.)
FW_GCC_INCLUDE = $(eval FW_GCC_INCLUDE := $(shell $(FW_CC) -print-file-name=include))$(FW_GCC_INCLUDE)
FW_CPPFLAGS = -nostdinc -isystem $(FW_GCC_INCLUDE) -Iinclude \
	-Ifirmware/include -Ifirmware/lib/include -I$(FW_LIBFDT)/usr/include -I$(FW_OUT)/include
FW_CFLAGS := -std=c11 $(WARN) -O2 -g -MMD -MP -ffreestanding -fno-builtin -fno-stack-protector \
	-fno-pie -fno-pic -fno-common -fno-delete-null-pointer-checks -fno-asynchronous-unwind-tables \
	-fno-unwind-tables -ffunction-sections -fdata-sections -mcpu=cortex-a53 -mfix-cortex-a53-835769
FW_LDFLAGS := -nostdlib -nostartfiles -static -no-pie -Wl,--gc-sections -Wl,--fix-cortex-a53-843419 \
	-Wl,--build-id=none
# Code that runs before the MMU is on (every access Device memory: unaligned ones fault).
FW_EARLY_DIRS := firmware/arch/% firmware/drivers/% firmware/lib/% firmware/plat/% boards/%
fw_src_flags = $(call dir_flags,$(1)) $(if $(filter $(FW_EARLY_DIRS),$(1)),-mstrict-align) \
	$(if $(filter firmware/lib/%,$(1)),-fno-tree-loop-distribute-patterns -fno-strict-aliasing)

FW_BOARD_MKS := $(wildcard boards/*/board.mk)
FW_BOARDS :=

# fw_board_load,BOARD: reads boards/BOARD/board.mk into FWB_BOARD_* variables.
define fw_board_load
BOARD_ARCH :=
BOARD_LOAD_ADDR :=
BOARD_DTB_ADDR :=
BOARD_STOP :=
BOARD_SELFTEST := 0
BOARD_EARLY_UART :=
BOARD_STACK_SIZE := 0x10000
BOARD_SRCS :=
BOARD_CPPFLAGS :=
BOARD_QEMU :=
include boards/$(1)/board.mk
ifeq ($$(BOARD_ARCH),aarch64)
FW_BOARDS += $(1)
FWB_$(1)_LOAD_ADDR := $$(BOARD_LOAD_ADDR)
FWB_$(1)_STACK_SIZE := $$(BOARD_STACK_SIZE)
FWB_$(1)_QEMU := $$(BOARD_QEMU)
FWB_$(1)_SRCS := $$(FW_CORE_SRCS) $$(FW_PLAT_SRCS) $$(FW_STOP_SRC_$$(BOARD_STOP)) $$(BOARD_SRCS)
FWB_$(1)_CPPFLAGS := $$(BOARD_CPPFLAGS) -DFW_BOOT_SELFTEST=$$(BOARD_SELFTEST) \
	$$(if $$(BOARD_DTB_ADDR),-DFW_DTB_ADDR=$$(BOARD_DTB_ADDR)) \
	$$(if $$(BOARD_EARLY_UART),-DFW_EARLY_UART_COMPAT='"$$(word 1,$$(BOARD_EARLY_UART))"' \
		-DFW_EARLY_UART_BASE=$$(word 2,$$(BOARD_EARLY_UART)))
ifeq ($$(FW_STOP_SRC_$$(BOARD_STOP)),)
$$(error boards/$(1)/board.mk: BOARD_STOP must be semihosting or idle, not "$$(BOARD_STOP)")
endif
ifeq ($$(BOARD_LOAD_ADDR),)
$$(error boards/$(1)/board.mk: BOARD_LOAD_ADDR is not set)
endif
ifeq ($$(BOARD_SELFTEST)-$$(BOARD_STOP),1-idle)
$$(error boards/$(1)/board.mk: BOARD_SELFTEST needs BOARD_STOP := semihosting to report its result)
endif
ifneq ($$(BOARD_QEMU),)
ifneq ($$(BOARD_STOP),semihosting)
$$(error boards/$(1)/board.mk: a QEMU board (BOARD_QEMU) needs BOARD_STOP := semihosting)
endif
endif
else ifneq ($$(BOARD_ARCH),host)
$$(error boards/$(1)/board.mk: BOARD_ARCH must be aarch64 or host, not "$$(BOARD_ARCH)")
endif
endef

# fw_board_rules,BOARD: objects, image, device tree and QEMU arguments of one board.
define fw_board_rules
FWB_$(1)_OBJS := $$(addprefix $(FW_OUT)/$(1)/obj/,$$(addsuffix .o,$$(basename $$(FWB_$(1)_SRCS))))

$(FW_OUT)/$(1)/obj/%.o: %.c boards/$(1)/board.mk | deps $(FW_OUT)/include/fw_build_id.h
	@mkdir -p $$(@D)
	$$(FW_CC) $$(FW_CPPFLAGS) $$(FWB_$(1)_CPPFLAGS) $$(FW_CFLAGS) $$(call fw_src_flags,$$<) -c $$< -o $$@

$(FW_OUT)/$(1)/obj/%.o: %.S | deps
	@mkdir -p $$(@D)
	$$(FW_CC) $$(FW_CPPFLAGS) $$(FWB_$(1)_CPPFLAGS) -MMD -MP -mcpu=cortex-a53 -c $$< -o $$@

$(FW_OUT)/$(1)/clif-fw.elf: $$(FWB_$(1)_OBJS) $(FW_LDS) $(FW_LIBFDT_A) boards/$(1)/board.mk
	$$(FW_CC) $(FW_LDFLAGS) -T $(FW_LDS) -Wl,--defsym=FW_LOAD_ADDR=$$(FWB_$(1)_LOAD_ADDR) \
		-Wl,--defsym=FW_STACK_SIZE=$$(FWB_$(1)_STACK_SIZE) -Wl,-Map=$$@.map \
		$$(FWB_$(1)_OBJS) $(FW_LIBFDT_A) -lgcc -o $$@
	$(FW_SIZE) $$@

$(FW_OUT)/$(1)/$(1).dtb: boards/$(1)/$(1).dts boards/common/clif-card.dtsi | deps
	@mkdir -p $$(@D)
	$$(call fw_dtc,$$<,$$@,boards/$(1))

$(FW_OUT)/$(1)/qemu-args: boards/$(1)/board.mk
	@mkdir -p $$(@D)
	printf '%s\n' '$$(FWB_$(1)_QEMU)' >$$@

FW_IMAGES += $(FW_OUT)/$(1)/clif-fw.elf $(FW_OUT)/$(1)/$(1).dtb $$(if $$(FWB_$(1)_QEMU),$(FW_OUT)/$(1)/qemu-args)
endef

# fw_dtc,DTS,DTB,INCLUDE-DIR: the C preprocessor (for #include), then dtc. Nodes of
# boards/common/clif-card.dtsi have no unit address: the boards set their reg.
fw_dtc = cpp -nostdinc -undef -x assembler-with-cpp -Iboards/common -I$(3) -D__DTS__ $(1) \
	| $(DTC) -I dts -O dtb -Wno-unit_address_vs_reg -o $(2) -

FW_IMAGES :=
$(foreach b,$(patsubst boards/%/board.mk,%,$(FW_BOARD_MKS)),$(eval $(call fw_board_load,$(b))))
$(foreach b,$(FW_BOARDS),$(eval $(call fw_board_rules,$(b))))

# The build id is the short git commit; the header changes only when the commit does.
$(FW_OUT)/include/fw_build_id.h: FORCE
	@mkdir -p $(@D)
	@printf '#define FW_BUILD_ID "%s"\n' '$(FW_BUILD_ID)' >$@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(FW_LIBFDT_A): | deps
	@test -f $@ || { echo "$@ missing: run scripts/install-deps" >&2; exit 1; }

# Device trees of the malformed-input boot tests (tests/qemu/*.dts, built on a board's tree).
FW_TEST_DTBS := $(patsubst tests/qemu/%.dts,$(FW_OUT)/tests/%.dtb,$(wildcard tests/qemu/*.dts))
$(FW_OUT)/tests/%.dtb: tests/qemu/%.dts boards/common/clif-card.dtsi $(wildcard boards/*/*.dts) | deps
	@mkdir -p $(@D)
	$(call fw_dtc,$<,$@,tests/qemu)

# What `make check` boots (tests/run-check, tests/qemu/boot-test).
FW_CHECK_TARGETS := $(FW_IMAGES) $(FW_TEST_DTBS)

.PHONY: firmware FORCE
FORCE:
firmware: $(FW_IMAGES)
ALL_PROGRAMS += $(FW_IMAGES)
