// The plugin's JSON shapes (Mattermost Playbooks' names), as far as the UI
// uses them. See plugin/api/openapi.yaml.

export type ItemState = '' | 'in_progress' | 'closed' | 'skipped';

export interface ChecklistItem {
    id: string;
    title: string;
    description: string;
    state: ItemState;
    assignee_id: string;
    assignee_ids: string[];
    command: string;
    command_last_run: number;
    /** Absolute ms in a run; an offset from the run's start in a playbook. */
    due_date: number;
    /** '' (specific users), 'owner' or 'creator': who is assigned when a run starts. */
    assignee_type?: AssigneeType;
    task_actions?: TaskAction[];
}

export type AssigneeType = '' | 'owner' | 'creator';

/** Upstream's task action: payloads are JSON *text*. */
export interface TaskAction {
    trigger: {type: string; payload: string};
    actions: Array<{type: string; payload: string}>;
}

export interface Checklist {
    id: string;
    title: string;
    items: ChecklistItem[];
}

export interface TimelineEvent {
    id: string;
    event_at: number;
    event_type: string;
    summary: string;
    delete_at: number;
    subject_user_id: string;
    creator_user_id: string;
    post_id: string;
}

export interface RunMetric {
    metric_config_id: string;
    value: number | null;
}

export interface PlaybookRun {
    id: string;
    name: string;
    summary: string;
    owner_user_id: string;
    reporter_user_id: string;
    team_id: string;
    channel_id: string;
    playbook_id: string;
    create_at: number;
    end_at: number;
    current_status: 'InProgress' | 'Finished';
    checklists: Checklist[];
    participant_ids: string[];
    followers: string[];
    timeline_events: TimelineEvent[];
    status_update_enabled: boolean;
    status_update_due_at: number;
    last_status_update_at: number;
    reminder_timer_default_seconds: number;
    retrospective: string;
    retrospective_enabled: boolean;
    retrospective_published_at: number;
    retrospective_was_canceled: boolean;
    metrics_data: RunMetric[];
    sequential_id: string;
    task_total: number;
    task_completed: number;
    update_at?: number;
    type?: 'playbook' | 'channelChecklist';
    /** Snapshotted from the playbook: prefills the status update form. */
    reminder_message_template?: string;
}

export type MetricType = 'metric_duration' | 'metric_currency' | 'metric_integer';

export interface MetricConfig {
    id: string;
    title: string;
    description: string;
    type: MetricType;
    /** Milliseconds for durations; null = no target. */
    target: number | null;
}

export interface Playbook {
    id: string;
    title: string;
    description: string;
    team_id: string;
    public: boolean;
    delete_at: number;
    checklists: Checklist[];
    metrics: MetricConfig[];
    num_runs: number;
    active_runs: number;
    last_run_at: number;
    [setting: string]: unknown;
}

export interface Page<T> {
    total_count: number;
    page_count: number;
    has_more: boolean;
    items: T[];
}

export interface StatusUpdate {
    id: string;
    create_at: number;
    message: string;
    user_id: string;
    author_user_name: string;
}

export interface PlaybookMember {
    user_id: string;
    roles: string[];
}

/** `GET /stats/playbook?playbook_id=`: a playbook's dashboard numbers. */
export interface PlaybookStats {
    runs_in_progress: number;
    participants_active: number;
    runs_finished_prev_30_days: number;
    /** 12 weeks, oldest first. */
    runs_finished_per_week: number[];
    /** [start_ms, end_ms] of each of those weeks. */
    runs_finished_per_week_times: Array<[number, number]>;
    average_duration_ms: number | null;
    /** Per metric, in the playbook's order. */
    metric_overall_average: Array<number | null>;
    metric_value_range: Array<[number, number] | null>;
    /** Per metric: the last 10 values, oldest first. */
    metric_rolling_values: number[][];
}

export type ChannelActionType = 'prompt_run_playbook' | 'send_welcome_message' | 'categorize_channel';
export type ChannelTriggerType = 'keywords' | 'new_member_joins';

export interface ChannelAction {
    id: string;
    channel_id: string;
    enabled: boolean;
    delete_at: number;
    action_type: ChannelActionType;
    trigger_type: ChannelTriggerType;
    payload: Record<string, unknown>;
}
