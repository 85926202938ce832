# Shell functions for a pcscd and a card rack of our own, sourced inside scripts/in-private-pcscd.
# Expects $WORK (a scratch folder) and $BIN (the build's bin folder).

# start_pcscd [READERS]: pcscd with READERS vpcd readers (default 4: eight slots, "Virtual PCD 00
# 00", "Virtual PCD 00 01", "Virtual PCD 1 00 00", ...), configured by `card-sim --reader-conf`.
start_pcscd() {
  local readers=${1:-4}
  mkdir -p "$WORK/reader.conf.d"
  "$BIN/card-sim" --reader-conf "$readers" --driver-copies "$WORK/vpcd-drivers" > "$WORK/reader.conf.d/vpcd"
  ${PCSCD_PREFIX:-} pcscd --foreground --config "$WORK/reader.conf.d" >"$WORK/pcscd.log" 2>&1 &
  PCSCD_PID=$!
  for _ in $(seq 1 200); do
    if "$BIN/ceremony" readers >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  echo "error: pcscd did not start; its log:" >&2
  cat "$WORK/pcscd.log" >&2
  return 1
}

# start_rack [READERS]: one card-sim serving the cards $WORK/rack/NAME.json in the readers of
# start_pcscd; `rack REQUEST...` talks to it.
start_rack() {
  ${RACK_PREFIX:-} "$BIN/card-sim" --quiet --rack "$WORK/rack" --readers "${1:-4}" &
  RACK_PID=$!
  rack list >/dev/null
}

# rack REQUEST...: `card-sim ctl` for the rack of start_rack (insert CARD --wait, remove CARD, list...).
rack() {
  "$BIN/card-sim" ctl --rack "$WORK/rack" "$@"
}

# insert_cards CARD...: the cards go into the first free slots, in order (a ceremony takes them in
# that order); returns once pcscd sees them all.
insert_cards() {
  rack insert "$@" --wait >/dev/null
}

# remove_cards CARD...: the cards come out (their images saved).
remove_cards() {
  rack remove "$@" >/dev/null
}

# wait_for_card READER_INDEX [present|empty]: until `ceremony readers` shows that reader with
# (or without) a card, for up to 10 s.
wait_for_card() {
  local want="card present"
  [ "${2:-present}" = empty ] && want="no card"
  for _ in $(seq 1 200); do
    if "$BIN/ceremony" readers 2>/dev/null | grep -A1 "^$1: " | grep -q "$want"; then
      return 0
    fi
    sleep 0.05
  done
  echo "error: reader $1 did not show \"$want\" within 10 s" >&2
  return 1
}
