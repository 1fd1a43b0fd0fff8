# `deno task test` in the Nix sandbox: every unit and integration test, on real FFmpeg, nginx,
# tini, Prometheus and the exporters, offline against the DENO_DIR built from deno.lock. The
# tools are the nixpkgs counterparts of the Makefile's APT_PACKAGES (gcc: stdenv's); keep the two
# in step.
{
  lib,
  stdenv,
  runCommand,
  deno,
  gnumake,
  bash,
  coreutils,
  ffmpeg-headless,
  nginx,
  tini,
  util-linux,
  procps,
  iproute2,
  jq,
  nix,
  prometheus,
  prometheus-node-exporter,
  prometheus-nginx-exporter,
  src,
  denoDir,
}:
let
  # tests/helpers.ts starts the exporters by their Debian names.
  debianExporterNames = runCommand "debian-exporter-names" { } ''
    mkdir -p $out/bin
    ln -s ${lib.getExe' prometheus-node-exporter "node_exporter"} $out/bin/prometheus-node-exporter
    ln -s ${lib.getExe' prometheus-nginx-exporter "nginx-prometheus-exporter"} \
      $out/bin/prometheus-nginx-exporter
  '';
in
stdenv.mkDerivation {
  name = "hls-swarm-tests";
  inherit src;

  nativeBuildInputs = [
    deno
    gnumake
    bash
    coreutils
    ffmpeg-headless
    nginx
    tini
    util-linux
    procps
    iproute2
    jq
    nix
    prometheus
    # promtool, in its own output in recent nixpkgs.
    (lib.getOutput "cli" prometheus)
    prometheus-node-exporter
    prometheus-nginx-exporter
    debianExporterNames
  ];

  dontConfigure = true;
  buildPhase = ''
    runHook preBuild
    export DENO_DIR=$TMPDIR/deno-dir NO_COLOR=1 HOME=$TMPDIR
    # nix-instantiate (tests/deploy_test.ts parses and evaluates the Nix files) wants state and
    # log directories it can write.
    export NIX_STATE_DIR=$TMPDIR/nix-state NIX_LOG_DIR=$TMPDIR/nix-log
    cp -r ${denoDir} "$DENO_DIR"
    chmod -R u+w "$DENO_DIR"
    # The native fan-in the tests run (stdenv's C compiler; SHELL: the sandbox has no /bin/bash).
    make native SHELL="$SHELL"
    deno task test
    runHook postBuild
  '';
  installPhase = "touch $out";
}
