import {act, fireEvent, render, screen, waitFor} from '@testing-library/react';
import {afterEach, describe, expect, it} from 'vitest';

import {formatSize, setXhrFactory} from '../api/files';
import type {FileInfo} from '../api/types';
import {getState, resetState} from '../state/store';
import {channel, fakeServer, member, mmError, post, team, user} from '../test/fakeServer';
import {PostFiles, typeLabel} from './Files';
import {MessageBox, attachFiles} from './MessageBox';

afterEach(() => {
    act(() => resetState());
});

function info(id: string, over: Partial<FileInfo> = {}): FileInfo {
    return {
        id, user_id: 'me', post_id: '', channel_id: 'c1', create_at: 1, update_at: 1, delete_at: 0, name: `${id}.txt`,
        extension: 'txt', size: 2048, mime_type: 'text/plain', width: 0, height: 0, has_preview_image: false, ...over,
    };
}

/** A stand-in XMLHttpRequest the test drives: progress, then the answer. */
class FakeXhr {
    static all: FakeXhr[] = [];
    upload: {onprogress: ((e: {lengthComputable: boolean; loaded: number; total: number}) => void) | null} = {onprogress: null};
    onload: (() => void) | null = null;
    onerror: (() => void) | null = null;
    onabort: (() => void) | null = null;
    status = 0;
    responseText = '';
    withCredentials = false;
    method = '';
    url = '';
    headers: Record<string, string> = {};
    body: FormData | null = null;
    aborted = false;
    constructor() {
        FakeXhr.all.push(this);
    }
    open(method: string, url: string) {
        this.method = method;
        this.url = url;
    }
    setRequestHeader(name: string, value: string) {
        this.headers[name] = value;
    }
    send(body: FormData) {
        this.body = body;
    }
    abort() {
        this.aborted = true;
        this.onabort?.();
    }
    progress(loaded: number, total: number) {
        this.upload.onprogress?.({lengthComputable: true, loaded, total});
    }
    answer(status: number, body: unknown) {
        this.status = status;
        this.responseText = JSON.stringify(body);
        this.onload?.();
    }
}

function loggedIn() {
    FakeXhr.all = [];
    setXhrFactory(() => new FakeXhr() as unknown as XMLHttpRequest);
    resetState({
        me: user('me'), currentTeamId: 't1', currentChannelId: 'c1', teams: {t1: team()},
        users: {me: user('me')}, channels: {c1: channel('c1')}, members: {c1: member('c1')},
        channelPosts: {c1: {order: [], complete: true}},
    });
}

describe('post files', () => {
    it('shows images inline (opening the full file) and cards for other files', () => {
        const image = info('img', {name: 'graph.png', extension: 'png', mime_type: 'image/png', has_preview_image: true, width: 800, height: 600});
        const doc = info('doc', {name: 'report.pdf', extension: 'pdf', size: 1536 * 1024});
        render(<PostFiles post={post('p1', {file_ids: ['img', 'doc'], metadata: {files: [image, doc]}})}/>);
        const img = screen.getByRole('img', {name: 'graph.png'}) as HTMLImageElement;
        expect(img.getAttribute('src')).toBe('/api/v4/files/img/preview');
        expect(img.closest('a')?.getAttribute('href')).toBe('/api/v4/files/img');
        const link = screen.getByRole('link', {name: 'report.pdf'});
        expect(link.getAttribute('href')).toBe('/api/v4/files/doc?download=1');
        expect(screen.getByText('PDF · 1.5 MB')).toBeTruthy();
    });

    it('renders nothing for posts without files', () => {
        const {container} = render(<PostFiles post={post('p1')}/>);
        expect(container.innerHTML).toBe('');
    });

    it('formats sizes and type labels', () => {
        expect(formatSize(512)).toBe('512 B');
        expect(formatSize(2048)).toBe('2.0 KB');
        expect(formatSize(50 * 1024 * 1024)).toBe('50 MB');
        expect(typeLabel('a.tar.gz')).toBe('GZ');
        expect(typeLabel('README')).toBe('FILE');
    });
});

describe('message box files', () => {
    it('uploads an attached file with progress and sends its id with the message', async () => {
        loggedIn();
        const requests = fakeServer([
            ['POST', /\/api\/v4\/posts$/, (body) => ({...post('p9', {user_id: 'me'}), ...body, id: 'p9', metadata: {files: [info('f1', {name: 'notes.txt'})]}})],
        ]);
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        const input = screen.getByLabelText('Files to attach') as HTMLInputElement;
        const file = new File(['hello'], 'notes.txt', {type: 'text/plain'});
        fireEvent.change(input, {target: {files: [file]}});
        expect(FakeXhr.all).toHaveLength(1);
        const xhr = FakeXhr.all[0];
        expect(xhr.method).toBe('POST');
        expect(xhr.url).toBe('/api/v4/files');
        expect(xhr.headers['X-Requested-With']).toBe('XMLHttpRequest');
        expect(xhr.body?.get('channel_id')).toBe('c1');
        expect((xhr.body?.get('files') as File).name).toBe('notes.txt');
        const send = screen.getByRole('button', {name: 'Send'}) as HTMLButtonElement;
        expect(send.disabled).toBe(true);
        act(() => xhr.progress(40, 100));
        const bar = screen.getByLabelText('Uploading notes.txt') as HTMLProgressElement;
        expect(bar.value).toBeCloseTo(0.4);
        await act(async () => xhr.answer(201, {file_infos: [info('f1', {name: 'notes.txt'})], client_ids: ['x']}));
        expect(screen.queryByLabelText('Uploading notes.txt')).toBeNull();
        expect(send.disabled).toBe(false);
        await act(async () => {
            fireEvent.click(send);
        });
        const created = requests.find((r) => r.path === '/api/v4/posts');
        expect(created?.body.file_ids).toEqual(['f1']);
        expect(created?.body.message).toBe('');
        await waitFor(() => expect(getState().posts.p9?.metadata?.files?.[0].name).toBe('notes.txt'));
        expect(screen.queryByRole('list', {name: 'Files to send'})).toBeNull();
    });

    it('removes a pending file (cancelling its upload) and shows upload errors', async () => {
        loggedIn();
        fakeServer([]);
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        act(() => attachFiles('c1', '', [new File(['a'], 'a.bin'), new File(['b'], 'big.bin')]));
        expect(FakeXhr.all).toHaveLength(2);
        fireEvent.click(screen.getByRole('button', {name: 'Remove a.bin'}));
        expect(FakeXhr.all[0].aborted).toBe(true);
        expect(screen.queryByText('a.bin')).toBeNull();
        await act(async () => FakeXhr.all[1].answer(413, mmError(413, 'files: unable to upload big.bin: too large').body));
        expect((await screen.findByRole('alert')).textContent).toContain('unable to upload big.bin');
        // A failed upload alone does not make a message.
        expect((screen.getByRole('button', {name: 'Send'}) as HTMLButtonElement).disabled).toBe(true);
    });

    it('takes pasted files and refuses more than ten', () => {
        loggedIn();
        fakeServer([]);
        render(<MessageBox channelId='c1' placeholder='Write to c1'/>);
        const box = screen.getByRole('combobox', {name: 'Write to c1'});
        const pasted = Array.from({length: 11}, (_, i) => new File(['x'], `shot${i}.png`, {type: 'image/png'}));
        fireEvent.paste(box, {clipboardData: {files: pasted}});
        expect(FakeXhr.all).toHaveLength(10);
        expect(screen.getByRole('alert').textContent).toContain('at most 10 files');
    });
});
