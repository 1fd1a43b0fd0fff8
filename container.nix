# OCI images (dockerTools) of the swarm client and the test origin. Entrypoint, command,
# environment and exposed ports come from nix/deploy.json, which tests/deploy_test.ts runs as
# they are (under real tini, against the built-in origin), so an image cannot drift from the
# binary. Both run as nobody (65534) with a world-writable /tmp, and tini as PID 1 reaps
# orphans and passes `docker stop`'s SIGTERM on.
{
  lib,
  dockerTools,
  tini,
  hls-swarm,
  test-origin,
}:
let
  deploy = import ./nix/deploy.nix;
  # deploy.json names programs; the images run the store paths of those programs.
  programs = {
    tini = lib.getExe' tini "tini";
    hls-swarm = lib.getExe hls-swarm;
    hls-swarm-test-origin = lib.getExe test-origin;
  };
  image =
    {
      name,
      definition,
      contents ? [ ],
    }:
    dockerTools.buildLayeredImage {
      inherit name;
      tag = deploy.version;
      # passwd and group with root and nobody, for the programs that look their user up.
      contents = [ dockerTools.fakeNss ] ++ contents;
      extraCommands = "mkdir -m 1777 tmp";
      config = {
        Entrypoint = map (word: programs.${word} or word) definition.entrypoint;
        Cmd = definition.cmd;
        Env = lib.mapAttrsToList (name: value: "${name}=${value}") definition.env;
        ExposedPorts = lib.listToAttrs (
          map (port: lib.nameValuePair "${toString port}/tcp" { }) (
            builtins.attrValues definition.ports
          )
        );
        User = "65534:65534";
      };
    };
in
{
  swarm-client = image {
    name = "hls-swarm";
    definition = deploy.client;
    # CA certificates at /etc/ssl/certs, where FFmpeg's GnuTLS looks for them (https streams).
    contents = [ dockerTools.caCertificates ];
  };
  test-origin = image {
    name = "hls-swarm-test-origin";
    definition = deploy.origin;
  };
}
