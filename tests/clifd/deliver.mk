# tests/clifd/test_deliver.c drives clifd's TS 102 232-1 and X2/X3 sender (hostdrv/clifd/deliver.c) against
# the real clif-lemf, started from the bin directory given as its argument: besides the pattern
# rule's libraries it links the ETSI encoders (libclif-etsi.a, which deliver.c needs too) and
# sees their headers, and it wants clif-lemf built.
$(BUILD)/obj/tests/clifd/test_deliver.o: DIR_CFLAGS_tests += -Ihostdrv/etsi

$(BIN)/clif-test-clifd-deliver: $(BUILD)/obj/tests/clifd/test_deliver.o $(BUILD)/lib/libclifd.a \
		$(BUILD)/lib/libclif-etsi.a $(BUILD)/lib/libclif.a | $(BIN)/clif-lemf
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) $(LIBCLIF_LDLIBS) -o $@
