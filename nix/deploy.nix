# The one deployment definition, as Nix reads it: ports, environment and argv from deploy.json,
# the version from src/version.ts, and the sizing formulas. The flake, container.nix, the NixOS
# modules and tests/deploy_test.ts all start here. Builtins only, so the tests can evaluate it
# without nixpkgs.
let
  lines = builtins.filter builtins.isString (
    builtins.split "\n" (builtins.readFile ../src/version.ts)
  );
  versions = builtins.filter (m: m != null) (
    map (builtins.match "export const VERSION = \"([^\"]+)\";") lines
  );
in
builtins.fromJSON (builtins.readFile ./deploy.json)
// {
  version =
    if builtins.length versions == 1 then
      builtins.head (builtins.head versions)
    else
      throw "src/version.ts: expected one `export const VERSION = \"…\";` line";
  sizing = import ./sizing.nix;
}
