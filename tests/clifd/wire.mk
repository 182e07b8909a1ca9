# tests/clifd/test_wire.c: VMs as network namespaces behind clif-cardsim --wire, clifd and
# clif-lemf over mutual TLS; it captures on the card's ports with libpcap, runs its own TCP
# client and server in the namespaces (a thread and child processes) and runs clifd,
# clif-cardsim and clif-lemf from the bin directory given as its argument. Root only (it skips
# without).
$(BIN)/clif-test-clifd-wire: $(BUILD)/obj/tests/clifd/test_wire.o $(BUILD)/obj/tests/clifd/harness.o \
		$(BUILD)/obj/tests/sim/cardsim_proc.o $(BUILD)/lib/libclifd.a $(ETSI_LIB) $(BUILD)/lib/libclif.a \
		| $(BIN)/clifd $(BIN)/clif-cardsim $(BIN)/clif-lemf
	@mkdir -p $(@D)
	$(CC) $(filter %.o %.a,$^) $(CLIFD_LDLIBS) -lpcap $(LIBCLIF_LDLIBS) -o $@
