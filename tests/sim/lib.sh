# Shared by the clif-cardsim tests (tests/sim/cardsim-*): sourced, not run.
# Each test uses its own instance numbers (from its pid) and scratch folder, and stops every
# clif-cardsim it started when it ends, however it ends.
BUILD=${BUILD:-build}
CARDSIM=$BUILD/bin/clif-cardsim
PEEK=$BUILD/bin/clif-simpeek
TMP=$(mktemp -d "${TMPDIR:-/tmp}/clif-simtest.XXXXXX")
INST=$((20000 + $$ % 20000 * 2))
CARD_PIDS=""
SIM_PREFIX=""

sim_cleanup() {
	for p in $CARD_PIDS; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in $CARD_PIDS; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap sim_cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*"
	for f in "$TMP"/card-*.log; do
		[ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
	done
	exit 1
}
ok() { echo "ok: $*"; }

# start_card INSTANCE ARGS...: starts clif-cardsim in the background (log $TMP/card-INSTANCE.log),
# sets CARD_PID and waits until the card is up.
start_card() {
	inst=$1
	shift
	$SIM_PREFIX "$CARDSIM" --instance "$inst" "$@" >"$TMP/card-$inst.log" 2>&1 &
	CARD_PID=$!
	CARD_PIDS="$CARD_PIDS $CARD_PID"
	"$PEEK" wait "$inst" 5 || fail "card $inst did not come up ($*)"
}

# stop_card PID [SIGNAL]: signals it and returns its exit status.
stop_card() {
	kill "-${2:-TERM}" "$1"
	wait "$1"
	rc=$?
	CARD_PIDS=$(echo "$CARD_PIDS" | sed "s/ $1\b//")
	return $rc
}

# get INSTANCE KEY: one field of the card (clif-simpeek show lists them).
get() { "$PEEK" get "$1" "$2"; }

# wait_eq INSTANCE KEY VALUE [SECONDS]: until the field equals VALUE.
wait_eq() {
	n=0
	lim=$((${4:-10} * 20))
	while [ "$(get "$1" "$2")" != "$3" ]; do
		n=$((n + 1))
		[ $n -ge $lim ] && fail "card $1: $2 is $(get "$1" "$2"), not $3, after ${4:-10} s"
		sleep 0.05
	done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

shm_gone() {
	[ ! -e "/dev/shm/clif-card-$1" ] || fail "/dev/shm/clif-card-$1 left behind"
}
