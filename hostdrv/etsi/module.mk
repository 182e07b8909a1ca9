# hostdrv/etsi/: the ETSI handover library (issue 5), build/lib/libclif-etsi.a:
#   etsi_cc    HI3 CC PS-PDUs from a pre-encoded header template (the fast path)
#   etsi_pdu   HI2 IRI and TRI PS-PDUs, sequence numbers per context and payload type
#   x2x3       X2/X3 PDUs (TS 103 221-2): encoder, framer, parser
#   etsi_stream  framing of received byte streams, with resynchronisation
#   etsi_err   the library's error codes and etsi_strerror()
#   ber_put.h  static inline BER writers shared by the encoders
# No heap and no stdio on any encode path. The programs built on it: clif-lemf
# (hostdrv/lemf/) and clif-encode (hostdrv/encode/).
#
# This file is included from hostdrv/module.mk, before asn1/module.mk, so the asn1 paths are
# spelled out here ($(ASN1_GEN) etc. are not defined yet when prerequisites are read).

ETSI_LIB := $(BUILD)/lib/libclif-etsi.a
ETSI_SRCS := $(sort $(wildcard hostdrv/etsi/*.c))
ETSI_ASN1_LIB := $(BUILD)/lib/libclif-asn1.a
ETSI_ASN1_GEN_MK := $(BUILD)/asn1/gen.mk
TLS_LDLIBS := -lssl -lcrypto

$(ETSI_LIB): $(ETSI_SRCS:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# ---- unit suites: tests/etsi/test_NAME.c -> build/bin/clif-test-NAME. They check what the
# library encodes with asn1c's decoder, so they see the generated headers (-isystem). ----
ETSI_TEST_SRCS := $(sort $(wildcard tests/etsi/test_*.c))
ETSI_TESTS := $(patsubst tests/etsi/test_%.c,$(BIN)/clif-test-%,$(ETSI_TEST_SRCS))

$(BUILD)/obj/tests/etsi/%.o: DIR_CFLAGS_tests += -isystem $(BUILD)/asn1/gen -Ihostdrv/etsi
$(ETSI_TEST_SRCS:%.c=$(BUILD)/obj/%.o): $(ETSI_ASN1_GEN_MK)

$(BIN)/clif-test-%: $(BUILD)/obj/tests/etsi/test_%.o $(ETSI_LIB) $(ETSI_ASN1_LIB)
	@mkdir -p $(@D)
	$(CC) $^ -o $@

ALL_PROGRAMS += $(ETSI_LIB) $(ETSI_TESTS)
check: $(ETSI_TESTS)

# ---- clif-lemf: the LEMF-side receiver for acceptance tests (hostdrv/lemf/) ----
LEMF_SRCS := $(sort $(wildcard hostdrv/lemf/*.c))
ifneq ($(LEMF_SRCS),)
$(BUILD)/obj/hostdrv/lemf/%.o: DIR_CFLAGS_hostdrv += -isystem $(BUILD)/asn1/gen -Ihostdrv/etsi
$(LEMF_SRCS:%.c=$(BUILD)/obj/%.o): $(ETSI_ASN1_GEN_MK)

$(BIN)/clif-lemf: $(LEMF_SRCS:%.c=$(BUILD)/obj/%.o) $(ETSI_LIB) $(ETSI_ASN1_LIB)
	@mkdir -p $(@D)
	$(CC) $^ -lpcap $(TLS_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-lemf
check: $(BIN)/clif-lemf
endif

# ---- clif-encode: pcap -> the byte stream CLIF would send (hostdrv/encode/). It finds the IP
# datagram in each frame with the data plane's own parser (hls/parser.c), so it strips exactly
# the layers the card reports. ----
ENCODE_SRCS := $(sort $(wildcard hostdrv/encode/*.c))
ifneq ($(ENCODE_SRCS),)
$(BUILD)/obj/hostdrv/encode/%.o: DIR_CFLAGS_hostdrv += -Ihostdrv/etsi

$(BIN)/clif-encode: $(ENCODE_SRCS:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/hls/parser.o $(ETSI_LIB)
	@mkdir -p $(@D)
	$(CC) $^ -lpcap $(TLS_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-encode
check: $(BIN)/clif-encode
endif

# ---- clif-lemf end to end: streams from the library fed to the real program, from files and
# over TCP and TLS (tests/lemf/test_lemf.c; it generates its certificates with openssl). ----
$(BUILD)/obj/tests/lemf/%.o: DIR_CFLAGS_tests += -isystem $(BUILD)/asn1/gen -Ihostdrv/etsi
$(BUILD)/obj/tests/lemf/test_lemf.o: $(ETSI_ASN1_GEN_MK)

$(BIN)/clif-test-lemf: $(BUILD)/obj/tests/lemf/test_lemf.o $(ETSI_LIB) $(ETSI_ASN1_LIB)
	@mkdir -p $(@D)
	$(CC) $^ -lpcap $(TLS_LDLIBS) -o $@

ALL_PROGRAMS += $(BIN)/clif-test-lemf
check: $(BIN)/clif-test-lemf

# The suites' objects are intermediates of the pattern rule: keep them (no rebuild next time).
.SECONDARY: $(ETSI_TEST_SRCS:%.c=$(BUILD)/obj/%.o)
