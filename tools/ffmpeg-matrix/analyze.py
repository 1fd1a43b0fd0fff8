#!/usr/bin/env python3
"""Counts for the FFmpeg HLS-client captures in testdata/ffmpeg-<version>/.

usage:
  python3 tools/ffmpeg-matrix/analyze.py DIR [DIR...]       per-capture counts (stderr vs nginx access log)
  python3 tools/ffmpeg-matrix/analyze.py --shapes DIR       (re)write DIR/line_shapes.tsv
  python3 tools/ffmpeg-matrix/analyze.py --diff OLD NEW     line shapes of parser-relevant events in NEW
                                                            that OLD lacks, and the other way round

Only the standard library; reads the files byte-exact. Every stderr_trace_<s>.txt is paired with
access_trace_<s>.txt and progress_trace_<s>.txt in the same directory.

Lines are split on \\r\\n, \\r and \\n. A `datetime` prefix (FFmpeg 9.0: `2026-12-01 14:37:32.911 `)
is taken off before a line is matched; the context may be `[http @ 0x…]`, `[hls @ 0x…]`,
`[in#0/hls @ 0x…]`, `[in#0 @ 0x…]`, and so on.
"""
import collections
import os
import re
import sys

DATETIME = re.compile(rb'^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) ')
CTX = re.compile(rb'^\[([^\]]+?) @ (0x[0-9a-f]+)\] \[(\w+)\] (.*)$')
NOCTX = re.compile(rb'^\[(\w+)\] (.*)$')
ACCESS = re.compile(r'^(\S+) (\S+) (\S+) (\d{3}) (\d+) "([^"]*)" (\S+)$')

# Messages a parser of hls-swarm's kind cares about (matched against the message, after ctx and level).
EVENTS = [
    ('request: GET', rb'^request: GET '),
    ('http_code=', rb'^http_code='),
    ('Content-Length', rb"^header='Content-Length: "),
    ('HTTP error', rb'^HTTP error '),
    ('tcp Starting connection attempt', rb'^Starting connection attempt '),
    ('tcp Successfully connected', rb'^Successfully connected '),
    ('Media sequence change', rb'^Media sequence change '),
    ('skipping N segments ahead', rb'^skipping \d+ segments ahead'),
    ('Failed to open segment', rb'^Failed to open segment '),
    ('failed too many times', rb'failed too many times'),
    ('keepalive request failed', rb'^keepalive request failed'),
    ('Will reconnect at', rb'^Will reconnect at '),
    ('Failed to reload playlist', rb'^Failed to reload playlist'),
    ('Opening', rb"^Opening '"),
    ('HLS request for url', rb'^HLS request for url '),
    ('AVIOContext Statistics', rb'^Statistics: \d+ bytes read'),
    ('http Statistics (9.0)', rb'^Statistics: \d+ connection'),
]


def raw(path):
    with open(path, 'rb') as f:
        return f.read()


def split_lines(b):
    return re.split(rb'\r\n|\r|\n', b)


def parse(line):
    """-> (timestamp or None, ctx name or None, level or None, message); None if the line is a
    continuation (no `[level]` tag), e.g. the header lines of a `request:` block."""
    ts = None
    m = DATETIME.match(line)
    if m:
        ts = m.group(1).decode()
        line = line[m.end():]
    m = CTX.match(line)
    if m:
        return ts, m.group(1).decode(), m.group(3).decode(), m.group(4), m.group(2).decode()
    m = NOCTX.match(line)
    if m:
        return ts, None, m.group(1).decode(), m.group(2), None
    return None


def kind(p):
    return 'm3u8' if p.endswith('.m3u8') else 'ts' if p.endswith('.ts') else 'other'


def access(path):
    rows = []
    for line in raw(path).decode().splitlines():
        m = ACCESS.match(line)
        if m:
            rows.append({'path': m.group(2), 'status': int(m.group(4)), 'bytes': int(m.group(5)),
                         'ua': m.group(6), 'time': float(m.group(7))})
    return rows


def http_exchanges(b):
    """Pair every `request: GET` with the header lines that follow on the same [http @ X] context."""
    ex, open_by_ctx = [], {}
    for line in split_lines(b):
        p = parse(line)
        if not p or p[1] != 'http':
            continue
        _, _, _, msg, addr = p
        if msg.startswith(b'request: GET '):
            e = {'path': msg.split()[2].decode(), 'code': None, 'cl': None, 'cr': None}
            ex.append(e)
            open_by_ctx[addr] = e
        elif addr in open_by_ctx:
            e = open_by_ctx[addr]
            if msg.startswith(b'http_code='):
                e['code'] = int(msg[10:])
            elif msg.lower().startswith(b"header='content-length: "):
                e['cl'] = int(msg.split(b': ')[1].rstrip(b"'"))
            elif msg.lower().startswith(b"header='content-range: "):
                e['cr'] = msg.split(b': ', 1)[1].rstrip(b"'").decode()
            elif msg == b"header=''":
                del open_by_ctx[addr]
    return ex


def fmt_counter(c):
    return ', '.join(f'{k}×{v}' for k, v in sorted(c.items(), key=lambda kv: str(kv[0])))


def access_summary(rows):
    out = {}
    for k in ('m3u8', 'ts'):
        r = [x for x in rows if kind(x['path']) == k]
        out[k] = {
            'n': len(r),
            'status': collections.Counter(x['status'] for x in r),
            'bytes2xx': sum(x['bytes'] for x in r if 200 <= x['status'] < 300),
        }
    return out


def segment_numbers(rows):
    return [int(m.group(1)) for x in rows if (m := re.search(r'seg(\d+)\.ts$', x['path']))]


def progress_summary(path):
    if not os.path.exists(path):
        return None
    lines = raw(path).decode().splitlines()
    blocks = [ln for ln in lines if ln.startswith('progress=')]
    keys = []
    for ln in lines:
        k = ln.split('=', 1)[0]
        if k in keys:
            break
        keys.append(k)
    return {'blocks': len(blocks), 'keys': keys, 'last': blocks[-1] if blocks else None}


def capture(d, scen):
    se = os.path.join(d, f'stderr_trace_{scen}.txt')
    ac = os.path.join(d, f'access_trace_{scen}.txt')
    b = raw(se)
    lines = split_lines(b)
    parsed = [parse(ln) for ln in lines]
    nonempty = [ln for ln in lines if ln.strip()]
    tagged = [p for p in parsed if p]
    print(f'### {os.path.basename(d)} / {scen}')
    n_lf, n_cr = b.count(b'\n'), b.count(b'\r')
    print(f'- stderr: {len(b)} bytes, {len(nonempty)} non-empty pieces split on \\r\\n|\\r|\\n '
          f'({n_lf} \\n, {n_cr} \\r); {len(tagged)} carry a [level] tag; '
          f'{sum(1 for p in tagged if p[0])} carry a datetime prefix; '
          f'{sum(1 for ln, p in zip(lines, parsed) if ln.strip() and not p)} untagged continuation pieces')
    ev = collections.Counter()
    ctxs = collections.defaultdict(collections.Counter)
    for p in tagged:
        _, ctx, lvl, msg, _ = p
        for name, rx in EVENTS:
            if re.search(rx, msg):
                ev[name] += 1
                ctxs[name][f'[{ctx} @] [{lvl}]' if ctx else f'[{lvl}]'] += 1
    for name, _ in EVENTS:
        if ev[name]:
            print(f'- `{name}`: {ev[name]}  ({fmt_counter(ctxs[name])})')
    seq = [tuple(int(x) for x in m) for m in re.findall(rb'Media sequence change \((\d+) -> (\d+)\)', b)]
    jumps = [f'{a}->{c}' for a, c in seq if c - a != 1]
    print(f'- Media sequence changes with b-a != 1: {jumps or "none"}')
    skips = re.findall(rb'skipping (\d+) segments ahead', b)
    if skips:
        print(f'- skipping N segments ahead: N = {[int(x) for x in skips]}')
    ex = http_exchanges(b)
    print(f'- exchanges: `request: GET` .m3u8={sum(1 for x in ex if kind(x["path"]) == "m3u8")} '
          f'.ts={sum(1 for x in ex if kind(x["path"]) == "ts")}; http_code: '
          f'{fmt_counter(collections.Counter(x["code"] for x in ex))}')
    ok = [x for x in ex if x['code'] is not None and 200 <= x['code'] < 300]
    print(f'- 2xx without Content-Length: {sum(1 for x in ok if x["cl"] is None)}; '
          f'non-2xx with Content-Length: {sum(1 for x in ex if x["cl"] is not None and x not in ok)}; '
          f'with Content-Range: {sum(1 for x in ex if x["cr"])}/{len(ex)}')
    if os.path.exists(ac):
        rows = access(ac)
        a = access_summary(rows)
        for k in ('m3u8', 'ts'):
            e = [x for x in ex if kind(x['path']) == k]
            cl = sum(x['cl'] or 0 for x in e if x['code'] is not None and 200 <= x['code'] < 300)
            print(f'- {k}: nginx {a[k]["n"]} requests ({fmt_counter(a[k]["status"])}), 2xx body bytes '
                  f'{a[k]["bytes2xx"]}; ffmpeg `request: GET` {len(e)}, Σ Content-Length (2xx) {cl}')
        a_ok = [x for x in rows if 200 <= x['status'] < 300]
        mism = [(x['path'], x['cl'], y['path'], y['bytes']) for x, y in zip(ok, a_ok)
                if x['path'] != y['path'] or x['cl'] != y['bytes']]
        print(f'- 2xx in order, ffmpeg vs nginx, pairs that differ in path or bytes: {mism or "none"}')
        segs = segment_numbers(rows)
        uniq = sorted(set(segs))
        gaps = [f'{p + 1}..{n - 1}' for p, n in zip(uniq, uniq[1:]) if n - p > 1]
        print(f'- segments requested (nginx): {uniq[0] if uniq else "-"}..{uniq[-1] if uniq else "-"}, '
              f'{len(uniq)} distinct, gaps: {gaps or "none"}; repeated: '
              f'{ {s: n for s, n in collections.Counter(segs).items() if n > 1} or "none"}')
        times = [x['time'] for x in rows if kind(x['path']) == 'm3u8']
        if times and max(times) > 0.5:
            print(f'- nginx $request_time of .m3u8: min {min(times):.3f} max {max(times):.3f}')
    pr = progress_summary(os.path.join(d, f'progress_trace_{scen}.txt'))
    if pr:
        print(f'- progress: {pr["blocks"]} blocks, keys: {" ".join(pr["keys"])}; last: {pr["last"]}')
    print()


def scenarios(d):
    return sorted(f[len('stderr_trace_'):-4] for f in os.listdir(d)
                  if f.startswith('stderr_trace_') and f.endswith('.txt'))


def shape(line):
    s = DATETIME.sub(b'', line).decode('utf-8', 'replace')
    s = re.sub(r"header='([\w-]+): [^']*'", r"header='\1: V'", s)
    s = re.sub(r"header='HTTP/1\.[01] (\d{3}) [^']*'", r"header='HTTP/1.1 \1 REASON'", s)
    s = re.sub(r'0x[0-9a-f]+', 'ADDR', s)
    s = re.sub(r'\b\d+\.\d+\.\d+\.\d+\b', 'IP', s)
    s = re.sub(r"(https?|tcp)://[^\s',]+", 'URL', s)
    s = re.sub(r"/[\w./-]*\.(ts|m3u8)", '/PATH', s)
    s = re.sub(r'\d+(\.\d+)?', 'N', s)
    s = re.sub(r' +', ' ', s)
    return s.strip()


def collect_shapes(d):
    seen = collections.OrderedDict()
    for fn in sorted(f for f in os.listdir(d) if f.startswith('stderr_')):
        for line in split_lines(raw(os.path.join(d, fn))):
            if not line.strip():
                continue
            sh = shape(line)
            if sh not in seen:
                seen[sh] = [0, fn, line.decode('utf-8', 'replace')]
            seen[sh][0] += 1
    return seen


def write_shapes(d):
    seen = collect_shapes(d)
    out = os.path.join(d, 'line_shapes.tsv')
    with open(out, 'w') as f:
        f.write('# count\tshape\tfirst file\tfirst real example\n')
        for sh, (n, fn, ex) in seen.items():
            f.write(f'{n}\t{sh}\t{fn}\t{ex}\n')
    print(f'{len(seen)} distinct shapes -> {out}')


RELEVANT = re.compile(r"request: GET|http_code=|Content-Length|HTTP error|connection attempt|Successfully connected"
                      r"|Media sequence|segments ahead|Failed to|failed too many|keepalive|reconnect|Opening '"
                      r"|HLS request|Statistics|Latency|Exiting|Error opening|No more output|frame=")


def diff(old, new):
    a, b = collect_shapes(old), collect_shapes(new)
    for title, x, y in ((f'only in {new}', b, a), (f'only in {old}', a, b)):
        print(f'## {title}')
        for sh, (n, fn, ex) in x.items():
            if sh not in y and RELEVANT.search(sh):
                print(f'{n}\t{sh[:160]}\t{fn}')
        print()


if __name__ == '__main__':
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    if args[0] == '--shapes':
        for d in args[1:]:
            write_shapes(d)
    elif args[0] == '--diff':
        diff(args[1], args[2])
    else:
        for d in args:
            for s in scenarios(d):
                capture(d, s)
