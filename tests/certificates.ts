/**
 * Test certificates made with openssl: a private CA, and a server certificate signed by it for
 * one name (its CN and subjectAltName), valid two days.
 * @module
 */

/** Paths of the CA certificate, the server certificate and its key. */
export interface Certificates {
  ca: string;
  cert: string;
  key: string;
}

/**
 * Makes a CA and a server certificate for `san` (`IP:127.0.0.1` or `DNS:cdn.example`) in `dir`.
 *
 * @example Not run: it writes keys with openssl (tests/tls_test.ts, tests/resolve_test.ts)
 * ```ts ignore
 * const { ca, cert, key } = await makeCertificates(dir, "IP:127.0.0.1");
 * ```
 */
export async function makeCertificates(dir: string, san: string): Promise<Certificates> {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" })
      .output();
    if (out.code !== 0) throw new Error(new TextDecoder().decode(out.stderr));
  };
  const ca = `${dir}/ca.pem`, caKey = `${dir}/ca.key`;
  const cert = `${dir}/server.pem`, key = `${dir}/server.key`, csr = `${dir}/server.csr`;
  const days = ["-days", "2"];
  await run(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    ...days,
    "-subj",
    "/CN=hls-swarm test CA",
    "-keyout",
    caKey,
    "-out",
    ca,
  );
  const cn = san.slice(san.indexOf(":") + 1);
  await run(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-subj",
    `/CN=${cn}`,
    "-keyout",
    key,
    "-out",
    csr,
  );
  await Deno.writeTextFile(`${dir}/san.ext`, `subjectAltName=${san}\n`);
  await run(
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    ca,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    ...days,
    "-extfile",
    `${dir}/san.ext`,
    "-out",
    cert,
  );
  return { ca, cert, key };
}
