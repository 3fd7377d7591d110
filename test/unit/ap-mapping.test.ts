// A remote actor as profile fields: its HTML summary goes through the note sanitizer to plain text
// (not tag stripping by pattern), its name is plain text kept as written, both bounded.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Person } from '@fedify/fedify/vocab';
import { fromActor } from '../../src/federation/activitypub/mapping.ts';

function actor(fields: { name?: string; summary?: string }): Person {
  return new Person({ id: new URL('https://far.example/users/bo'), preferredUsername: 'bo', url: new URL('https://far.example/@bo'), ...fields });
}

describe('remote actors as profiles', () => {
  it('turns an HTML summary into the text the sanitizer leaves, paragraphs and breaks kept', async () => {
    const summary = '<p>I live <script>alert(1)</script>elsewhere &amp; <a href="javascript:steal()" onclick="x()">here</a></p><p>line<br>two <img alt="x>y" src="https://far.example/p.png"></p>';
    const { fields } = await fromActor(actor({ summary }));
    assert.equal(fields.bio, 'I live elsewhere & here\n\nline\ntwo');
  });

  it('keeps no markup, comments or control characters, and bounds the text', async () => {
    const { fields } = await fromActor(actor({ summary: `<!-- hidden --><style>p{}</style><p>a\u0007b &lt;i&gt;literal&lt;/i&gt; ${'z'.repeat(2000)}</p>` }));
    assert.ok(fields.bio!.startsWith('ab <i>literal</i> zzz'), fields.bio!.slice(0, 40));
    assert.equal([...fields.bio!].length, 1000);
  });

  it('takes the name as plain text, as ActivityStreams defines it', async () => {
    const { fields } = await fromActor(actor({ name: '  Bo <b>the</b>\n Builder\u0000 ' }));
    assert.equal(fields.fullname, 'Bo <b>the</b> Builder');
    assert.equal((await fromActor(actor({ summary: '<p> </p>' }))).fields.bio, null);
  });
});
