# hls-swarm: build, test and demo targets. `make deps` sets up a fresh Debian/Ubuntu machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

ARCH := $(shell uname -m | sed -e 's/x86_64/x64/' -e 's/aarch64/arm64/')
DENO ?= $(CURDIR)/tools/deno/node_modules/@deno/linux-$(ARCH)-glibc/deno
# Keep Deno's cache in the work tree so runs are reproducible and need no home directory.
export DENO_DIR ?= $(CURDIR)/.deno
export NO_COLOR ?= 1
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := ffmpeg nginx-light tmux util-linux procps curl prometheus prometheus-node-exporter prometheus-nginx-exporter
# tests/deploy_test.ts: tini runs the container's entrypoint, nix-instantiate parses and evaluates
# the Nix files, jq reads nix/deploy.json in nix/test-origin.sh.
APT_PACKAGES += tini nix-bin jq
# tests/ci_habits_test.ts: the completion scripts are loaded by the shells they are for.
APT_PACKAGES += zsh fish
APT_PACKAGES += chromium # tests/html_report_test.ts: headless Chromium renders the --html report
# make native: the fan-in is C.
APT_PACKAGES += gcc libc6-dev
VERSION := $(shell sed -nE 's/^export const VERSION = "(.*)";/\1/p' src/version.ts)
# Narrowest permissions that work: Deno 2.9 asks for --allow-all before any /proc read, and
# hls-swarm reads /proc for limits and CPU; --allow-run (FFmpeg) already implies full trust.
PERMS := --allow-all
# The V8 flags the package runs with (nix/deploy.json): a 2 MiB young generation and earlier
# old-generation collections keep a 200-client swarm near 110 MiB instead of 160.
V8_FLAGS := $(shell grep -o -- '--v8-flags=[^"]*' nix/deploy.json)

.PHONY: help deps deps-apt deps-deno native demo test test-unit check fmt lint bundle compile clean \
	bench bench-overhead bench-scale soak fuzz-fanin

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F '\t' '{ printf "%-16s %s\n", $$1, $$2 }'

deps: deps-apt deps-deno native ## install FFmpeg, nginx, tmux and the pinned Deno, build the fan-in (idempotent)

deps-apt:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# The C programs (native/): the fan-in, which hls-swarm finds at build/hls-swarm-fanin (or
# HLS_SWARM_FANIN), and bench's FFmpeg stand-in, build/hls-replay. One rule builds both, with one
# set of flags; each program's sources are its prerequisites.
native: build/hls-swarm-fanin ## build the native fan-in that reads the clients' output
NATIVE_CFLAGS := -O2 -Wall -Wextra -Werror
FANIN_SRC := $(addprefix native/,fanin.c lines.c out.c request.c spawn.c filter.c \
  protocol.h filter.h lines.h out.h request.h spawn.h)
build/hls-swarm-fanin: $(FANIN_SRC)
build/hls-replay: native/hls-replay.c native/replay_play.c native/replay.h
# Static only for the replay client, where the C library allows it: a benchmark runs thousands
# of them, and a static one maps no shared libraries into each (a smaller RSS per client). The
# fan-in is one process per shard and stays dynamic (`make compile` builds a static one).
STATIC_hls-replay = $(shell echo 'int main(void){return 0;}' | $(CC) -static -x c -o /dev/null - \
  2>/dev/null && echo -static)
build/hls-%:
	@mkdir -p $(@D)
	$(CC) $(NATIVE_CFLAGS) $(STATIC_hls-$*) -o $@ $(filter %.c,$^)

# The fan-in under AddressSanitizer and UBSan (build/hls-swarm-fanin-asan), fed random, refused and
# broken requests and clients with hostile output for FUZZ_SECONDS; exits 1 on any report or wrong
# answer, with the seed that replays it (ARGS="--seed N --verbose"). Not part of `make test`.
FUZZ_SECONDS ?= 60
fuzz-fanin: ## fuzz the fan-in under ASan/UBSan for FUZZ_SECONDS (60)
	@mkdir -p build
	$(CC) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
	  -Wall -Wextra -Werror -o build/hls-swarm-fanin-asan $(filter %.c,$(FANIN_SRC))
	"$(DENO)" run $(PERMS) bench/fanin-fuzz/fuzz.ts --binary build/hls-swarm-fanin-asan \
	  --seconds $(FUZZ_SECONDS) $(ARGS)

deps-deno:
	@# npm ci installs exactly the lockfile and never rewrites it, so `make deps` leaves git status clean.
	@[ -x "$(DENO)" ] || npm ci --prefix tools/deno --no-audit --no-fund --loglevel=error
	@"$(DENO)" --version | head -1
	@"$(DENO)" install --quiet

demo: deps ## run the built-in test origin and 5 clients against it for 30 s
	@"$(DENO)" run $(PERMS) src/main.ts origin --port 17080 > .demo-origin.url 2> .demo-origin.log & \
	origin=$$!; trap 'kill $$origin 2>/dev/null; wait $$origin 2>/dev/null; rm -f .demo-origin.url' EXIT; \
	for i in $$(seq 1 100); do [ -s .demo-origin.url ] && break; kill -0 $$origin || { cat .demo-origin.log; exit 1; }; sleep 0.2; done; \
	url=$$(cat .demo-origin.url); echo "origin: $$url"; \
	"$(DENO)" run $(PERMS) $(V8_FLAGS) src/main.ts --clients 5 --ramp-rate 5 --duration 30s "$$url"

# The FFmpeg chroots' wrappers (tests/ffmpeg_matrix_test.ts) remount proc, /dev and /tmp; the test
# unmounts them, and so does this trap if the run dies first (INT/TERM exit through it too).
# --doc type-checks and runs every JSDoc example (```ts ignore marks one that needs FFmpeg, the
# network or a running swarm, and says why) in the same run, so the one "ok | N passed | M failed"
# line that .ci/run reads counts them too.
test: deps-deno native ## run every test (unit, integration with real FFmpeg and nginx, JSDoc examples, the replay script maker)
	@trap '$(MAKE) -s ffmpeg-chroots-umount || echo "warning: could not unmount the FFmpeg chroots" >&2' EXIT; \
	trap 'exit 130' INT TERM; \
	"$(DENO)" test $(PERMS) --parallel --doc src/ tests/ bench/replay/

# Per-viewer acceptance against the origin's own clock (rebuffers against the origin's access log,
# startup against nginx's $msec on every FFmpeg built here): exact per-viewer figures hold on a
# quiet box and not always beside other tests on two cores, so they run alone, not in `make test`
# (their names do not end in _test.ts, so `deno test tests/` does not pick them up).
ACCEPTANCE_TESTS := tests/viewer_rebuffer_acceptance.ts tests/viewer_startup_acceptance.ts
.PHONY: test-viewer
test-viewer: deps-deno native ## viewer experience against the origin's truth, alone (about two minutes)
	"$(DENO)" test $(PERMS) $(ACCEPTANCE_TESTS)

# The unit tests of src/fanin run the fan-in, so a fresh clone builds it first.
test-unit: deps-deno native ## run the unit tests and JSDoc examples of src/ only
	"$(DENO)" test $(PERMS) --parallel --doc src/

# FFmpeg 7.1 (Debian trixie) and 9.0 (sid) beside the host's, in chroots that
# tools/ffmpeg-matrix/chroot.sh builds once under ${HLS_SWARM_CHROOT_DIR:-/var/cache/hls-swarm/ffmpeg}/<suite>
# (root, network, about 1.1 GB; see its README before deleting one). hls-swarm reads its FFmpeg
# from HLS_SWARM_FFMPEG, so the unchanged tests run the chroot's FFmpeg.
FFMPEG_SUITES := trixie sid
CHROOT_SH := tools/ffmpeg-matrix/chroot.sh
.PHONY: ffmpeg-chroots ffmpeg-chroots-umount test-ffmpeg

ffmpeg-chroots: ## build the FFmpeg 7.1 and 9.0 chroots (once; cached)
	@for suite in $(FFMPEG_SUITES); do \
	  printf '%s: ' $$suite; $(CHROOT_SH) build $$suite | sed -n 's/^ffmpeg=//p'; \
	done

ffmpeg-chroots-umount: ## unmount the chroots' proc, /dev and /tmp (the wrappers remount on their next run)
	@for suite in $(FFMPEG_SUITES); do \
	  [ ! -d "$${HLS_SWARM_CHROOT_DIR:-/var/cache/hls-swarm/ffmpeg}/$$suite" ] || $(CHROOT_SH) umount $$suite; \
	done

test-ffmpeg: deps-deno ffmpeg-chroots ## the agreement and shutdown tests with FFmpeg 7.1 and 9.0
	@for suite in $(FFMPEG_SUITES); do \
	  wrapper=$$($(CHROOT_SH) wrapper $$suite); \
	  echo "== FFmpeg of Debian $$suite: $$wrapper"; \
	  HLS_SWARM_FFMPEG="$$wrapper" "$(DENO)" test $(PERMS) tests/metrics_agreement_test.ts tests/shutdown_test.ts; \
	done

check: ## formatting, lint and type checks
	"$(DENO)" fmt --check
	"$(DENO)" lint
	"$(DENO)" check src/ tests/ bench/

fmt: ## format the code
	"$(DENO)" fmt

bundle: ## dist/hls-swarm.js: one file for `deno run -A dist/hls-swarm.js`
	mkdir -p dist
	"$(DENO)" task bundle
	@echo "dist/hls-swarm.js ($(VERSION)): $$(wc -c < dist/hls-swarm.js) bytes"

# deno compile appends the program to `denort`, a runtime it takes from
# $(DENO_DIR)/dl/release/v<deno version>/denort-<target>.zip and downloads there from dl.deno.land
# when missing. Where that host is unreachable, put the zips there yourself (README, "Deploy").
# DENORT_BIN=/path/to/denort replaces the runtime for every target without checking its
# architecture, so with it only the machine's own target is built.
DENO_VERSION = $(shell "$(DENO)" --version | sed -nE '1s/^deno ([^ ]+).*/\1/p')
NATIVE_TARGET := $(shell uname -m)-unknown-linux-gnu
COMPILE_TARGETS := x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu
BUILD_TARGETS = $(if $(DENORT_BIN),$(NATIVE_TARGET),$(COMPILE_TARGETS))

# Each binary carries the fan-in built for its target (`--include`): at start it writes it to a
# private folder and runs it from there (src/fanin/extract.ts), since a file inside the binary
# cannot be executed. Static, so that it runs wherever the binary's runtime runs, whatever the
# glibc; its SHA-256 beside it is checked before every use. The machine's own target is built
# with $(CC), the other with the Debian cross compiler named here, which `make compile` installs.
FANIN_CC_$(NATIVE_TARGET) ?= $(CC)
FANIN_CC_x86_64-unknown-linux-gnu ?= x86_64-linux-gnu-gcc
FANIN_CC_aarch64-unknown-linux-gnu ?= aarch64-linux-gnu-gcc
CROSS_APT_x86_64-unknown-linux-gnu := gcc-x86-64-linux-gnu libc6-dev-amd64-cross
CROSS_APT_aarch64-unknown-linux-gnu := gcc-aarch64-linux-gnu libc6-dev-arm64-cross
COMPILE_APT_PACKAGES = gcc libc6-dev \
  $(foreach t,$(filter-out $(NATIVE_TARGET),$(BUILD_TARGETS)),$(CROSS_APT_$(t)))
build/compile/%/hls-swarm-fanin: $(FANIN_SRC)
	@mkdir -p $(@D)
	@command -v $(FANIN_CC_$*) >/dev/null || { echo "$(FANIN_CC_$*) missing: the fan-in for $* \
	  needs it (Debian: $(CROSS_APT_$*)), or build fewer targets: \
	  make compile COMPILE_TARGETS=$(NATIVE_TARGET)"; exit 1; }
	$(FANIN_CC_$*) $(NATIVE_CFLAGS) -static -o $@ $(filter %.c,$^)
	cd $(@D) && sha256sum hls-swarm-fanin > hls-swarm-fanin.sha256

compile: ## dist/hls-swarm-<target>: single binaries for linux x86_64 and aarch64, each with its fan-in
	@$(MAKE) -s deps-apt APT_PACKAGES="$(COMPILE_APT_PACKAGES)"
	$(MAKE) $(foreach t,$(BUILD_TARGETS),build/compile/$(t)/hls-swarm-fanin)
	mkdir -p dist
	for target in $(BUILD_TARGETS); do \
	  runtime="$${DENORT_BIN:-$(DENO_DIR)/dl/release/v$(DENO_VERSION)/denort-$$target.zip}"; \
	  [ -e "$$runtime" ] || echo "$$runtime missing: deno compile downloads it from dl.deno.land"; \
	  fanin=build/compile/$$target/hls-swarm-fanin; \
	  "$(DENO)" compile $(PERMS) --target $$target --include $$fanin --include $$fanin.sha256 \
	    -o dist/hls-swarm-$$target src/main.ts || { \
	    rm -f dist/hls-swarm-$$target.tmp-*; \
	    echo "deno compile failed for $$target; without dl.deno.land, see README, \"Deploy\""; \
	    exit 1; }; \
	done

# The container image (Containerfile) with Debian's podman, for people without Nix. No registry is
# needed: tools/image/base.sh makes the FROM image (debian:trixie-slim) from a debootstrap root
# with FFmpeg, tini and CA certificates, and tools/image/podman-conf.sh writes the
# /etc/containers/containers.conf podman needs on machines without CAP_SYS_RESOURCE (both only
# when missing). tests/image_test.ts runs the image, and a pod of `k8s render`, when it exists.
IMAGE ?= localhost/hls-swarm:$(VERSION)
IMAGE_APT_PACKAGES := podman buildah runc catatonit debootstrap
.PHONY: image
image: deps-deno native bundle ## the container image hls-swarm:<version> (podman; root, about 0.6 GB)
	@$(MAKE) -s deps-apt APT_PACKAGES="$(IMAGE_APT_PACKAGES)"
	$(SUDO) tools/image/podman-conf.sh
	$(SUDO) tools/image/base.sh
	$(SUDO) podman build --isolation chroot --build-arg DENO_BIN=$(patsubst $(CURDIR)/%,%,$(DENO)) \
	  --label org.opencontainers.image.version=$(VERSION) -t $(IMAGE) -f Containerfile .
	@$(SUDO) podman image inspect $(IMAGE) --format '$(IMAGE): {{.Size}} bytes, {{len .RootFS.Layers}} layers, user {{.Config.User}}, entrypoint {{.Config.Entrypoint}}'

bench: ## micro-benchmarks (parser, fleet, metrics, dashboard)
	"$(DENO)" bench $(PERMS) bench/

bench-overhead: deps-deno ## hls-swarm's CPU and RSS next to its FFmpeg swarm's at 200 and 400 clients
	"$(DENO)" run $(PERMS) bench/overhead.ts $(ARGS)

bench-scale: deps-deno build/hls-replay ## 500 to 2,000 replay clients, one worker and one per core
	"$(DENO)" run $(PERMS) bench/scale.ts $(ARGS)

soak: deps-deno ## 30 minutes at 100 clients: RSS from minute 5 to the end
	"$(DENO)" run $(PERMS) bench/soak.ts $(ARGS)

clean: ## remove build output and caches
	rm -rf dist build .deno node_modules
