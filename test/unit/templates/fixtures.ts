// Small template sources for the template tests.
import type { TemplateDefinition } from '../../../server/templates/template-library.ts';
import { checkTemplateSource } from '../../../server/templates/template-library.ts';

export const REALISTIC_VALUES = {
  unitName: 'Công an tỉnh Quảng Nam',
  hotline: '0235 3822 123',
  area: 'Quảng Nam',
  date: '2025-03-14',
} as const;

export const RENDER_OPTIONS = { timeZone: 'Asia/Ho_Chi_Minh' } as const;

/** A template file with the four core variables and the given body. */
export function templateSource(body: string, extraFrontMatter = ''): string {
  return `---
id: thu-nghiem
name: Mẫu thử nghiệm
description: Dùng trong kiểm thử.
variables:
  - { name: unitName, label: Tên đơn vị, type: text, required: true, maxLength: 80 }
  - { name: hotline, label: Đường dây nóng, type: phone, required: true }
  - { name: area, label: Địa bàn, type: text, required: true, maxLength: 40 }
  - { name: date, label: Ngày đăng, type: date, required: true }
  - { name: note, label: Ghi chú, type: multiline, required: false }
  - { name: link, label: Đường dẫn, type: url, required: false }
  - { name: count, label: Số vụ, type: number, required: false }
${extraFrontMatter}---
${body}
`;
}

/** A definition for render tests; fails the test loudly if the source is refused. */
export function definitionFrom(source: string): TemplateDefinition {
  const result = checkTemplateSource(source, 'test.hbs', false);
  if (!result.ok) throw new Error(`fixture refused: ${JSON.stringify(result.problems)}`);
  return result.template;
}
