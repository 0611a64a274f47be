// Pure logic of the channel actions editor (unit-tested): the form's state
// from the channel's actions, and the requests that store it. There is at
// most one action per (channel, action type, trigger type): an existing
// one is replaced (PUT), a missing one created (POST) only when it is on
// or has content, and an unchanged one is left alone.

import type {ChannelAction, ChannelActionType, ChannelTriggerType} from '../types';

export type MatchMode = 'word' | 'substring';

export interface ActionsForm {
    prompt: {enabled: boolean; keywords: string[]; playbookId: string; matchMode: MatchMode};
    welcome: {enabled: boolean; message: string};
    category: {enabled: boolean; categoryName: string};
}

export type Kind = keyof ActionsForm;

export const KINDS: Record<Kind, {action_type: ChannelActionType; trigger_type: ChannelTriggerType}> = {
    prompt: {action_type: 'prompt_run_playbook', trigger_type: 'keywords'},
    welcome: {action_type: 'send_welcome_message', trigger_type: 'new_member_joins'},
    category: {action_type: 'categorize_channel', trigger_type: 'new_member_joins'},
};

function find(actions: ChannelAction[], kind: Kind): ChannelAction | undefined {
    const {action_type, trigger_type} = KINDS[kind];
    return actions.find((a) => a.action_type === action_type && a.trigger_type === trigger_type && !a.delete_at);
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function formFromActions(actions: ChannelAction[]): ActionsForm {
    const prompt = find(actions, 'prompt');
    const welcome = find(actions, 'welcome');
    const category = find(actions, 'category');
    const keywords = prompt?.payload?.keywords;
    return {
        prompt: {
            enabled: Boolean(prompt?.enabled),
            keywords: Array.isArray(keywords) ? keywords.filter((k): k is string => typeof k === 'string') : [],
            playbookId: text(prompt?.payload?.playbook_id),
            matchMode: prompt?.payload?.match_mode === 'substring' ? 'substring' : 'word',
        },
        welcome: {enabled: Boolean(welcome?.enabled), message: text(welcome?.payload?.message)},
        category: {enabled: Boolean(category?.enabled), categoryName: text(category?.payload?.category_name)},
    };
}

function payloadOf(form: ActionsForm, kind: Kind): Record<string, unknown> {
    switch (kind) {
    case 'prompt': return {keywords: form.prompt.keywords, playbook_id: form.prompt.playbookId, match_mode: form.prompt.matchMode};
    case 'welcome': return {message: form.welcome.message};
    case 'category': return {category_name: form.category.categoryName};
    }
}

/** Whether a switched-off action is still worth creating: the user typed something to keep. */
function hasContent(form: ActionsForm, kind: Kind): boolean {
    switch (kind) {
    case 'prompt': return form.prompt.keywords.length > 0 || form.prompt.playbookId !== '';
    case 'welcome': return form.welcome.message.trim() !== '';
    case 'category': return form.category.categoryName.trim() !== '';
    }
}

export type ActionRequest =
    | {kind: Kind; method: 'POST'; body: Omit<ChannelAction, 'id' | 'channel_id' | 'delete_at'>}
    | {kind: Kind; method: 'PUT'; body: ChannelAction};

export function requestsFor(actions: ChannelAction[], form: ActionsForm): ActionRequest[] {
    const out: ActionRequest[] = [];
    for (const kind of Object.keys(KINDS) as Kind[]) {
        const existing = find(actions, kind);
        const enabled = form[kind].enabled;
        const payload = payloadOf(form, kind);
        if (existing) {
            const before = formFromActions([existing])[kind];
            if (JSON.stringify(before) !== JSON.stringify(form[kind])) {
                out.push({kind, method: 'PUT', body: {...existing, enabled, payload: {...existing.payload, ...payload}}});
            }
        } else if (enabled || hasContent(form, kind)) {
            out.push({kind, method: 'POST', body: {...KINDS[kind], enabled, payload}});
        }
    }
    return out;
}
