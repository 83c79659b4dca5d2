// What the demo province is made of: a fictional province (no real unit is impersonated), its
// ten communes, the people, the channels and the campaign's plan. Data only; seed-demo.ts makes it.

export const DEMO_PROVINCE = {
  name: 'Công an tỉnh Minh Sơn',
  profile: {
    shortName: 'CA tỉnh Minh Sơn',
    hotline: '0259 3822 113',
    area: 'tỉnh Minh Sơn',
    address: '12 đường Trần Hưng Đạo, phường Minh Khai, tỉnh Minh Sơn',
    website: 'https://congan.minhson.example.vn',
  },
  logo: 'logos/default-unit.png',
};

export interface DemoCommune {
  key: string;
  name: string;
  shortName: string;
  hotline: string;
  area: string;
  address: string;
  logo: string;
}

const communeNames: Array<[key: string, kind: 'xã' | 'phường', name: string, street: string]> = [
  ['an-phu', 'xã', 'An Phú', 'thôn Phú Xuân'],
  ['tan-lap', 'xã', 'Tân Lập', 'thôn Tân Hòa'],
  ['hoa-binh', 'phường', 'Hòa Bình', 'đường Lê Lợi'],
  ['dong-tam', 'xã', 'Đồng Tâm', 'thôn Đồng Lạc'],
  ['phu-loc', 'xã', 'Phú Lộc', 'thôn Lộc Điền'],
  ['minh-khai', 'phường', 'Minh Khai', 'đường Nguyễn Trãi'],
  ['thach-ban', 'xã', 'Thạch Bàn', 'thôn Thạch Lỗi'],
  ['yen-hoa', 'xã', 'Yên Hòa', 'thôn Yên Thịnh'],
  ['quang-trung', 'phường', 'Quang Trung', 'đường Hùng Vương'],
  ['hai-xuan', 'xã', 'Hải Xuân', 'thôn Xuân Hải'],
];

export const DEMO_COMMUNES: DemoCommune[] = communeNames.map(([key, kind, name, street], i) => ({
  key,
  name: `Công an ${kind} ${name}`,
  shortName: `CA ${kind} ${name}`,
  hotline: `0259 38${String(30 + i).padStart(2, '0')} ${String(100 + i * 7)}`,
  area: `${kind} ${name}, tỉnh Minh Sơn`,
  address: `${i + 3} ${street}, ${kind} ${name}, tỉnh Minh Sơn`,
  logo: `logos/xa-${String(i + 1).padStart(2, '0')}.png`,
}));

/** `unit`: the province, or a commune's key. */
export interface DemoStaff {
  key: 'admin' | 'editor' | 'editor-commune' | 'reviewer' | 'reviewer-commune';
  email: string;
  name: string;
  role: 'admin' | 'editor' | 'reviewer';
  unit: 'province' | string | null;
}

export const DEMO_EMAIL_DOMAIN = 'demo.loa.vn';

export const DEMO_STAFF: DemoStaff[] = [
  { key: 'admin', email: `quantri@${DEMO_EMAIL_DOMAIN}`, name: 'Lê Quản Trị', role: 'admin', unit: null },
  {
    key: 'editor',
    email: `bientap@${DEMO_EMAIL_DOMAIN}`,
    name: 'Nguyễn Thu Hà',
    role: 'editor',
    unit: 'province',
  },
  {
    key: 'reviewer',
    email: `duyet@${DEMO_EMAIL_DOMAIN}`,
    name: 'Phạm Minh Đức',
    role: 'reviewer',
    unit: 'province',
  },
  {
    key: 'editor-commune',
    email: `bientap.anphu@${DEMO_EMAIL_DOMAIN}`,
    name: 'Trần Văn Bình',
    role: 'editor',
    unit: 'an-phu',
  },
  {
    key: 'reviewer-commune',
    email: `duyet.anphu@${DEMO_EMAIL_DOMAIN}`,
    name: 'Hoàng Thị Lan',
    role: 'reviewer',
    unit: 'an-phu',
  },
];

const families = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Vũ', 'Đặng', 'Bùi', 'Đỗ', 'Ngô'];
const middles = ['Văn', 'Thị', 'Minh', 'Thu', 'Đức', 'Ngọc'];
const givens = [
  'An',
  'Bình',
  'Chi',
  'Dũng',
  'Giang',
  'Hạnh',
  'Khánh',
  'Linh',
  'Mai',
  'Nam',
  'Phúc',
  'Quỳnh',
  'Sơn',
  'Trang',
  'Vy',
];

export interface DemoMember {
  email: string;
  name: string;
  /** A commune's key: three members in each. */
  unit: string;
  /** Shown by name in the units' sharing figures, or counted only. */
  listed: boolean;
  /** Friends on the mock Facebook: how far their shares travel. */
  friends: number;
}

export const DEMO_MEMBERS: DemoMember[] = Array.from({ length: 30 }, (_, i) => ({
  email: `thanhvien${String(i + 1).padStart(2, '0')}@${DEMO_EMAIL_DOMAIN}`,
  name: `${families[i % families.length]} ${middles[(i * 7) % middles.length]} ${givens[(i * 11) % givens.length]}`,
  unit: DEMO_COMMUNES[i % DEMO_COMMUNES.length]?.key ?? 'an-phu',
  listed: i % 3 !== 2,
  friends: 80 + ((i * 137) % 900),
}));

export interface DemoChannel {
  platform: 'facebook' | 'zalo';
  name: string;
  unit: 'province' | string;
  /** Page likes on the mock: insights need at least 100. */
  fans?: number;
}

/** In this order on the mocks: the mocks number objects in creation order, so a restarted mock gives the same ids. */
export const DEMO_CHANNELS: DemoChannel[] = [
  { platform: 'facebook', name: 'Công an tỉnh Minh Sơn', unit: 'province', fans: 18_500 },
  { platform: 'zalo', name: 'Công an tỉnh Minh Sơn', unit: 'province' },
  { platform: 'facebook', name: 'Công an xã An Phú', unit: 'an-phu', fans: 2_400 },
  { platform: 'facebook', name: 'Công an phường Hòa Bình', unit: 'hoa-binh', fans: 3_100 },
  { platform: 'facebook', name: 'Công an xã Phú Lộc', unit: 'phu-loc', fans: 1_800 },
  { platform: 'facebook', name: 'Công an phường Minh Khai', unit: 'minh-khai', fans: 2_700 },
  { platform: 'zalo', name: 'Công an xã Tân Lập', unit: 'tan-lap' },
  { platform: 'zalo', name: 'Công an xã Yên Hòa', unit: 'yen-hoa' },
];

export const DEMO_CAMPAIGN = {
  name: 'Tháng cao điểm phòng chống lừa đảo qua mạng (demo)',
  description:
    'Chiến dịch mẫu của bản demo: mỗi tuần vài cảnh báo về các thủ đoạn lừa đảo phổ biến, đăng trên Trang Facebook và Zalo OA của tỉnh và các xã, phường.',
};

export type DemoPostState = 'published' | 'scheduled' | 'in_review' | 'draft';

export interface DemoPostPlan {
  /** Days from today (negative: the past fortnight), at `hour` in LOA_TIMEZONE. */
  day: number;
  hour: number;
  template: string;
  author: 'editor' | 'editor-commune';
  /** Indexes into DEMO_CHANNELS. */
  channels: number[];
  state: DemoPostState;
  background?: string;
  photo?: string;
}

export const DEMO_BACKGROUNDS = [
  'backgrounds/song-xanh.jpg',
  'backgrounds/pho-dem.jpg',
  'backgrounds/nang-sang.jpg',
];
export const DEMO_PHOTOS = [
  'photos/cuoc-goi-la.jpg',
  'photos/trang-web-gia.jpg',
  'photos/sim-rac.jpg',
  'photos/ma-qr-dan-de.jpg',
];

export const DEMO_POSTS: DemoPostPlan[] = [
  {
    day: -14,
    hour: 8,
    template: 'gia-danh-co-quan-phap-luat',
    author: 'editor',
    channels: [0, 1, 3],
    state: 'published',
    photo: 'photos/cuoc-goi-la.jpg',
  },
  {
    day: -12,
    hour: 9,
    template: 'dau-tu-tien-ao',
    author: 'editor',
    channels: [0, 5],
    state: 'published',
    background: 'backgrounds/pho-dem.jpg',
  },
  {
    day: -11,
    hour: 8,
    template: 'vay-tien-dao-han',
    author: 'editor-commune',
    channels: [2],
    state: 'published',
  },
  {
    day: -9,
    hour: 10,
    template: 'ung-dung-lien-ket-gia-mao',
    author: 'editor',
    channels: [0, 1, 4],
    state: 'published',
    photo: 'photos/trang-web-gia.jpg',
  },
  {
    day: -8,
    hour: 8,
    template: 'viec-nhe-luong-cao',
    author: 'editor',
    channels: [0, 6],
    state: 'published',
    background: 'backgrounds/song-xanh.jpg',
  },
  {
    day: -6,
    hour: 9,
    template: 'mua-ban-tai-khoan-sim',
    author: 'editor',
    channels: [0, 3, 7],
    state: 'published',
    photo: 'photos/sim-rac.jpg',
  },
  {
    day: -5,
    hour: 8,
    template: 'lam-quen-qua-mang-gui-qua',
    author: 'editor-commune',
    channels: [2],
    state: 'published',
  },
  {
    day: -3,
    hour: 10,
    template: 'cuoc-goi-gia-mao-tu-nuoc-ngoai',
    author: 'editor',
    channels: [0, 1, 5],
    state: 'published',
    background: 'backgrounds/nang-sang.jpg',
  },
  { day: -2, hour: 8, template: 'dat-coc-mua-dat', author: 'editor', channels: [0, 4], state: 'published' },
  {
    day: -1,
    hour: 9,
    template: 'kinh-doanh-da-cap',
    author: 'editor',
    channels: [0, 1, 3],
    state: 'published',
    photo: 'photos/ma-qr-dan-de.jpg',
  },
  {
    day: 1,
    hour: 8,
    template: 'gia-danh-co-quan-phap-luat',
    author: 'editor',
    channels: [0, 1],
    state: 'scheduled',
    background: 'backgrounds/song-xanh.jpg',
  },
  {
    day: 3,
    hour: 9,
    template: 'dau-tu-tien-ao',
    author: 'editor-commune',
    channels: [2],
    state: 'scheduled',
  },
  {
    day: 4,
    hour: 8,
    template: 'ung-dung-lien-ket-gia-mao',
    author: 'editor',
    channels: [0, 5, 6],
    state: 'scheduled',
  },
  {
    day: 6,
    hour: 10,
    template: 'vay-tien-dao-han',
    author: 'editor',
    channels: [0, 4],
    state: 'scheduled',
    photo: 'photos/cuoc-goi-la.jpg',
  },
  {
    day: 8,
    hour: 8,
    template: 'viec-nhe-luong-cao',
    author: 'editor',
    channels: [0, 1, 3],
    state: 'scheduled',
  },
  {
    day: 10,
    hour: 9,
    template: 'mua-ban-tai-khoan-sim',
    author: 'editor',
    channels: [0, 7],
    state: 'in_review',
    background: 'backgrounds/pho-dem.jpg',
  },
  {
    day: 11,
    hour: 8,
    template: 'lam-quen-qua-mang-gui-qua',
    author: 'editor-commune',
    channels: [2],
    state: 'in_review',
  },
  {
    day: 12,
    hour: 9,
    template: 'cuoc-goi-gia-mao-tu-nuoc-ngoai',
    author: 'editor',
    channels: [0, 5],
    state: 'draft',
  },
  { day: 13, hour: 8, template: 'dat-coc-mua-dat', author: 'editor', channels: [0, 1], state: 'draft' },
];
