# tests/clifd/test_daemon.c runs the real clifd and clif-cardsim (and clifctl for `audit
# verify`) from the bin directory given as its argument, through the clifd test harness
# (tests/clifd/harness.c: PKI, configuration, processes, HTTPS client, X1 documents; also used
# by tests/bench/bench_x1.c): besides the pattern rule's libraries it links the harness and the
# cardsim process helper (tests/sim/cardsim_proc.c, which needs libpcap), and it wants those
# programs built.
$(BIN)/clif-test-clifd-daemon: $(BUILD)/obj/tests/clifd/test_daemon.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/clifd/report_server.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(BUILD)/lib/libclifd.a $(ETSI_LIB) $(BUILD)/lib/libclif.a \
		| $(BIN)/clifd $(BIN)/clif-cardsim $(BIN)/clifctl
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) -lpcap $(LIBCLIF_LDLIBS) -o $@

# tests/clifd/test_groupcommit.c runs clifd's daemon in its own process against clif-cardsim
# and makes the store fail on demand: it is linked with --wrap for store_commit and
# store_task_put (its own versions call the real ones), the harness and the cardsim helper.
$(BIN)/clif-test-clifd-groupcommit: $(BUILD)/obj/tests/clifd/test_groupcommit.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(BUILD)/lib/libclifd.a $(ETSI_LIB) $(BUILD)/lib/libclif.a | $(BIN)/clif-cardsim
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) -Wl,--wrap=store_commit,--wrap=store_task_put $(CLIFD_LDLIBS) -lpcap \
		$(LIBCLIF_LDLIBS) -o $@
