# Shell functions for a pcscd of our own, sourced inside scripts/in-private-pcscd.
# Expects $WORK (a scratch folder) and $BIN (the build's bin folder).

start_pcscd() {
  mkdir -p "$WORK/reader.conf.d"
  cat > "$WORK/reader.conf.d/vpcd" <<'CONF'
FRIENDLYNAME "Virtual PCD"
DEVICENAME   /dev/null:0x8C7B
LIBPATH      /usr/lib/pcsc/drivers/serial/libifdvpcd.so
CHANNELID    0x8C7B
CONF
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

# serve_cards LOG PID IMAGE...: plays the people at the table. Whenever the ceremony (process PID,
# printing to LOG) asks for a card, inserts the next image (card-sim start in reader 0) and
# removes it (SIGTERM) once the ceremony is done with it.
serve_cards() {
  local log=$1 pid=$2 done=0; shift 2
  for image in "$@"; do
    done=$((done + 1))
    until [ "$(grep -c "^Insert" "$log")" -ge $done ]; do
      kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
    "$BIN/card-sim" --quiet --image "$image" & local sim=$!
    until [ "$(grep -cE "^(Remove|Signed|Card [0-9]+ of [0-9]+ issued)" "$log")" -ge $done ]; do
      kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -TERM $sim; wait $sim || true
    wait_for_card 0 empty
  done
}
