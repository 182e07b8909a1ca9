# CLIF: one non-recursive Makefile. Each folder adds its part in a module.mk fragment.
# Output goes to $(BUILD) (default build/): programs in build/bin.
#
#   make            build everything
#   make check      every test (unit, C simulation, sanitizers, fuzz smoke); ends "N passed, N failed"
#   make csim       the data plane against its golden model over 1M random frames
#   make bench      performance figures (not a test)
#   make fuzz       run the ETSI stream fuzzer and the parser fuzzer, FUZZ_SECONDS (default 60) each

BUILD ?= build
CC ?= gcc
CXX ?= g++
FUZZ_CC ?= clang

WARN := -Wall -Wextra -Werror -Wshadow
CFLAGS_BASE := -std=c11 $(WARN) -O2 -g -MMD -MP
CXXFLAGS_BASE := -std=c++17 $(WARN) -O2 -g -MMD -MP
CPPFLAGS_BASE := -Iinclude -Ihls
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

BIN := $(BUILD)/bin

# Build on every core unless the caller chose (-j1 etc.).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif

.PHONY: all check csim bench fuzz deps clean
.DEFAULT_GOAL := all

# Installs missing Debian packages (quick when all are present).
deps:
	@scripts/install-deps

# Object trees, one per build variant: obj (normal), san (ASan+UBSan), bench (large tables).
# DIR_CFLAGS_<top folder> adds per-folder flags (hls/ allows #pragma HLS).
dir_flags = $(DIR_CFLAGS_$(firstword $(subst /, ,$(1))))

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_BASE) $(CFLAGS_BASE) $(call dir_flags,$<) -c $< -o $@

$(BUILD)/san/%.o: %.c | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS_BASE) $(CFLAGS_BASE) $(SAN_FLAGS) $(call dir_flags,$<) -c $< -o $@

$(BUILD)/obj/%.o: %.cpp | deps
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS_BASE) $(CXXFLAGS_BASE) $(call dir_flags,$<) -c $< -o $@

$(BUILD)/san/%.o: %.cpp | deps
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS_BASE) $(CXXFLAGS_BASE) $(SAN_FLAGS) $(call dir_flags,$<) -c $< -o $@

include hls/module.mk
include firmware/module.mk
include hostdrv/module.mk
include boards/sim/module.mk
include asn1/module.mk
include tests/module.mk

all: $(ALL_PROGRAMS)

# make demo: builds everything, then runs the whole chain once for a human: warrants over X1,
# the card's copies to an agency over TLS, checked byte for byte (scripts/demo; exit 0 only if
# every check held).
.PHONY: demo
demo: deps all
	@scripts/demo $(BIN)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
