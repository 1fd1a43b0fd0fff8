# A DENO_DIR that lets `deno bundle` and `deno test` run inside the Nix sandbox, which has no
# network. Every npm package comes from deno.lock: fetchurl pins each tarball by the integrity
# hash the lockfile already records, so there is no separate vendor hash to keep up to date.
# Each tarball is unpacked where Deno's npm cache keeps it:
# npm/registry.npmjs.org/<name>/<version>.
#
# `deno bundle` in Deno 2.4 to 2.9 also runs an esbuild binary that it otherwise downloads from
# npm: esbuild 0.25.5 (ESBUILD_VERSION in Deno's cli/tools/bundle/esbuild.rs), looked up in
# dl/esbuild-0.25.5-1/ by Deno 2.9.6 (seen on this project's machine) and in dl/esbuild-0.25.5/
# by earlier 2.x sources, so both are seeded. Later Deno bundles with a built-in bundler and
# ignores them.
{
  lib,
  stdenv,
  runCommand,
  fetchurl,
}:
let
  lock = lib.importJSON ../deno.lock;
  registry = "https://registry.npmjs.org";
  # Lockfile keys are name@version, with "_peer@version" suffixes when peer dependencies differ;
  # the npm cache keeps one folder per name@version either way.
  packages = lib.unique (
    lib.mapAttrsToList (
      key: entry:
      let
        m = builtins.match "(@?[^@]+)@([^_]+)(_.*)?" key;
        name = builtins.elemAt m 0;
        version = builtins.elemAt m 1;
      in
      {
        inherit name version;
        tarball = fetchurl {
          url = "${registry}/${name}/-/${baseNameOf name}-${version}.tgz";
          hash = entry.integrity;
        };
      }
    ) lock.npm
  );
  esbuildVersion = "0.25.5";
  esbuildPlatform =
    {
      x86_64-linux = "linux-x64";
      aarch64-linux = "linux-arm64";
    }
    .${stdenv.hostPlatform.system}
      or (throw "hls-swarm: no esbuild for ${stdenv.hostPlatform.system}");
  # Integrity hashes as the npm registry publishes them for @esbuild/<platform>@0.25.5.
  esbuild = fetchurl {
    url = "${registry}/@esbuild/${esbuildPlatform}/-/${esbuildPlatform}-${esbuildVersion}.tgz";
    hash =
      {
        linux-x64 = "sha512-uhj8N2obKTE6pSZ+aMUbqq+1nXxNjZIIjCjGLfsWvVpy7gKCOL6rsY1MhRh9zLtUtAI7vpgLMK6DxjO8Qm9lJw==";
        linux-arm64 = "sha512-Z9kfb1v6ZlGbWj8EJk9T6czVEjjq2ntSYLY2cw6pAZl4oKtfgQuS4HOq41M/BcoLPzrUbNd+R4BXFyH//nHxVg==";
      }
      .${esbuildPlatform};
  };
in
runCommand "hls-swarm-deno-dir" { } (
  lib.concatMapStrings (p: ''
    mkdir -p "$out/npm/registry.npmjs.org/${p.name}/${p.version}"
    tar -xzf ${p.tarball} --strip-components=1 --no-same-owner \
      -C "$out/npm/registry.npmjs.org/${p.name}/${p.version}"
  '') packages
  + ''
    for dir in esbuild-${esbuildVersion} esbuild-${esbuildVersion}-1; do
      mkdir -p "$out/dl/$dir"
      tar -xzf ${esbuild} -O package/bin/esbuild > "$out/dl/$dir/esbuild-${esbuildPlatform}"
      chmod 555 "$out/dl/$dir/esbuild-${esbuildPlatform}"
    done
  ''
)
