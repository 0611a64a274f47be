// Uploads with progress (XMLHttpRequest: fetch reports no upload
// progress) and the URLs of a file's content, thumbnail and preview. The
// session cookie authenticates; `X-Requested-With` satisfies the server's
// CSRF rule for cookie sessions, as in `client.ts`.

import {ApiError} from './client';
import type {FileInfo} from './types';

const V4 = '/api/v4';

export const fileUrl = (id: string, download = false) => `${V4}/files/${encodeURIComponent(id)}${download ? '?download=1' : ''}`;
export const thumbnailUrl = (id: string) => `${V4}/files/${encodeURIComponent(id)}/thumbnail`;
export const previewUrl = (id: string) => `${V4}/files/${encodeURIComponent(id)}/preview`;

export interface Upload {
    /** The stored file, or an ApiError with the server's message. */
    done: Promise<FileInfo>;
    abort: () => void;
}

/** Tests replace the XMLHttpRequest constructor. */
let makeRequest: () => XMLHttpRequest = () => new XMLHttpRequest();
export function setXhrFactory(factory: () => XMLHttpRequest) {
    makeRequest = factory;
}

/** Uploads one file to a channel; `onProgress` gets 0..1 as bytes go out. */
export function uploadFile(channelId: string, file: File, clientId: string, onProgress: (fraction: number) => void): Upload {
    const xhr = makeRequest();
    const done = new Promise<FileInfo>((resolve, reject) => {
        xhr.open('POST', `${V4}/files`);
        xhr.withCredentials = true;
        xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
        xhr.upload.onprogress = (e) => {
            if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
        };
        xhr.onload = () => {
            let body: any = null;
            try {
                body = JSON.parse(xhr.responseText);
            } catch {
                body = null;
            }
            if (xhr.status === 201 && body?.file_infos?.[0]) {
                onProgress(1);
                resolve(body.file_infos[0] as FileInfo);
            } else {
                reject(new ApiError(xhr.status, body?.message || `Upload failed (HTTP ${xhr.status}).`, body?.id || ''));
            }
        };
        xhr.onerror = () => reject(new ApiError(0, 'The upload failed: the server cannot be reached.'));
        xhr.onabort = () => reject(new ApiError(0, 'Upload cancelled.'));
        const form = new FormData();
        form.append('channel_id', channelId);
        form.append('client_ids', clientId);
        form.append('files', file, file.name);
        xhr.send(form);
    });
    return {done, abort: () => xhr.abort()};
}

/** "1.5 MB" style sizes. */
export function formatSize(bytes: number): string {
    if (bytes < 1024) return `${bytes} B`;
    const units = ['KB', 'MB', 'GB'];
    let value = bytes / 1024;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit += 1;
    }
    return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}
