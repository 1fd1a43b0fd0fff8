#!/usr/bin/env python3
"""Re-derive the numbers in README.md from the captures in this directory.

usage: python3 analyze.py            (run from this directory)
Only the standard library; reads the files byte-exact.
"""
import re, sys, os, collections

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_SECONDS = 25.0
NL, CR = b'\n', b'\r'  # every level capture was `timeout -s INT 25 ffmpeg ...`

def raw(name):
    with open(os.path.join(HERE, name), 'rb') as f:
        return f.read()

def pieces(b):
    """split on both \\n and \\r (every piece, including empty ones) and non-empty ones"""
    allp = re.split(rb'[\r\n]', b)
    return allp, [p for p in allp if p.strip()]

def rates():
    print('## lines/bytes per second per client (25 s runs)')
    print('| level | bytes | bytes/s | pieces split on [\\r\\n] | non-empty | non-empty/s | \\n | \\r |')
    for lvl in ('info', 'verbose', 'debug', 'trace'):
        fn = f'stderr_{lvl}_nginx_keepalive.txt'
        if not os.path.exists(os.path.join(HERE, fn)):
            continue
        b = raw(fn)
        a, ne = pieces(b)
        print(f'| {lvl} | {len(b)} | {len(b)/RUN_SECONDS:.0f} | {len(a)} | {len(ne)} | {len(ne)/RUN_SECONDS:.1f} | {b.count(NL)} | {b.count(CR)} |')

CTX = re.compile(rb'^\[(\w+) @ (0x[0-9a-f]+)\] \[(\w+)\] (.*)$')

def http_exchanges(b):
    """pair every `request: GET` with the header block that follows on the same [http @ X] context"""
    ex = []
    open_by_ctx = {}
    for line in re.split(rb'\r\n|\r|\n', b):
        m = CTX.match(line)
        if not m or m.group(1) != b'http':
            continue
        ctx, msg = m.group(2), m.group(4)
        if msg.startswith(b'request: GET '):
            e = {'path': msg.split()[2].decode(), 'code': None, 'cl': None, 'cr': None, 'ctx': ctx.decode(), 'done': False}
            ex.append(e)
            open_by_ctx[ctx] = e
        elif ctx in open_by_ctx:
            e = open_by_ctx[ctx]
            if msg.startswith(b'http_code='):
                e['code'] = int(msg[10:])
            elif msg.lower().startswith(b"header='content-length: "):
                e['cl'] = int(msg.split(b': ')[1].rstrip(b"'"))
            elif msg.lower().startswith(b"header='content-range: "):
                e['cr'] = msg.split(b': ', 1)[1].rstrip(b"'").decode()
            elif msg == b"header=''":
                e['done'] = True
                del open_by_ctx[ctx]
    return ex

def access(fn):
    rows = []
    for line in raw(fn).decode().splitlines():
        m = re.match(r'^(\S+) (\S+) (\S+) (\d{3}) (\d+) "([^"]*)" (\S+)$', line)
        if m:
            rows.append({'path': m.group(2), 'status': int(m.group(4)), 'bytes': int(m.group(5))})
    return rows

def kind(p):
    return 'm3u8' if p.endswith('.m3u8') else 'ts' if p.endswith('.ts') else 'other'

def compare(stderr_fn, access_fn):
    b = raw(stderr_fn)
    ex = http_exchanges(b)
    acc = access(access_fn)
    print(f'### {stderr_fn} vs {access_fn}')
    for k in ('m3u8', 'ts'):
        e = [x for x in ex if kind(x['path']) == k]
        a = [x for x in acc if kind(x['path']) == k]
        print(f'- {k}: `request: GET` lines={len(e)}  access-log lines={len(a)}')
    codes = collections.Counter(x['code'] for x in ex)
    acodes = collections.Counter(x['status'] for x in acc)
    print(f'- status from http_code= : {dict(codes)}; access log: {dict(acodes)}')
    no_code = [x for x in ex if x['code'] is None]
    no_cl = [x for x in ex if x['code'] is not None and x['cl'] is None]
    print(f'- requests without any http_code line: {len(no_code)}; responses without Content-Length: {len(no_cl)} {[ (x["path"], x["code"]) for x in no_cl]}')
    ok = [x for x in ex if x['code'] in (200, 206)]
    cl_sum = sum(x['cl'] or 0 for x in ok)
    a_ok = [x for x in acc if x['status'] in (200, 206)]
    a_sum = sum(x['bytes'] for x in a_ok)
    print(f'- sum Content-Length (200/206) = {cl_sum}; sum body_bytes_sent (200/206) = {a_sum}; diff = {cl_sum - a_sum}')
    # per-request pairing in order
    mism = [(x['path'], x['cl'], y['bytes']) for x, y in zip(ok, a_ok) if x['path'] != y['path'] or x['cl'] != y['bytes']]
    print(f'- in-order pairs that differ (path or bytes): {mism}')
    print(f'- with Content-Range: {sum(1 for x in ex if x["cr"])}/{len(ex)}')
    print()

def shape(line):
    s = line.decode('utf-8', 'replace')
    s = re.sub(r"header='([\w-]+): [^']*'", r"header='\1: V'", s)
    s = re.sub(r"header='HTTP/1\.[01] (\d{3}) [^']*'", r"header='HTTP/1.1 \1 REASON'", s)
    s = re.sub(r'0x[0-9a-f]+', 'ADDR', s)
    s = re.sub(r'\b\d+\.\d+\.\d+\.\d+\b', 'IP', s)
    s = re.sub(r"(https?|tcp)://[^\s',]+", 'URL', s)
    s = re.sub(r"/[\w./-]*\.(ts|m3u8)", '/PATH', s)
    s = re.sub(r'\d+(\.\d+)?', 'N', s)
    s = re.sub(r' +', ' ', s)
    return s.strip()

def shapes(files, out):
    seen = collections.OrderedDict()
    for fn in files:
        for line in re.split(rb'\r\n|\r|\n', raw(fn)):
            if not line.strip():
                continue
            sh = shape(line)
            if sh not in seen:
                seen[sh] = [0, fn, line.decode('utf-8', 'replace')]
            seen[sh][0] += 1
    with open(out, 'w') as f:
        f.write('# count\tshape\tfirst file\tfirst real example\n')
        for sh, (n, fn, ex) in seen.items():
            f.write(f'{n}\t{sh}\t{fn}\t{ex}\n')
    print(f'{len(seen)} distinct shapes -> {out}')

if __name__ == '__main__':
    rates()
    print()
    for s, a in (('stderr_trace_nginx_keepalive.txt', 'access_trace_nginx_keepalive.txt'),
                 ('stderr_trace_404_segments.txt', 'access_trace_404_segments.txt'),
                 ('stderr_trace_503_segments_and_playlist.txt', 'access_trace_503_segments_and_playlist.txt'),
                 ('stderr_trace_444_close_without_response.txt', 'access_trace_444_close_without_response.txt'),
                 ('stderr_trace_abr_master.txt', 'access_trace_abr_master.txt'),
                 ('stderr_trace_origin_frozen_20s.txt', 'access_trace_origin_frozen_20s.txt'),
                 ('stderr_trace_origin_restart.txt', 'access_trace_origin_restart.txt')):
        if os.path.exists(os.path.join(HERE, s)) and os.path.exists(os.path.join(HERE, a)):
            compare(s, a)
    if len(sys.argv) > 1 and sys.argv[1] == '--shapes':
        shapes(sorted(f for f in os.listdir(HERE) if f.startswith('stderr_')), os.path.join(HERE, 'line_shapes.tsv'))
