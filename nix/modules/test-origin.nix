# services.hls-swarm-test-origin: the test origin (nginx, the FFmpeg generator of
# `hls-swarm origin`, node_exporter and nginx-prometheus-exporter; nix/test-origin.sh) as a
# systemd service, with its file limit and sysctls sized for `clients` viewers.
self:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.hls-swarm-test-origin;
  deploy = import ../deploy.nix;
  size = deploy.sizing cfg.clients;
in
{
  options.services.hls-swarm-test-origin = {
    enable = lib.mkEnableOption "the hls-swarm test origin";
    package = lib.mkOption {
      type = lib.types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.test-origin;
      defaultText = lib.literalExpression "hls-swarm.packages.\${system}.test-origin";
      description = "The test origin package.";
    };
    clients = lib.mkOption {
      type = lib.types.ints.positive;
      example = 200;
      description = "Viewers the origin is sized for (file limit, accept queue, conntrack).";
    };
    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Open the HTTP and both exporter ports.";
    };
  };

  config = lib.mkIf cfg.enable {
    systemd.services.hls-swarm-test-origin = {
      description = "hls-swarm test origin (nginx + FFmpeg generator + exporters)";
      wantedBy = [ "multi-user.target" ];
      after = [ "network.target" ];
      serviceConfig = {
        ExecStart = lib.getExe cfg.package;
        DynamicUser = true;
        # The stream lives in a fresh directory under /tmp, private to the service.
        PrivateTmp = true;
        Restart = "on-failure";
        # nginx sizes worker_connections from this limit (half of it, at most 65536).
        LimitNOFILE = size.originNofile;
      };
    };

    boot.kernel.sysctl = {
      "net.core.somaxconn" = size.somaxconn;
      "net.ipv4.tcp_max_syn_backlog" = size.somaxconn;
      "net.netfilter.nf_conntrack_max" = lib.mkDefault size.conntrackMax;
    };
    # Loaded at boot so that the sysctl above has its key when systemd-sysctl runs.
    boot.kernelModules = [ "nf_conntrack" ];

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall (
      builtins.attrValues deploy.origin.ports
    );
  };
}
