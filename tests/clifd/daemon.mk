# tests/clifd/test_daemon.c runs the real clifd and clif-cardsim (and clifctl for `audit
# verify`) from the bin directory given as its argument: besides the pattern rule's libraries
# it links the cardsim process helper (tests/sim/cardsim_proc.c, which needs libpcap), and it
# wants those programs built.
$(BIN)/clif-test-clifd-daemon: $(BUILD)/obj/tests/clifd/test_daemon.o $(BUILD)/obj/tests/sim/cardsim_proc.o \
		$(BUILD)/lib/libclifd.a $(BUILD)/lib/libclif.a | $(BIN)/clifd $(BIN)/clif-cardsim $(BIN)/clifctl
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) -lpcap $(LIBCLIF_LDLIBS) -o $@
