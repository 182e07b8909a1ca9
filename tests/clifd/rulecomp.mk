# tests/clifd/test_rulecomp.c runs the rule compiler against a real clif-cardsim: besides the
# pattern rule's libraries it links the cardsim process helper (tests/sim/cardsim_proc.c, which
# writes pcaps with libpcap) and its watchdog (tests/sim/cardsim_watchdog.c), and builds
# clif-cardsim, which it starts from the bin directory given as its argument.
$(BIN)/clif-test-clifd-rulecomp: $(BUILD)/obj/tests/clifd/test_rulecomp.o $(BUILD)/obj/tests/sim/cardsim_proc.o \
		$(BUILD)/obj/tests/sim/cardsim_watchdog.o $(BUILD)/lib/libclifd.a $(BUILD)/lib/libclif.a $(BIN)/clif-cardsim
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) -lpcap $(LIBCLIF_LDLIBS) -o $@
