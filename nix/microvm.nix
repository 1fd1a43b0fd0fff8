# MicroVMs (microvm.nix, QEMU with user networking) for the test origin and the swarm client.
# Each forwards its ports from deploy.json to the same ports on the host, so the client VM
# reaches the origin VM through the host (QEMU's host address, deploy.json's
# microvm.hostAddress) and Prometheus on the host scrapes both. Both boot from the host's
# /nix/store over 9p, so no disk image is built.
{
  nixpkgs,
  microvm,
  self,
  system,
}:
let
  deploy = import ./deploy.nix;
  size = deploy.sizing deploy.microvm.clients;
  originUrl = "http://${deploy.microvm.hostAddress}:${toString deploy.origin.ports.http}";
  mkVm =
    {
      name,
      mac,
      vcpu,
      mem,
      ports,
      module,
    }:
    (nixpkgs.lib.nixosSystem {
      inherit system;
      modules = [
        microvm.nixosModules.microvm
        module
        {
          networking.hostName = name;
          system.stateVersion = "25.05";
          microvm = {
            hypervisor = "qemu";
            inherit vcpu mem;
            interfaces = [
              {
                type = "user";
                id = "usernet";
                inherit mac;
              }
            ];
            forwardPorts = map (port: {
              from = "host";
              host.port = port;
              guest.port = port;
            }) ports;
            shares = [
              {
                tag = "ro-store";
                source = "/nix/store";
                mountPoint = "/nix/.ro-store";
                proto = "9p";
              }
            ];
          };
        }
      ];
    }).config.microvm.declaredRunner;
in
{
  # The origin encodes one 640x360 stream (about half a core) and serves files from memory.
  test-origin-vm = mkVm {
    name = "hls-swarm-test-origin";
    mac = "02:00:00:48:53:01";
    vcpu = 2;
    mem = 1024;
    ports = builtins.attrValues deploy.origin.ports;
    module = {
      imports = [ self.nixosModules.test-origin ];
      services.hls-swarm-test-origin = {
        enable = true;
        inherit (deploy.microvm) clients;
        openFirewall = true;
      };
    };
  };

  swarm-client-vm = mkVm {
    name = "hls-swarm-client";
    mac = "02:00:00:48:53:02";
    inherit (size) vcpu;
    mem = size.vmMemoryMB;
    ports = [ deploy.client.ports.metrics ];
    module = {
      imports = [ self.nixosModules.swarm-client ];
      services.hls-swarm = {
        enable = true;
        inherit (deploy.microvm) clients;
        openFirewall = true;
        streamUrl = originUrl + deploy.origin.streamPath;
        environment = deploy.microvm.clientEnv;
      };
    };
  };
}
