# hostdrv/etsi/: the fast-path HI3 CC encoder (issue 5): PS-PDUs with an IPCC iPPackets payload
# written from a pre-encoded header template (etsi_cc.h), no heap, no stdio. Built into
# build/lib/libclif-etsi.a. Its test (tests/etsi/test_etsi_cc.c) decodes what it encodes with
# the asn1c code of asn1/, so it uses the generated headers (-isystem) and libclif-asn1.a.
#
# This file is included from hostdrv/module.mk, before asn1/module.mk, so the asn1 paths are
# spelled out here ($(ASN1_GEN) etc. are not defined yet when prerequisites are read).

ETSI_LIB := $(BUILD)/lib/libclif-etsi.a
ETSI_SRCS := hostdrv/etsi/etsi_cc.c

$(ETSI_LIB): $(ETSI_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/obj/tests/etsi/test_etsi_cc.o: DIR_CFLAGS_tests += -isystem $(BUILD)/asn1/gen -Ihostdrv/etsi
$(BUILD)/obj/tests/etsi/test_etsi_cc.o: $(BUILD)/asn1/gen.mk

$(BIN)/clif-etsi-cc-test: $(BUILD)/obj/tests/etsi/test_etsi_cc.o $(ETSI_LIB) $(BUILD)/lib/libclif-asn1.a
	@mkdir -p $(@D)
	$(CC) $^ -o $@

ALL_PROGRAMS += $(ETSI_LIB) $(BIN)/clif-etsi-cc-test
check: $(BIN)/clif-etsi-cc-test
