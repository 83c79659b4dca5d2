// `npm run bench -- cards [--seconds N]`: image-card throughput against sharp's plain resize.
// The full card is what a post with a photo carries: 1200×630, a 2400×1260 JPEG background,
// the unit's logo, the QR code of the post's public page, and three text blocks (headline,
// body, the band's unit name and hotline) plus the layout's kicker. Headline, body and QR
// address change on every card (so no cache answers for them); the background photo, logo,
// unit name, hotline and kicker are the same on every card, as they are for one unit's
// cascade of posts (the renderer keeps their decoded pixels). The same card on a photo it has
// not seen (one of more photos than it keeps, in turn) is measured too. In the same run, sharp
// resizes the same 2400×1260 JPEG to a 1200×630 JPEG, all at 1 and 2 in flight. The flat card
// (no photo, logo or QR) of earlier runs is measured too. Then each step of the full card is
// timed on its own, to show where the time goes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cachedPhotoBase, encode, photoBase } from '../../server/rendering/card-compose.ts';
import { loadCardLayouts } from '../../server/rendering/card-layouts.ts';
import { createRenderer, type CardInput } from '../../server/rendering/index.ts';
import { fitText } from '../../server/rendering/pango-text.ts';
import { placeQr } from '../../server/rendering/qr-code.ts';
import { paint, paintQr } from '../../server/rendering/raster.ts';
import { sharp } from '../../server/rendering/sharp.ts';

/** A gradient with a pattern; each `variant` gives different bytes of the same kind. */
async function syntheticPhoto(width: number, height: number, variant = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i += 3) {
    const x = (i / 3) % width;
    const y = Math.floor(i / 3 / width);
    raw[i] = (x * 255) / width;
    raw[i + 1] = (y * 255) / height;
    raw[i + 2] = ((x + y + variant * 7) % 64) * 4;
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toBuffer();
}

/** A round emblem with a transparent surround, like a unit's logo. */
async function syntheticLogo(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512"><circle cx="256" cy="256" r="240" fill="#c8102e"/><polygon points="256,96 298,214 424,214 322,288 360,408 256,334 152,408 190,288 88,214 214,214" fill="#ffd23f"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
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

// Tasks and resizes alternate in short slices, so that load from other processes on the
// machine falls on all of them alike and their ratios stay meaningful.
async function compare<K extends string>(
  tasks: Record<K, () => Promise<unknown>>,
  inFlight: number,
  seconds: number,
) {
  const SLICES = 4;
  const names = Object.keys(tasks) as K[];
  const totals = Object.fromEntries(names.map((n) => [n, { done: 0, seconds: 0 }])) as Record<
    K,
    { done: number; seconds: number }
  >;
  for (let slice = 0; slice < SLICES; slice++) {
    for (const name of names) {
      const result = await timed(tasks[name], inFlight, seconds / SLICES);
      totals[name].done += result.done;
      totals[name].seconds += result.seconds;
    }
  }
  return Object.fromEntries(names.map((n) => [n, totals[n].done / totals[n].seconds])) as Record<K, number>;
}

/** Mean milliseconds of `task` run one at a time for about `ms`. */
async function meanMs(task: (i: number) => Promise<unknown> | unknown, ms: number): Promise<number> {
  let runs = 0;
  const started = performance.now();
  while (performance.now() - started < ms || runs < 5) await task(runs++);
  return (performance.now() - started) / runs;
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
    // More photos than the renderer keeps decoded, used in turn: each card's is not kept.
    const newPhotos = await Promise.all(
      Array.from({ length: 10 }, (_, i) => syntheticPhoto(2400, 1260, i + 1)),
    );
    const logo = await syntheticLogo();
    // A serial number in the headline, body and address makes every card new.
    let serial = 0;
    const fullInput = (n: number, background = photo): CardInput => ({
      layout: 'canh-bao',
      size: 'feed',
      headline: `CẢNH BÁO: Giả danh công an gọi điện yêu cầu chuyển tiền (${n})`,
      body: `Công an không bao giờ yêu cầu chuyển tiền qua điện thoại. Mã ${n}.`,
      unitName: 'Công an tỉnh Thừa Thiên Huế',
      hotline: '0234 3822 000',
      background,
      logo,
      qrUrl: `https://canhbao.congan.hue.gov.vn/w/gia-danh-cong-an-goi-dien-yeu-cau-chuyen-tien-${n}`,
    });
    const render = async (input: CardInput) => {
      const rendered = await renderer.renderCard(input);
      if (rendered.cached) throw new Error('a benchmark card came from the cache');
    };
    const full = () => render(fullInput(serial++));
    const fullNewPhoto = () => {
      const n = serial++;
      return render(fullInput(n, newPhotos[n % newPhotos.length]));
    };
    const flat = () =>
      render({
        layout: 'canh-bao',
        size: 'feed',
        headline: `CẢNH BÁO: Giả danh công an gọi điện yêu cầu chuyển tiền (${serial++})`,
        body: 'Công an không bao giờ yêu cầu chuyển tiền qua điện thoại.',
        unitName: 'Công an tỉnh Thừa Thiên Huế',
        hotline: '0234 3822 000',
      });
    const resize = () => sharp(photo).resize(1200, 630).jpeg({ quality: 85 }).toBuffer();

    const figures: [string, string][] = [
      ['warmup_ms', warmUpMs.toFixed(0)],
      ['first_card_after_warmup_ms', firstCardMs.toFixed(0)],
    ];
    for (const inFlight of [1, 2]) {
      const rates = await compare({ full, fullNewPhoto, flat, resize }, inFlight, seconds);
      figures.push(
        [`full_cards_per_s_${inFlight}_in_flight`, fixed(rates.full)],
        [`full_new_photo_cards_per_s_${inFlight}_in_flight`, fixed(rates.fullNewPhoto)],
        [`flat_cards_per_s_${inFlight}_in_flight`, fixed(rates.flat)],
        [`resize_per_s_${inFlight}_in_flight`, fixed(rates.resize)],
        [`ratio_vs_resize_${inFlight}_in_flight`, (rates.full / rates.resize).toFixed(2)],
        [`new_photo_ratio_vs_resize_${inFlight}_in_flight`, (rates.fullNewPhoto / rates.resize).toFixed(2)],
        [`flat_ratio_vs_resize_${inFlight}_in_flight`, (rates.flat / rates.resize).toFixed(2)],
      );
    }

    // Where the full card's time goes: each step alone, one at a time (the card runs the text
    // steps concurrently with the photo, so its wall time is less than their sum).
    const layout = loadCardLayouts().get('canh-bao')!;
    const g = layout.sizes.feed;
    const fit = (text: string, block: typeof g.headline, colour: string) =>
      fitText({
        text,
        box: { width: block.box[2], height: block.box[3] },
        weight: block.weight,
        color: colour,
        align: block.align,
        maxFontPx: block.maxFontPx,
        minFontPx: block.minFontPx,
      });
    const budget = seconds * 150;
    const base = await photoBase(photo, 1200, 630, layout.backgroundBrightness);
    const headline = await fit(fullInput(0).headline, g.headline, '#ffffff');
    if (!headline.ok) throw new Error('benchmark headline does not fit');
    let n = 1_000_000;
    const parts: [string, number][] = [
      ['part_resize_ms', await meanMs(resize, budget)],
      ['part_full_card_ms', await meanMs(() => full(), budget)],
      ['part_full_card_new_photo_ms', await meanMs(() => fullNewPhoto(), budget)],
      [
        'part_photo_base_cached_ms',
        await meanMs(() => cachedPhotoBase(photo, 1200, 630, layout.backgroundBrightness), budget),
      ],
      [
        'part_photo_base_ms',
        await meanMs(() => photoBase(photo, 1200, 630, layout.backgroundBrightness), budget),
      ],
      [
        'part_text_headline_ms',
        await meanMs(() => fit(fullInput(n++).headline, g.headline, '#ffffff'), budget),
      ],
      ['part_text_body_ms', await meanMs(() => fit(fullInput(n++).body ?? '', g.body, '#ffe3c4'), budget)],
      [
        'part_text_band_cached_ms',
        await meanMs(() => fit('Công an tỉnh Thừa Thiên Huế', g.unitName, '#1b1b1b'), budget),
      ],
      [
        'part_qr_ms',
        await meanMs(() => paintQr(base, g.qr, placeQr(fullInput(n++).qrUrl ?? '', 164)), budget),
      ],
      ['part_paint_headline_ms', await meanMs(() => paint(base, headline, 60, 150), budget)],
      ['part_encode_jpeg_ms', await meanMs(() => encode(base, 'image/jpeg'), budget)],
    ];
    for (const [name, ms] of parts) figures.push([name, ms.toFixed(2)]);
    figures.push(['rss_mb', (process.memoryUsage().rss / 1024 / 1024).toFixed(0)]);
    for (const [name, value] of figures) console.log(`${name}: ${value}`);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}
