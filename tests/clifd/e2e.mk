# tests/clifd/test_e2e.c: the whole chain (clif-demo-traffic -> clif-cardsim -> clifd -> clif-lemf,
# compared with clif-cc-compare) through the clifd test harness; it runs those programs from the
# bin directory given as its argument.
$(BIN)/clif-test-clifd-e2e: $(BUILD)/obj/tests/clifd/test_e2e.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/clifd/report_server.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(BUILD)/lib/libclifd.a $(ETSI_LIB) $(BUILD)/lib/libclif.a \
		| $(BIN)/clifd $(BIN)/clif-cardsim $(BIN)/clifctl $(BIN)/clif-lemf $(BIN)/clif-demo-traffic \
		$(BIN)/clif-cc-compare
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) -lpcap $(LIBCLIF_LDLIBS) -o $@

# tests/clifd/test_random.c: clif-cardsim's random and damaged frames through clifd (tasks on
# 0.0.0.0/0 and ::/0) to a clif-lemf; the same harness and programs.
$(BIN)/clif-test-clifd-random: $(BUILD)/obj/tests/clifd/test_random.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(BUILD)/lib/libclifd.a $(ETSI_LIB) $(BUILD)/lib/libclif.a \
		| $(BIN)/clifd $(BIN)/clif-cardsim $(BIN)/clif-lemf
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) -lpcap $(LIBCLIF_LDLIBS) -o $@
