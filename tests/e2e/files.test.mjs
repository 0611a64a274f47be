// Files in the chat client, in a real browser against the real server:
// attach with the button (upload progress, then the message carries the
// files), drop a file on the channel, paste one into the message box;
// a second person sees the image inline (its preview really loads) and a
// card with a working download link for the other files.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { channelWith, eventually, messageBox, pageAs, pageErrors, report, signUp, startApp, teamWith } from './harness.mjs';

// A 2×2 PNG.
const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAAMIM/4EAAB/uBfsL2WiLAAAAAElFTkSuQmCC',
    'base64',
);

let app;

before(async () => {
    app = await startApp();
});

after(async () => {
    await app?.stop();
});

/** The post whose message is `text`, on `page`. */
const postWith = (page, text) => page.locator('.post', { hasText: text });

test('attach, drop and paste files; another member sees images inline and downloads the rest', async (t) => {
    const alice = await signUp(app, 'alice');
    const bob = await signUp(app, 'bob');
    const team = await teamWith(app, alice, 'ops', [bob]);
    await channelWith(app, alice, team.id, 'incident', [bob]);
    const alicePage = await pageAs(app, alice, '/ops/channels/incident');
    const bobPage = await pageAs(app, bob, '/ops/channels/incident');
    t.after(() => report('files', [alicePage, bobPage]));
    await alicePage.getByRole('heading', { name: 'incident' }).waitFor();
    await bobPage.getByRole('heading', { name: 'incident' }).waitFor();

    // The attach button's file input: an image and a text file.
    await alicePage.getByLabel('Files to attach').setInputFiles([
        { name: 'graph.png', mimeType: 'image/png', buffer: PNG },
        { name: 'timeline.txt', mimeType: 'text/plain', buffer: Buffer.from('10:02 alert fired\n') },
    ]);
    const pending = alicePage.getByRole('list', { name: 'Files to send' });
    await pending.getByText('graph.png').waitFor();
    await pending.getByText('timeline.txt').waitFor();
    // Both uploads finish (their progress bars go away) before sending.
    await eventually('uploads to finish', async () => (await alicePage.locator('.pending-file progress').count()) === 0);
    await messageBox(alicePage).fill('graph and timeline');
    await messageBox(alicePage).press('Enter');
    await eventually('the pending files to clear', async () => (await pending.count()) === 0);

    // Bob sees the image inline — really loaded — and a card for the text.
    const post = postWith(bobPage, 'graph and timeline');
    const image = post.getByRole('img', { name: 'graph.png' });
    await image.waitFor();
    await eventually('the preview to load', () => image.evaluate((img) => img.complete && img.naturalWidth > 0));
    const imageLink = await image.evaluate((img) => img.closest('a').getAttribute('href'));
    assert.match(imageLink, /^\/api\/v4\/files\/[a-z0-9]{26}$/);
    const card = post.getByRole('link', { name: 'timeline.txt' });
    const href = await card.getAttribute('href');
    assert.match(href, /^\/api\/v4\/files\/[a-z0-9]{26}\?download=1$/);
    const download = await bobPage.evaluate(async (url) => {
        const r = await fetch(url);
        return { status: r.status, text: await r.text(), disposition: r.headers.get('content-disposition') };
    }, href);
    assert.equal(download.status, 200);
    assert.equal(download.text, '10:02 alert fired\n');
    assert.match(download.disposition, /^attachment;/);

    // Dropping a file on the channel attaches it.
    await alicePage.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['dropped bytes'], 'dropped.log', { type: 'text/plain' }));
        document.querySelector('main.center').dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await pending.getByText('dropped.log').waitFor();
    // Pasting a file into the message box attaches it too.
    await messageBox(alicePage).focus();
    await alicePage.evaluate(() => {
        const data = new DataTransfer();
        data.items.add(new File(['pasted bytes'], 'pasted.csv', { type: 'text/csv' }));
        document.querySelector('main .message-box textarea').dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await pending.getByText('pasted.csv').waitFor();
    // One is removed again before sending.
    await pending.getByRole('button', { name: 'Remove dropped.log' }).click();
    await eventually('the uploads to finish', async () => (await alicePage.locator('.pending-file progress').count()) === 0);
    await messageBox(alicePage).fill('the data');
    await messageBox(alicePage).press('Enter');
    const second = postWith(bobPage, 'the data');
    await second.getByRole('link', { name: 'pasted.csv' }).waitFor();
    assert.equal(await second.getByRole('link', { name: 'dropped.log' }).count(), 0);

    assert.deepEqual(pageErrors(alicePage), []);
    assert.deepEqual(pageErrors(bobPage), []);
});
