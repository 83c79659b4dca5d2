// npm run make-media: draws the shipped pictures under media/ (card backgrounds, the neutral
// default unit logo, the demo communes' logos, a few demo photos) from SVG with sharp. Every
// file is made here, for Loa, so media/README.md can say where each comes from; the outputs are
// committed, and running this again rewrites them identically.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';

const root = path.resolve(import.meta.dirname, '..', 'media');

async function write(relative: string, svg: string, format: 'png' | 'jpeg' | 'svg'): Promise<void> {
  const file = path.join(root, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  if (format === 'svg') {
    writeFileSync(file, `${svg.trim()}\n`);
    return;
  }
  const image = sharp(Buffer.from(svg));
  const data =
    format === 'png'
      ? await image.png({ compressionLevel: 9, palette: true }).toBuffer()
      : await image.jpeg({ quality: 78, mozjpeg: true }).toBuffer();
  writeFileSync(file, data);
}

/** A small deterministic generator, so the drawings are the same on every run. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A shield with a loudspeaker: says "a unit that warns people", on purpose unlike any state emblem
// (no star, no national colours arrangement, no text).
function shieldLogo(fill: string, accent: string, mark: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <path d="M256 24 L448 96 V256 C448 372 360 452 256 488 C152 452 64 372 64 256 V96 Z" fill="${fill}"/>
  <path d="M256 56 L420 118 V256 C420 354 346 424 256 456 C166 424 92 354 92 256 V118 Z" fill="none" stroke="${accent}" stroke-width="10"/>
  ${mark}
</svg>`;
}

function speaker(color: string): string {
  return `<g fill="${color}">
    <path d="M150 214 h52 l86 -62 v208 l-86 -62 h-52 z"/>
    <path d="M316 196 q34 60 0 120" fill="none" stroke="${color}" stroke-width="18" stroke-linecap="round"/>
    <path d="M346 166 q60 90 0 180" fill="none" stroke="${color}" stroke-width="18" stroke-linecap="round"/>
  </g>`;
}

// Ten marks for the demo communes: simple shapes, so each logo tells its commune apart.
const COMMUNE_MARKS: Array<(c: string) => string> = [
  (c) => `<circle cx="256" cy="250" r="90" fill="${c}"/>`,
  (c) => `<rect x="166" y="160" width="180" height="180" rx="24" fill="${c}"/>`,
  (c) => `<path d="M256 150 L356 330 H156 Z" fill="${c}"/>`,
  (c) => `<path d="M256 146 L366 250 L256 354 L146 250 Z" fill="${c}"/>`,
  (c) =>
    `<path d="M150 300 q53 -90 106 0 q53 90 106 0" fill="none" stroke="${c}" stroke-width="26" stroke-linecap="round"/><path d="M150 220 q53 -90 106 0 q53 90 106 0" fill="none" stroke="${c}" stroke-width="26" stroke-linecap="round"/>`,
  (c) => `<path d="M256 140 L300 330 H212 Z M180 330 H332 V352 H180 Z" fill="${c}"/>`,
  (c) => `<path d="M160 330 L220 200 L256 260 L300 170 L360 330 Z" fill="${c}"/>`,
  (c) =>
    `<circle cx="256" cy="250" r="96" fill="none" stroke="${c}" stroke-width="24"/><circle cx="256" cy="250" r="36" fill="${c}"/>`,
  (c) => `<path d="M256 150 C316 200 316 300 256 350 C196 300 196 200 256 150 Z" fill="${c}"/>`,
  (c) =>
    `<rect x="170" y="170" width="70" height="70" fill="${c}"/><rect x="272" y="170" width="70" height="70" fill="${c}"/><rect x="170" y="272" width="70" height="70" fill="${c}"/><rect x="272" y="272" width="70" height="70" fill="${c}"/>`,
];
const COMMUNE_COLOURS = [
  ['#1f4e79', '#f2c14e'],
  ['#2e6b3a', '#e8e2c4'],
  ['#7a2e2e', '#f4d58d'],
  ['#35507a', '#d9e4f5'],
  ['#0f6b6b', '#f0e6c8'],
  ['#5b3f7a', '#efe1ff'],
  ['#6b4f1f', '#f6e3b4'],
  ['#1e5f8c', '#ffe08a'],
  ['#3d6b2e', '#f5f0d6'],
  ['#803d1f', '#fbe3c6'],
] as const;

function background(seed: number, from: string, to: string, kind: 'waves' | 'grid' | 'rays'): string {
  const random = rng(seed);
  let shapes = '';
  if (kind === 'waves') {
    for (let i = 0; i < 9; i++) {
      const y = 80 + i * 62;
      const a = 30 + random() * 40;
      shapes += `<path d="M0 ${y} C300 ${y - a} 600 ${y + a} 900 ${y} S1200 ${y - a} 1200 ${y}" fill="none" stroke="#ffffff" stroke-opacity="${(0.05 + random() * 0.08).toFixed(2)}" stroke-width="${(8 + random() * 18).toFixed(0)}"/>`;
    }
  } else if (kind === 'grid') {
    for (let i = 0; i < 70; i++) {
      const x = Math.round(random() * 1200);
      const w = Math.round(20 + random() * 90);
      const h = Math.round(40 + random() * 200);
      shapes += `<rect x="${x}" y="${630 - h}" width="${w}" height="${h}" fill="#000000" fill-opacity="${(0.1 + random() * 0.15).toFixed(2)}"/>`;
      if (i % 2 === 0)
        shapes += `<circle cx="${Math.round(random() * 1200)}" cy="${Math.round(random() * 420)}" r="${(2 + random() * 4).toFixed(1)}" fill="#fff6c8" fill-opacity="0.5"/>`;
    }
  } else {
    for (let i = 0; i < 14; i++) {
      const angle = (i / 14) * Math.PI * 2;
      const x = 900 + Math.cos(angle) * 1400;
      const y = 120 + Math.sin(angle) * 1400;
      shapes += `<path d="M900 120 L${x.toFixed(0)} ${y.toFixed(0)} L${(x + 160).toFixed(0)} ${(y + 160).toFixed(0)} Z" fill="#ffffff" fill-opacity="${(0.03 + random() * 0.05).toFixed(2)}"/>`;
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
  <defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>
  <rect width="1200" height="630" fill="url(#g)"/>${shapes}
</svg>`;
}

// Demo "photos": flat illustrations of the scenes the warnings are about, at photo size.
const PHOTOS: Record<string, string> = {
  'cuoc-goi-la': `<rect width="1200" height="800" fill="#d8e3ea"/>
    <rect x="0" y="560" width="1200" height="240" fill="#a9b9c4"/>
    <rect x="430" y="90" width="340" height="620" rx="44" fill="#1d2429"/>
    <rect x="452" y="130" width="296" height="520" rx="18" fill="#2f7d4f"/>
    <circle cx="600" cy="300" r="70" fill="#e6efe9"/>
    <circle cx="600" cy="280" r="26" fill="#2f7d4f"/><path d="M556 350 q44 -50 88 0" fill="#2f7d4f"/>
    <rect x="500" y="410" width="200" height="22" rx="11" fill="#e6efe9" fill-opacity="0.8"/>
    <rect x="530" y="448" width="140" height="16" rx="8" fill="#e6efe9" fill-opacity="0.6"/>
    <circle cx="520" cy="580" r="38" fill="#d9453b"/><circle cx="680" cy="580" r="38" fill="#37b26c"/>
    <path d="M800 260 q40 40 0 80 M840 230 q70 70 0 140" fill="none" stroke="#1d2429" stroke-width="14" stroke-linecap="round"/>`,
  'trang-web-gia': `<rect width="1200" height="800" fill="#efe7da"/>
    <rect x="0" y="600" width="1200" height="200" fill="#8a6f52"/>
    <rect x="250" y="140" width="700" height="440" rx="20" fill="#2b2f33"/>
    <rect x="272" y="162" width="656" height="396" fill="#f7f7f7"/>
    <rect x="272" y="162" width="656" height="54" fill="#c8372d"/>
    <rect x="300" y="250" width="300" height="26" rx="6" fill="#c9c9c9"/>
    <rect x="300" y="300" width="600" height="44" rx="8" fill="#ffffff" stroke="#bbbbbb" stroke-width="3"/>
    <rect x="300" y="364" width="600" height="44" rx="8" fill="#ffffff" stroke="#bbbbbb" stroke-width="3"/>
    <rect x="300" y="440" width="220" height="56" rx="10" fill="#c8372d"/>
    <path d="M180 600 h840 l60 60 H120 Z" fill="#3b4045"/>
    <circle cx="860" cy="470" r="60" fill="#ffd23f"/><rect x="852" y="430" width="16" height="52" rx="6" fill="#1b1b1b"/><circle cx="860" cy="500" r="9" fill="#1b1b1b"/>`,
  'sim-rac': `<rect width="1200" height="800" fill="#e9e2f0"/>
    <rect x="0" y="520" width="1200" height="280" fill="#b8a9c9"/>
    <path d="M300 220 h220 l60 60 v300 h-280 z" fill="#f2c14e"/>
    <rect x="340" y="330" width="180" height="140" rx="14" fill="#c99a2e"/>
    <path d="M560 180 h220 l60 60 v300 h-280 z" fill="#4a90c2" transform="rotate(12 700 380)"/>
    <path d="M760 260 h200 l54 54 v270 h-254 z" fill="#d9453b" transform="rotate(-8 880 420)"/>
    <path d="M360 650 h480" stroke="#6a5a80" stroke-width="18" stroke-linecap="round"/>`,
  'ma-qr-dan-de': `<rect width="1200" height="800" fill="#dfe6d8"/>
    <rect x="0" y="600" width="1200" height="200" fill="#9aa88c"/>
    <rect x="360" y="80" width="480" height="560" rx="12" fill="#ffffff" stroke="#c6cbbd" stroke-width="6"/>
    <rect x="420" y="140" width="360" height="360" fill="#1b1b1b"/>
    <rect x="450" y="170" width="90" height="90" fill="#ffffff"/><rect x="660" y="170" width="90" height="90" fill="#ffffff"/><rect x="450" y="380" width="90" height="90" fill="#ffffff"/>
    <rect x="470" y="190" width="50" height="50" fill="#1b1b1b"/><rect x="680" y="190" width="50" height="50" fill="#1b1b1b"/><rect x="470" y="400" width="50" height="50" fill="#1b1b1b"/>
    <rect x="580" y="300" width="40" height="40" fill="#ffffff"/><rect x="640" y="360" width="40" height="40" fill="#ffffff"/><rect x="700" y="420" width="40" height="40" fill="#ffffff"/>
    <rect x="420" y="540" width="360" height="40" rx="8" fill="#2f7d4f"/>
    <path d="M700 470 l140 -40 l-30 70 z" fill="#ffd23f" stroke="#1b1b1b" stroke-width="6"/>`,
};

async function main(): Promise<void> {
  const logo = shieldLogo('#34495e', '#f2c14e', speaker('#f2c14e'));
  await write('logos/default-unit.svg', logo, 'svg');
  await write('logos/default-unit.png', logo, 'png');
  for (let i = 0; i < COMMUNE_MARKS.length; i++) {
    const [fill, accent] = COMMUNE_COLOURS[i] ?? ['#34495e', '#f2c14e'];
    const mark = COMMUNE_MARKS[i]?.(accent) ?? '';
    await write(`logos/xa-${String(i + 1).padStart(2, '0')}.png`, shieldLogo(fill, accent, mark), 'png');
  }
  await write('backgrounds/song-xanh.jpg', background(11, '#0d3b66', '#145c7a', 'waves'), 'jpeg');
  await write('backgrounds/pho-dem.jpg', background(23, '#1b1f3b', '#4a2c5e', 'grid'), 'jpeg');
  await write('backgrounds/nang-sang.jpg', background(37, '#7a1f1f', '#c2571a', 'rays'), 'jpeg');
  for (const [name, body] of Object.entries(PHOTOS)) {
    await write(
      `photos/${name}.jpg`,
      `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="800" viewBox="0 0 1200 800">${body}</svg>`,
      'jpeg',
    );
  }
  process.stdout.write(`media written under ${root}\n`);
}

await main();
