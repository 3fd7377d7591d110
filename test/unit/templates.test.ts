// The views compile under the options the server renders them with (no `with`: each template reads
// the names its code uses from its data, found by a scan of its code), and render what they are given.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import ejs from 'ejs';
import { templateEngine, templateLocals, templateOptions, viewSource } from '../../src/web/templates.ts';

const VIEWS = path.resolve(import.meta.dirname, '../../views');

function allViews(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? allViews(file) : entry.name.endsWith('.ejs') ? [file] : [];
  });
}

function render(engine: ReturnType<typeof templateEngine>, file: string, data: object): Promise<string> {
  return new Promise((resolve, reject) => engine(file, data, (error, html) => (error ? reject(error) : resolve(html!))));
}

describe('templates', () => {
  it('compiles every view with the server’s options (no view declares a name it also reads from its data)', () => {
    const views = allViews(VIEWS);
    assert.ok(views.length > 50, `found ${views.length} views`);
    for (const file of views) {
      assert.doesNotThrow(() => ejs.compile(viewSource(file), { ...templateOptions(VIEWS), cache: false, filename: file }), `compiling ${path.relative(VIEWS, file)}`);
    }
  });

  it('names what a view reads from its data, but not globals, keywords, property names or object keys', () => {
    const names = templateLocals(`<% if (notices.length > 0 && typeof emptyText === 'string') { %><%= JSON.stringify({ count: total }) %><%- include('/x', { notice }) %><%= me.nickname %><% } %><%# ignored %>`);
    assert.deepEqual(names, ['emptyText', 'me', 'notice', 'notices', 'total']);
    assert.deepEqual(templateLocals('<p>no code, only <%= `${a} and ${b.c}` %></p>'), ['a', 'b']);
    assert.deepEqual(templateLocals('<%= toString %> <%= constructor %>'), [], 'Object.prototype’s names are never read from the data');
  });

  it('renders a view’s data as `with` did: names it was given, undefined for those it was not, and its includes', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ostrakon-views-'));
    writeFileSync(path.join(dir, 'page.ejs'), '<%= title %>|<%= typeof emptyText === "string" ? emptyText : "none" %>|<%= locals.title %>|<%- include("/part", { item: 2 }) %>');
    writeFileSync(path.join(dir, 'part.ejs'), '<%= item %>+<%= title %>');
    const engine = templateEngine(dir);
    assert.equal(await render(engine, path.join(dir, 'page.ejs'), { title: 'A & B' }), 'A &amp; B|none|A &amp; B|2+A &amp; B');
    assert.equal(await render(engine, path.join(dir, 'page.ejs'), { title: 'x', emptyText: 'nothing' }), 'x|nothing|x|2+x');
    await assert.rejects(render(engine, path.join(dir, 'missing.ejs'), {}), /ENOENT/);
  });
});
