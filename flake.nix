{
  description = "hls-swarm: HLS load testing with a swarm of real FFmpeg viewers";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";
    microvm = {
      url = "github:microvm-nix/microvm.nix";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      microvm,
    }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f system nixpkgs.legacyPackages.${system});
      # What the bundle is built from; tests and docs changing does not rebuild the package.
      packageSrc = lib.fileset.toSource {
        root = ./.;
        fileset = lib.fileset.unions [
          ./src
          ./native
          ./deno.json
          ./deno.lock
          ./Makefile
        ];
      };
      denoDirFor = pkgs: pkgs.callPackage ./nix/deno-deps.nix { };
    in
    {
      packages = forAllSystems (
        system: pkgs:
        let
          hls-swarm = pkgs.callPackage ./nix/package.nix {
            src = packageSrc;
            denoDir = denoDirFor pkgs;
          };
          test-origin = pkgs.callPackage ./nix/test-origin.nix { };
          images = pkgs.callPackage ./container.nix { inherit hls-swarm test-origin; };
          vms = import ./nix/microvm.nix {
            inherit
              nixpkgs
              microvm
              self
              system
              ;
          };
        in
        {
          inherit hls-swarm test-origin;
          default = hls-swarm;
          swarm-client-image = images.swarm-client;
          test-origin-image = images.test-origin;
          inherit (vms) swarm-client-vm test-origin-vm;
        }
      );

      apps = forAllSystems (
        system: _: {
          run = {
            type = "app";
            program = lib.getExe self.packages.${system}.hls-swarm;
          };
          default = self.apps.${system}.run;
          test-origin = {
            type = "app";
            program = lib.getExe self.packages.${system}.test-origin;
          };
        }
      );

      nixosModules = {
        swarm-client = import ./nix/modules/swarm-client.nix self;
        test-origin = import ./nix/modules/test-origin.nix self;
      };

      devShells = forAllSystems (
        system: pkgs: {
          default = pkgs.mkShell {
            packages = with pkgs; [
              deno
              gnumake
              ffmpeg-headless
              nginx
              tini
              util-linux
              jq
              prometheus
              (lib.getOutput "cli" prometheus)
              prometheus-node-exporter
              prometheus-nginx-exporter
              shellcheck
            ];
            # The Makefile's own default is the npm-pinned Deno under tools/; use nixpkgs' here.
            DENO = lib.getExe pkgs.deno;
          };
        }
      );

      checks = forAllSystems (
        system: pkgs: {
          inherit (self.packages.${system}) hls-swarm test-origin;
          test = pkgs.callPackage ./nix/check.nix {
            src = self;
            denoDir = denoDirFor pkgs;
          };
        }
      );
    };
}
