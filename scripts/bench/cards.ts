// `npm run bench -- cards [--seconds N]`: image-card throughput against sharp's plain resize.
// Renders the 1200×630 card (unique text each time, so the card cache never answers) and, in
// the same run, resizes a 2400×1260 JPEG to 1200×630 JPEG, each at 1 and 2 in flight.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRenderer } from '../../server/rendering/index.ts';
import { sharp } from '../../server/rendering/sharp.ts';

async function syntheticPhoto(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    raw[i] = (x * 255) / width;
    raw[i + 1] = (y * 255) / height;
    raw[i + 2] = ((x + y) % 64) * 4;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** Runs `task` with `inFlight` concurrent loops for `seconds`; returns completions and time. */
async function timed(task: () => Promise<unknown>, inFlight: number, seconds: number) {
  let done = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    while (performance.now() < deadline) {
      await task();
      done++;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, loop));
  return { done, seconds: (performance.now() - started) / 1000 };
}

// Cards and resizes alternate in short slices, so that load from other processes on the
// machine falls on both alike and their ratio stays meaningful.
async function compare(
  tasks: Record<'cards' | 'resize', () => Promise<unknown>>,
  inFlight: number,
  seconds: number,
) {
  const SLICES = 4;
  const totals = { cards: { done: 0, seconds: 0 }, resize: { done: 0, seconds: 0 } };
  for (let slice = 0; slice < SLICES; slice++) {
    for (const name of ['cards', 'resize'] as const) {
      const result = await timed(tasks[name], inFlight, seconds / SLICES);
      totals[name].done += result.done;
      totals[name].seconds += result.seconds;
    }
  }
  return {
    cards: totals.cards.done / totals.cards.seconds,
    resize: totals.resize.done / totals.resize.seconds,
  };
}

const fixed = (n: number) => n.toFixed(n >= 10 ? 1 : 2);

export async function run(args: string[]): Promise<void> {
  const secondsArg = args.indexOf('--seconds');
  const seconds = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 4;
  if (!(seconds > 0 && seconds <= 10)) throw new Error('--seconds must be in (0, 10]');
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'loa-bench-cards-'));
  try {
    const renderer = createRenderer({ cacheDir });
    let t = performance.now();
    await renderer.warmUp();
    const warmUpMs = performance.now() - t;
    t = performance.now();
    await renderer.renderCard({ layout: 'canh-bao', size: 'feed', headline: 'Lần đầu sau khởi động' });
    const firstCardMs = performance.now() - t;

    const photo = await syntheticPhoto(2400, 1260);
    // A serial number in the headline makes every card new: the cache never answers.
    let serial = 0;
    const card = async () => {
      const rendered = await renderer.renderCard({
        layout: 'canh-bao',
        size: 'feed',
        headline: `CẢNH BÁO: Giả danh công an gọi điện yêu cầu chuyển tiền (${serial++})`,
        body: 'Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.',
        unitName: 'Công an tỉnh Thừa Thiên Huế',
        hotline: '0234 3822 000',
      });
      if (rendered.cached) throw new Error('a benchmark card came from the cache');
    };
    const resize = () => sharp(photo).resize(1200, 630).jpeg({ quality: 85 }).toBuffer();

    const figures: [string, string][] = [
      ['warmup_ms', warmUpMs.toFixed(0)],
      ['first_card_after_warmup_ms', firstCardMs.toFixed(0)],
    ];
    for (const inFlight of [1, 2]) {
      const { cards, resize: resizes } = await compare({ cards: card, resize }, inFlight, seconds);
      figures.push(
        [`cards_per_s_${inFlight}_in_flight`, fixed(cards)],
        [`resize_per_s_${inFlight}_in_flight`, fixed(resizes)],
        [`ratio_vs_resize_${inFlight}_in_flight`, (cards / resizes).toFixed(2)],
      );
    }
    figures.push(['rss_mb', (process.memoryUsage().rss / 1024 / 1024).toFixed(0)]);
    for (const [name, value] of figures) console.log(`${name}: ${value}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
