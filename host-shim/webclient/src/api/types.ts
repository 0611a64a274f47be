// Mattermost API v4 shapes, as far as the client uses them. See
// ../../../shared/reference/mattermost-api.md (JSON names are the wire's).

export interface User {
    id: string;
    username: string;
    email?: string;
    nickname: string;
    first_name: string;
    last_name: string;
    roles: string;
    is_bot: boolean;
    delete_at: number;
}

/** Mattermost's user statuses. */
export type StatusName = 'online' | 'away' | 'offline' | 'dnd';

export interface UserStatus {
    user_id: string;
    status: StatusName;
    manual: boolean;
    last_activity_at: number;
    dnd_end_time: number;
}

export interface Preference {
    user_id: string;
    category: string;
    name: string;
    value: string;
}

export interface Team {
    id: string;
    name: string;
    display_name: string;
    description: string;
    type: 'O' | 'I';
    delete_at: number;
}

export type ChannelType = 'O' | 'P' | 'D' | 'G';

export interface Channel {
    id: string;
    team_id: string;
    type: ChannelType;
    name: string;
    display_name: string;
    header: string;
    purpose: string;
    last_post_at: number;
    total_msg_count: number;
    creator_id: string;
    delete_at: number;
}

export interface ChannelMember {
    channel_id: string;
    user_id: string;
    last_viewed_at: number;
    msg_count: number;
    mention_count: number;
}

export interface PostAction {
    id: string;
    name: string;
    type?: 'button' | 'select';
    style?: string;
    options?: Array<{text: string; value: string}>;
    data_source?: string;
}

export interface AttachmentField {
    title: string;
    value: string | number;
    short?: boolean;
}

export interface Attachment {
    fallback?: string;
    color?: string;
    pretext?: string;
    author_name?: string;
    author_link?: string;
    title?: string;
    title_link?: string;
    text?: string;
    fields?: AttachmentField[];
    footer?: string;
    actions?: PostAction[];
}

export interface Post {
    id: string;
    create_at: number;
    update_at: number;
    edit_at: number;
    delete_at: number;
    user_id: string;
    channel_id: string;
    root_id: string;
    message: string;
    type: string;
    props: Record<string, any>;
    reply_count?: number;
    pending_post_id?: string;
    /** Set by the server when anyone reacted (omitted otherwise). */
    has_reactions?: boolean;
    file_ids?: string[];
    metadata?: PostMetadata;
    /** Client-side only: an ephemeral post shown to this user alone. */
    ephemeral?: boolean;
}

/** Mattermost `PostMetadata`, as far as the client uses it. */
export interface PostMetadata {
    reactions?: Reaction[];
    files?: FileInfo[];
    [key: string]: unknown;
}

/** Mattermost `Reaction`. */
export interface Reaction {
    user_id: string;
    post_id: string;
    emoji_name: string;
    create_at: number;
    update_at?: number;
    delete_at?: number;
    remote_id?: string;
    channel_id?: string;
}

/** One emoji of the server's standard list (`GET /api/v4/emoji/standard`). */
export interface StandardEmoji {
    name: string;
    aliases: string[];
    unicode: string;
    category: string;
}

/** Mattermost's `FileInfo`: an uploaded file. */
export interface FileInfo {
    id: string;
    user_id: string;
    post_id: string;
    channel_id: string;
    create_at: number;
    update_at: number;
    delete_at: number;
    name: string;
    extension: string;
    size: number;
    mime_type: string;
    width: number;
    height: number;
    has_preview_image: boolean;
}

export interface PostList {
    order: string[];
    posts: Record<string, Post>;
    next_post_id: string;
    prev_post_id: string;
}

/** `POST /teams/{id}/posts/search`: newest first; `matches` is null for database search. */
export interface PostSearchResults extends PostList {
    has_next: boolean;
    matches: Record<string, string[]> | null;
}

export interface CommandResponse {
    response_type?: string;
    text?: string;
    goto_location?: string;
    trigger_id?: string;
}

export interface Suggestion {
    Complete: string;
    Suggestion: string;
    Hint: string;
    Description: string;
    IconData: string;
}

export interface DialogElement {
    display_name: string;
    name: string;
    type: 'text' | 'textarea' | 'select' | 'bool' | 'radio';
    subtype?: string;
    default?: string;
    placeholder?: string;
    help_text?: string;
    optional?: boolean;
    min_length?: number;
    max_length?: number;
    data_source?: string;
    options?: Array<{text: string; value: string}> | null;
}

export interface Dialog {
    callback_id: string;
    title: string;
    introduction_text?: string;
    elements?: DialogElement[] | null;
    submit_label?: string;
    notify_on_cancel?: boolean;
    state?: string;
}

/** The `open_dialog` websocket event's payload. */
export interface OpenDialog {
    trigger_id: string;
    url: string;
    dialog: Dialog;
}

export interface SidebarCategory {
    id: string;
    team_id: string;
    user_id: string;
    type: 'custom' | 'channels' | 'direct_messages' | 'favorites';
    display_name: string;
    channel_ids: string[];
}

export interface PluginManifest {
    id: string;
    name: string;
    version: string;
    webapp?: {bundle_path: string};
}

export interface ClientConfig {
    SiteName?: string;
    Version?: string;
    NoAccounts?: string;
    EnableOpenServer?: string;
}

export interface WsMessage {
    event: string;
    data: Record<string, any>;
    broadcast: {user_id?: string; channel_id?: string; team_id?: string; omit_users?: Record<string, boolean> | null};
    seq: number;
}
