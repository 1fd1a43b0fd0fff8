# services.hls-swarm: one hls-swarm load test as a systemd service, configured the way the OCI
# image is, by environment variables alone (deploy.json's, then HLS_SWARM_URL and HLS_SWARM_CLIENTS, then
# `environment`). Limits and sysctls are sized from `clients` by nix/sizing.nix.
self:
{
  config,
  lib,
  pkgs,
  ...
}:
let
  cfg = config.services.hls-swarm;
  deploy = import ../deploy.nix;
  size = deploy.sizing cfg.clients;
  # The widest ephemeral range that stays clear of the privileged ports.
  localPortRange = {
    low = 1024;
    high = 65535;
  };
in
{
  options.services.hls-swarm = {
    enable = lib.mkEnableOption "an hls-swarm load test, run as a systemd service";
    package = lib.mkOption {
      type = lib.types.package;
      default = self.packages.${pkgs.stdenv.hostPlatform.system}.hls-swarm;
      defaultText = lib.literalExpression "hls-swarm.packages.\${system}.hls-swarm";
      description = "The hls-swarm package.";
    };
    streamUrl = lib.mkOption {
      type = lib.types.str;
      example = "http://origin.example:17080/stream.m3u8";
      description = "The HLS stream to load (HLS_SWARM_URL).";
    };
    clients = lib.mkOption {
      type = lib.types.ints.positive;
      example = 200;
      description = "Concurrent FFmpeg viewers (HLS_SWARM_CLIENTS); sizes the limits and sysctls too.";
    };
    environment = lib.mkOption {
      type = lib.types.attrsOf lib.types.str;
      default = { };
      example = {
        HLS_SWARM_DURATION = "10m";
        HLS_SWARM_RAMP_RATE = "20";
        HLS_SWARM_EXTRA_ARGS = "--variant highest --threshold 'error_rate<1%'";
      };
      description = "More of hls-swarm's variables (README, \"Environment variables\").";
    };
    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Open the metrics port (${toString deploy.client.ports.metrics}).";
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = size.connections <= localPortRange.high - localPortRange.low + 1;
        message = "services.hls-swarm: ${toString cfg.clients} clients need about "
          + "${toString size.connections} local ports toward one origin, more than one "
          + "address has; spread them over more hosts.";
      }
    ];

    systemd.services.hls-swarm = {
      description = "hls-swarm load test";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      environment =
        deploy.client.env
        // {
          HLS_SWARM_URL = cfg.streamUrl;
          HLS_SWARM_CLIENTS = toString cfg.clients;
        }
        // cfg.environment;
      serviceConfig = {
        # No arguments: like the container, the environment configures the run.
        ExecStart = lib.getExe cfg.package;
        DynamicUser = true;
        PrivateTmp = true;
        # A finished or failed load test stays finished; its summary is in the journal.
        Restart = "no";
        # SIGTERM to hls-swarm alone, which stops its clients itself (SIGTERM to each process
        # group, SIGKILL after --shutdown-grace, 5 s by default) and prints the summary; the
        # default control-group mode would signal every FFmpeg at the same moment.
        KillMode = "mixed";
        TimeoutStopSec = 30;
        LimitNOFILE = size.nofile;
        LimitNPROC = size.tasks;
        TasksMax = size.tasks;
      };
    };

    boot.kernel.sysctl = {
      "net.ipv4.ip_local_port_range" =
        "${toString localPortRange.low} ${toString localPortRange.high}";
      # Outgoing connections may reuse ports still in TIME_WAIT (reconnects, restarts).
      "net.ipv4.tcp_tw_reuse" = 1;
      "net.netfilter.nf_conntrack_max" = lib.mkDefault size.conntrackMax;
    };
    # Loaded at boot so that the sysctl above has its key when systemd-sysctl runs.
    boot.kernelModules = [ "nf_conntrack" ];

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ deploy.client.ports.metrics ];
  };
}
