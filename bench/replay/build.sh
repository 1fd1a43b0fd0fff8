#!/bin/sh
# Builds build/hls-replay from native/hls-replay.c with the Makefile's one rule for the C programs
# (the same flags as the fan-in; static where the C library allows it, see the Makefile's note).
set -e
cd "$(dirname "$0")/../.."
make -s build/hls-replay
echo "built build/hls-replay"
