#!/bin/sh
# Builds bench/replay/hls-replay with the machine's C compiler. Static where the C library
# allows it (a smaller RSS: no shared libraries mapped into each of thousands of processes),
# dynamic otherwise.
set -e
cd "$(dirname "$0")"
CC=${CC:-cc}
if echo 'int main(void){return 0;}' | $CC -static -x c -o /dev/null - 2>/dev/null; then
  $CC -O2 -Wall -Wextra -static -o hls-replay hls-replay.c
  echo "built bench/replay/hls-replay (static)"
else
  $CC -O2 -Wall -Wextra -o hls-replay hls-replay.c
  echo "built bench/replay/hls-replay (dynamic)"
fi
