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
