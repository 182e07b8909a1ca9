# tests/tools/: clif-demo-traffic and clif-cc-compare run as programs (test_demo_traffic.c):
# the frames checked by hand and through the data plane's golden model, the expected CC files
# against the golden model's copies, clif-cc-compare's verdicts and exit statuses.

DEMO_TRAFFIC_TEST := $(BIN)/clif-test-demo-traffic

$(BUILD)/obj/tests/tools/%.o: DIR_CFLAGS_tests += -D_GNU_SOURCE

# The programs it runs are prerequisites so that building the suite builds them.
$(DEMO_TRAFFIC_TEST): $(BUILD)/obj/tests/tools/test_demo_traffic.o $(GOLDEN_OBJS) \
		$(BIN)/clif-demo-traffic $(BIN)/clif-cc-compare
	@mkdir -p $(@D)
	$(CC) $(filter %.o,$^) -lpcap -o $@

ALL_PROGRAMS += $(DEMO_TRAFFIC_TEST)
check: $(DEMO_TRAFFIC_TEST)
