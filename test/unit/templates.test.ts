// The views compile under the options the server renders them with (no `with`: each template reads
// its data into variables named by a scan of views/), and a view reads what its data holds.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import ejs from 'ejs';
import { templateLocals, templateOptions } from '../../src/web/templates.ts';

const VIEWS = path.resolve(import.meta.dirname, '../../views');

function allViews(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    return entry.isDirectory() ? allViews(file) : entry.name.endsWith('.ejs') ? [file] : [];
  });
}

describe('templates', () => {
  it('compiles every view with the server’s options (no template declares a name the data may hold)', () => {
    const options = templateOptions(VIEWS);
    const views = allViews(VIEWS);
    assert.ok(views.length > 50, `found ${views.length} views`);
    for (const file of views) {
      assert.doesNotThrow(() => ejs.compile(readFileSync(file, 'utf8'), { ...options, cache: false, filename: file }), `compiling ${path.relative(VIEWS, file)}`);
    }
  });

  it('names what the views read from their data, but not globals, keywords or property names', () => {
    const names = new Set(templateLocals(VIEWS));
    for (const name of ['notices', 'olderUrl', 'csrfToken', 'me', 'siteName', 'title', 'form', 'emptyText']) assert.ok(names.has(name), `${name} is read by some view`);
    for (const name of ['Object', 'JSON', 'encodeURIComponent', 'if', 'typeof', 'locals', 'include', '__append']) assert.ok(!names.has(name), `${name} is not a local`);
    for (const name of ['createdAtText', 'permalink', 'favoriteCount']) assert.ok(!names.has(name), `${name} is only read as a property (notice.${name})`);
  });

  it('renders a template’s data as `with` did: names it was given, and undefined for those it was not', () => {
    const render = ejs.compile('<%= title %>|<%= typeof emptyText === "string" ? emptyText : "none" %>|<%= locals.title %>', { ...templateOptions(VIEWS), cache: false });
    assert.equal(render({ title: 'A & B' }), 'A &amp; B|none|A &amp; B');
    assert.equal(render({ title: 'x', emptyText: 'nothing' }), 'x|nothing|x');
  });
});
