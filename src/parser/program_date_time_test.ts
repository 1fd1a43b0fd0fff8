import { assert, assertEquals } from "../testing/assert.ts";
import { captureUrl, replayStderr } from "./capture_replay.ts";
import { parseProgramDateTime, ProgramDateTimes } from "./program_date_time.ts";

const tag = (iso: string) => `#EXT-X-PROGRAM-DATE-TIME:${iso}`;

Deno.test("parseProgramDateTime: FFmpeg's +0000, Z, +01:00, and not a date", () => {
  assertEquals(
    parseProgramDateTime("2026-12-07T18:07:49.675+0000"),
    Date.UTC(2026, 11, 7, 18, 7, 49, 675),
  );
  assertEquals(parseProgramDateTime("2026-12-07T18:07:49Z"), Date.UTC(2026, 11, 7, 18, 7, 49));
  assertEquals(
    parseProgramDateTime("2026-12-07T19:07:49.000+01:00"),
    Date.UTC(2026, 11, 7, 18, 7, 49),
  );
  assertEquals(parseProgramDateTime("yesterday"), null);
});

Deno.test("ProgramDateTimes: the third from the last tag of the last playlist before the first segment", () => {
  const p = new ProgramDateTimes();
  p.playlistOpened(); // a master playlist: no tags
  p.playlistOpened();
  for (let s = 0; s < 6; s++) p.skipped(tag(`2026-12-07T18:00:0${s}.000Z`));
  p.skipped("#EXT-X-VERSION:3");
  p.playlistOpened(); // reloaded before the first segment: its tags replace the others
  for (let s = 2; s < 8; s++) p.skipped(tag(`2026-12-07T18:00:0${s}.000Z`));
  assertEquals(p.firstSegment(), Date.UTC(2026, 11, 7, 18, 0, 5));
  assertEquals(p.firstSegment(), null); // once per run
});

Deno.test("ProgramDateTimes: a playlist of fewer than three starts at its first; none is unknown", () => {
  const p = new ProgramDateTimes();
  p.playlistOpened();
  p.skipped(tag("2026-12-07T18:00:00.000Z"));
  p.skipped(tag("2026-12-07T18:00:02.000Z"));
  assertEquals(p.firstSegment(), Date.UTC(2026, 11, 7, 18, 0, 0));
  const none = new ProgramDateTimes();
  none.playlistOpened();
  none.skipped("#EXT-X-VERSION:3");
  assertEquals(none.firstSegment(), null);
});

Deno.test("FFmpeg 5.1 capture: the first segment's PDT is the one its playlist gives it", async () => {
  const events = await replayStderr("5.1", "stderr_trace_program_date_time.txt");
  const first = events.find((e) => e.type === "request" && e.kind === "segment");
  assert(first?.type === "request");
  const playlist = await Deno.readTextFile(
    captureUrl("5.1", "playlist_program_date_time.m3u8"),
  );
  // The truth: the tag just before the requested segment's URI in the origin's playlist.
  const lines = playlist.split("\n");
  const uri = lines.indexOf(first.path.slice(1));
  const truth = parseProgramDateTime(lines[uri - 1].slice("#EXT-X-PROGRAM-DATE-TIME:".length));
  const pdt = events.filter((e) => e.type === "program_date_time");
  // Every segment of FFmpeg's own playlist is tagged, 2 s apart.
  assertEquals(pdt, [{ type: "program_date_time", epochMs: truth!, segmentMs: 2000 }]);
  console.log(`first segment ${first.path}: PDT ${new Date(truth!).toISOString()}`);
});
