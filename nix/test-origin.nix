# The test origin as a program: nix/test-origin.sh with its tools on PATH and deploy.json baked
# in, so the app, the OCI image and the MicroVM all run the same nginx, generator and exporters.
# coreutils is listed because the image has no PATH of its own (mktemp, id, seq, sleep, ...).
{
  writeShellApplication,
  coreutils,
  ffmpeg-headless,
  nginx,
  prometheus-node-exporter,
  prometheus-nginx-exporter,
  jq,
}:
writeShellApplication {
  name = "hls-swarm-test-origin";
  runtimeInputs = [
    coreutils
    ffmpeg-headless
    nginx
    prometheus-node-exporter
    prometheus-nginx-exporter
    jq
  ];
  text = ''
    export HLS_SWARM_DEPLOY=${./deploy.json}
  ''
  + builtins.readFile ./test-origin.sh;
}
