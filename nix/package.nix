# hls-swarm for Nix: `make bundle` (deno bundle, offline against the DENO_DIR built from
# deno.lock) produces one JavaScript file, and nixpkgs' Deno runs it. `deno compile` is not used:
# it appends the program to a `denort` runtime that it downloads from dl.deno.land, and nixpkgs
# deletes denort from its Deno package, so inside the sandbox it would need the network.
# The native fan-in (native/*.c, `make native`) is built with stdenv's C compiler; the wrapper
# names it in HLS_SWARM_FANIN, since the bundle's own directory holds no build/.
{
  lib,
  stdenv,
  deno,
  gnumake,
  makeBinaryWrapper,
  ffmpeg-headless,
  util-linuxMinimal,
  coreutils,
  src,
  denoDir,
}:
let
  deploy = import ./deploy.nix;
in
stdenv.mkDerivation {
  pname = "hls-swarm";
  inherit (deploy) version;
  inherit src;

  nativeBuildInputs = [
    deno
    gnumake
    makeBinaryWrapper
  ];

  buildPhase = ''
    runHook preBuild
    export DENO_DIR=$TMPDIR/deno-dir NO_COLOR=1
    cp -r ${denoDir} "$DENO_DIR"
    chmod -R u+w "$DENO_DIR"
    # The Makefile's SHELL is /bin/bash, which the sandbox does not have.
    make bundle SHELL="$SHELL" DENO=${lib.getExe deno}
    make native SHELL="$SHELL"
    runHook postBuild
  '';

  # The wrapper runs `deno <denoRunArgs> hls-swarm.js`, the same argv tests/deploy_test.ts runs.
  # --allow-all: Deno 2.9 asks for every permission before any read under /proc, which
  # hls-swarm needs for limits and CPU figures; --allow-run (FFmpeg) amounts to that anyway.
  # PATH: FFmpeg and ffprobe; setpriv, which puts --pdeathsig KILL on every FFmpeg; and `true`,
  # which the check for setpriv runs.
  installPhase = ''
    runHook preInstall
    install -Dm444 dist/hls-swarm.js "$out/share/hls-swarm/hls-swarm.js"
    install -Dm555 build/hls-swarm-fanin "$out/libexec/hls-swarm/hls-swarm-fanin"
    makeBinaryWrapper ${lib.getExe deno} "$out/bin/hls-swarm" \
      --add-flags "${lib.concatStringsSep " " deploy.package.denoRunArgs}" \
      --add-flags "$out/share/hls-swarm/hls-swarm.js" \
      --set-default HLS_SWARM_FANIN "$out/libexec/hls-swarm/hls-swarm-fanin" \
      --prefix PATH : ${
        lib.makeBinPath [
          ffmpeg-headless
          util-linuxMinimal
          coreutils
        ]
      }
    runHook postInstall
  '';

  meta = {
    description = "HLS load tester that runs a swarm of real FFmpeg viewers";
    mainProgram = "hls-swarm";
    platforms = [
      "x86_64-linux"
      "aarch64-linux"
    ];
  };
}
