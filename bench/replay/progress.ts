/**
 * The `-progress pipe:1` side of a capture: its blocks, and the time since FFmpeg's transcode
 * timer started that each block gives.
 * @module
 */

/** One progress block, `progress=continue|end` included, with the fields the timing reads. */
export interface Block {
  text: string;
  frame: number | null;
  fps: number | null;
  outUs: number | null;
  speed: number | null;
  end: boolean;
}

/**
 * Splits a progress capture into its blocks.
 *
 * @example
 * ```ts
 * const [b] = parseProgress("frame=60\nfps=29.85\nout_time_us=2000000\nspeed=0.995x\nprogress=continue\n");
 * [b.frame, b.fps, b.outUs, b.speed, b.end]; // [60, 29.85, 2000000, 0.995, false]
 * ```
 */
export function parseProgress(s: string): Block[] {
  const blocks: Block[] = [];
  let cur = "";
  for (const line of s.split(/(?<=\n)/)) {
    cur += line;
    if (/^progress=(continue|end)\n$/.test(line)) {
      const get = (k: string) => {
        const m = new RegExp(`^${k}=\\s*([-\\d.]+)`, "m").exec(cur);
        return m ? Number(m[1]) : null;
      };
      blocks.push({
        text: cur,
        frame: get("frame"),
        fps: get("fps"),
        outUs: get("out_time_us"),
        speed: get("speed"),
        end: line.startsWith("progress=end"),
      });
      cur = "";
    }
  }
  return blocks;
}

/**
 * Microseconds since FFmpeg's transcode timer started when the block was written, if known:
 * frame/fps (fps has two decimals, so good to well under 1 ms), else out_time/speed; the first
 * block without either is at 0.
 */
export function blockElapsedUs(b: Block, first: boolean): number | null {
  if (b.frame && b.fps && b.fps > 0) return (b.frame / b.fps) * 1e6;
  if (b.outUs !== null && b.speed && b.speed > 0) return b.outUs / b.speed;
  return first ? 0 : null;
}
