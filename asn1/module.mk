# asn1/: the ASN.1 modules CLIF encodes and decodes. asn1c generates the C at build time into
# $(BUILD)/asn1/gen (never committed); the generated types plus asn1c's skeleton files (BER/DER
# codecs, constraint checks) make $(BUILD)/lib/libclif-asn1.a.
#
# Generation writes $(BUILD)/asn1/gen.mk, the list of generated sources, which is included
# here: make rebuilds it (re-running asn1c) whenever an .asn file changes, then restarts with
# the new list. asn1c's output is not warning-clean, so only the generated folder compiles
# with warnings off (-w); code that uses it includes the headers with -isystem.

ASN1_MODULES := $(sort $(wildcard asn1/*.asn))
ASN1_GEN := $(BUILD)/asn1/gen
ASN1_GEN_MK := $(BUILD)/asn1/gen.mk
ASN1_OBJ := $(BUILD)/asn1/obj
ASN1_LIB := $(BUILD)/lib/libclif-asn1.a

# -fcompound-names: nested types get prefixed C names (no clashes between modules' inner types);
# -fincludes-quoted: generated files include each other with "" so -isystem/-I both work.
ASN1C_FLAGS := -fcompound-names -fincludes-quoted -pdu=PS-PDU
ASN1_CFLAGS := -std=gnu11 -O2 -g -MMD -MP -w -I$(ASN1_GEN)

# asn1c also writes a sample Makefile and a sample converter with a main(): both removed.
$(ASN1_GEN_MK): $(ASN1_MODULES) asn1/module.mk | deps
	@rm -rf $(ASN1_GEN)
	@mkdir -p $(ASN1_GEN)
	cd $(ASN1_GEN) && asn1c $(ASN1C_FLAGS) $(abspath $(ASN1_MODULES)) >asn1c.log 2>&1 \
		|| { cat asn1c.log; exit 1; }
	@rm -f $(ASN1_GEN)/converter-sample.c $(ASN1_GEN)/Makefile.am.sample
	@{ printf 'ASN1_GEN_SRCS :='; \
	   for f in $(ASN1_GEN)/*.c; do printf ' %s' "$$f"; done; echo; } >$@.tmp
	@mv $@.tmp $@

ifeq ($(filter clean deps,$(MAKECMDGOALS)),)
include $(ASN1_GEN_MK)
endif

ASN1_GEN_OBJS := $(patsubst $(ASN1_GEN)/%.c,$(ASN1_OBJ)/%.o,$(ASN1_GEN_SRCS))

$(ASN1_OBJ)/%.o: $(ASN1_GEN)/%.c $(ASN1_GEN_MK)
	@mkdir -p $(@D)
	$(CC) $(ASN1_CFLAGS) -c $< -o $@

$(ASN1_LIB): $(ASN1_GEN_OBJS)
	@mkdir -p $(@D)
	@rm -f $@
	$(AR) rcs $@ $^

# Project code that uses the generated types: headers as system headers (their warnings are
# asn1c's), the project's own warnings in full.
ASN1_CPPFLAGS := -isystem $(ASN1_GEN)

# A round trip of one PS-PDU through the generated code (placeholder for the encoder's suite).
$(BUILD)/obj/tests/asn1/asn1_smoke.o: DIR_CFLAGS_tests += $(ASN1_CPPFLAGS)
$(BUILD)/obj/tests/asn1/asn1_smoke.o: $(ASN1_GEN_MK)

$(BIN)/clif-asn1-smoke: $(BUILD)/obj/tests/asn1/asn1_smoke.o $(ASN1_LIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@

ALL_PROGRAMS += $(ASN1_LIB) $(BIN)/clif-asn1-smoke
check: $(BIN)/clif-asn1-smoke
