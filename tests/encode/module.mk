# tests/encode/: clif-encode end to end (issue 5). build/bin/clif-test-encode writes captures
# with libpcap, runs build/bin/clif-encode on them and decodes what it wrote: asn1c's decoder
# for TS 102 232-1 streams (so it sees the generated headers, -isystem), x2x3_parse for X2/X3.
# It also plays the receiver for --send, over TCP and TLS (OpenSSL).

ENCODE_TEST := $(BIN)/clif-test-encode

$(BUILD)/obj/tests/encode/%.o: DIR_CFLAGS_tests += -isystem $(ASN1_GEN) -Ihostdrv/etsi
$(BUILD)/obj/tests/encode/test_encode.o: $(ASN1_GEN_MK)

# clif-encode is a prerequisite so that building the suite builds what it runs.
$(ENCODE_TEST): $(BUILD)/obj/tests/encode/test_encode.o $(ETSI_LIB) $(ASN1_LIB) $(BIN)/clif-encode
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) -lpcap $(TLS_LDLIBS) -o $@

ALL_PROGRAMS += $(ENCODE_TEST)
check: $(ENCODE_TEST)
