// Files in the message box and in posts: the uploads waiting to be sent
// (progress, remove) and, in a post, images shown inline (a click opens
// the full image) and cards for other files (name, type, size, download).

import {fileUrl, formatSize, previewUrl, thumbnailUrl} from '../api/files';
import type {FileInfo, Post} from '../api/types';
import {Icon} from './Icon';

/** An upload in the message box. */
export interface PendingFile {
    clientId: string;
    name: string;
    size: number;
    /** 0..1 while uploading. */
    progress: number;
    info?: FileInfo;
    error?: string;
    abort?: () => void;
}

export function PendingFiles({files, onRemove}: {files: PendingFile[]; onRemove: (clientId: string) => void}) {
    if (files.length === 0) return null;
    return (
        <ul className='pending-files' aria-label='Files to send'>
            {files.map((f) => (
                <li key={f.clientId} className={`pending-file${f.error ? ' pending-file-failed' : ''}`}>
                    <span className='file-type' aria-hidden='true'>{typeLabel(f.name)}</span>
                    <span className='pending-file-name' title={f.name}>{f.name}</span>
                    <span className='muted'>{formatSize(f.size)}</span>
                    {f.error ? (
                        <span className='form-error' role='alert'>{f.error}</span>
                    ) : !f.info ? (
                        <progress max={1} value={f.progress} aria-label={`Uploading ${f.name}`}/>
                    ) : null}
                    <button type='button' className='icon-button' aria-label={`Remove ${f.name}`} title='Remove' onClick={() => onRemove(f.clientId)}>
                        <Icon name='close' size={14}/>
                    </button>
                </li>
            ))}
        </ul>
    );
}

/** Short type label from a file name's extension ("PDF", "PNG", "FILE"). */
export function typeLabel(name: string): string {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? name.slice(dot + 1) : '';
    return ext && ext.length <= 5 ? ext.toUpperCase() : 'FILE';
}

export function PostFiles({post}: {post: Post}) {
    const files = post.metadata?.files ?? [];
    if (files.length === 0) return null;
    const images = files.filter((f) => f.has_preview_image);
    const others = files.filter((f) => !f.has_preview_image);
    return (
        <div className='post-files'>
            {images.length > 0 && (
                <div className='post-images'>
                    {images.map((f) => (
                        <a key={f.id} className='post-image' href={fileUrl(f.id)} target='_blank' rel='noopener noreferrer' title={f.name}>
                            <img src={images.length === 1 ? previewUrl(f.id) : thumbnailUrl(f.id)} alt={f.name} loading='lazy'
                                width={images.length === 1 ? Math.min(f.width, 480) : undefined}/>
                        </a>
                    ))}
                </div>
            )}
            {others.map((f) => <FileCard key={f.id} file={f}/>)}
        </div>
    );
}

export function FileCard({file}: {file: FileInfo}) {
    return (
        <div className='file-card'>
            <span className='file-type' aria-hidden='true'>{typeLabel(file.name)}</span>
            <div className='file-card-text'>
                <a href={fileUrl(file.id, true)} download={file.name} className='file-card-name'>{file.name}</a>
                <span className='muted'>{typeLabel(file.name)} · {formatSize(file.size)}</span>
            </div>
        </div>
    );
}
