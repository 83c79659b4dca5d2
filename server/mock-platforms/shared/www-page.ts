// The plain HTML pages a person's browser sees on the mocks' "www" side (the Login dialog, the
// OA permission page, the sign-in page that stands in for the platform's own). Every action is
// an ordinary form, so a browser test and a script can both drive them. Handlebars escapes.
import Handlebars from 'handlebars';
import type { Request, Response } from 'express';
import type { MemberStore } from './members.ts';

const layout = Handlebars.compile(`<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{title}}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; background: {{background}}; color: #1c1e21; }
  main { max-width: 28rem; margin: 2rem auto; background: #fff; padding: 1.5rem; border-radius: 8px;
         box-shadow: 0 1px 4px rgba(0,0,0,.2); }
  h1 { font-size: 1.25rem; } label { display: block; margin: .5rem 0; }
  button { font-size: 1rem; padding: .6rem 1rem; margin: .25rem .25rem 0 0; border-radius: 6px;
           border: 1px solid #ccd0d5; background: #e4e6eb; cursor: pointer; }
  button.primary { background: {{accent}}; color: #fff; border-color: {{accent}}; }
  select { font-size: 1rem; padding: .4rem; width: 100%; }
  .muted { color: #606770; font-size: .9rem; }
</style>
</head>
<body><main>{{{content}}}</main></body>
</html>`);

const signIn = Handlebars.compile(`<h1>{{platform}}: đăng nhập</h1>
<p class="muted">Nền tảng giả lập: chọn người đang đăng nhập (thay cho mật khẩu thật).</p>
{{#if people.length}}
<form method="post" action="/_mock/login">
  <input type="hidden" name="next" value="{{next}}">
  <label>Người dùng
    <select name="userId">{{#each people}}<option value="{{id}}">{{name}} ({{id}})</option>{{/each}}</select>
  </label>
  <button type="submit" class="primary">Đăng nhập</button>
</form>
{{else}}
<p>Chưa có người dùng nào (tạo bằng <code>POST /_mock/users</code>).</p>
{{/if}}
{{#if demo}}
<form method="post" action="/_mock/login/demo">
  <input type="hidden" name="next" value="{{next}}">
  <p class="muted">Hoặc dùng một người dùng demo đã quản lý sẵn {{demo}}.</p>
  <button type="submit">Tạo người dùng demo</button>
</form>
{{/if}}`);

const errorPage = Handlebars.compile('<h1>{{title}}</h1><p>{{message}}</p>');

export interface WwwLook {
  platform: string;
  /** What a demo person manages ("hai Trang", "một OA"), when the mock can create one. */
  demo?: string;
  accent: string;
  background: string;
}

export function sendWwwPage(
  res: Response,
  look: WwwLook,
  title: string,
  content: string,
  status = 200,
): void {
  res
    .status(status)
    .type('html')
    .setHeader('Cache-Control', 'no-store')
    .send(layout({ title, content, accent: look.accent, background: look.background }));
}

/** The platform's sign-in page: it posts to /_mock/login and comes back to the page that asked. */
export function sendSignInPage(req: Request, res: Response, look: WwwLook, members: MemberStore): void {
  const people = [...members.users.values()].map((user) => ({ id: user.id, name: user.name }));
  sendWwwPage(
    res,
    look,
    `${look.platform}`,
    signIn({ platform: look.platform, people, next: req.originalUrl, demo: look.demo }),
  );
}

/** A dialog that cannot go on (bad app id or redirect URI): the platform shows it instead of redirecting. */
export function sendWwwError(res: Response, look: WwwLook, message: string): void {
  sendWwwPage(res, look, look.platform, errorPage({ title: `${look.platform}: lỗi`, message }), 400);
}
