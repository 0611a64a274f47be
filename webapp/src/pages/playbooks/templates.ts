// The templates offered when creating a playbook. Each is a partial
// playbook the server completes with its defaults (see the plugin's
// Playbook::default); due dates in playbooks are offsets from the run start.

import type {ChecklistItem, Playbook} from '../../types';

const MINUTE = 60000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function task(title: string, more: Partial<ChecklistItem> = {}): ChecklistItem {
    return {
        id: '', title, description: '', state: '', assignee_id: '', assignee_ids: [], assignee_type: '',
        command: '', command_last_run: 0, due_date: 0, task_actions: [], ...more,
    };
}

export interface Template {
    name: string;
    description: string;
    make: (teamId: string) => Partial<Playbook>;
}

export const TEMPLATES: Template[] = [
    {
        name: 'Blank',
        description: 'An empty playbook: one checklist to start from.',
        make: (teamId) => ({
            title: 'Untitled playbook',
            description: '',
            team_id: teamId,
            public: true,
            checklists: [{id: '', title: 'Checklist', items: []}],
            metrics: [],
        }),
    },
    {
        name: 'Incident response',
        description: 'Detect, triage, mitigate and learn from an incident, with hourly updates and a retrospective.',
        make: (teamId) => ({
            title: 'Incident response',
            description: 'Detect, triage, mitigate and learn from an incident.',
            team_id: teamId,
            public: true,
            run_number_prefix: 'INC',
            channel_name_template: '{SEQ} incident',
            run_summary_template_enabled: true,
            run_summary_template: '**Impact:** \n**Customers affected:** \n**Started at:** ',
            reminder_timer_default_seconds: 3600,
            reminder_message_template: '### Current status\n\n### Next steps\n',
            status_update_enabled: true,
            retrospective_enabled: true,
            retrospective_reminder_interval_seconds: DAY / 1000,
            retrospective_template: '### Summary\n\n### What happened (timeline)\n\n### What went well\n\n### What to improve\n\n### Action items\n',
            checklists: [
                {id: '', title: 'Triage', items: [
                    task('Assess the impact and severity', {assignee_type: 'owner', due_date: 15 * MINUTE,
                        description: 'Who is affected, since when, and how badly? Set the severity in the summary.'}),
                    task('Page the on-call engineer', {due_date: 15 * MINUTE}),
                    task('Post the first status update', {command: '/playbook update', assignee_type: 'owner', due_date: 30 * MINUTE}),
                ]},
                {id: '', title: 'Mitigate', items: [
                    task('Identify the cause'),
                    task('Apply a fix or workaround'),
                    task('Confirm the service is healthy'),
                ]},
                {id: '', title: 'Learn', items: [
                    task('Write the retrospective', {assignee_type: 'owner', due_date: 3 * DAY}),
                    task('File follow-up tickets'),
                ]},
            ],
            metrics: [
                {id: '', title: 'Time to acknowledge', description: 'From detection to the first responder.', type: 'metric_duration', target: 15 * MINUTE},
                {id: '', title: 'Time to mitigate', description: 'From detection to customer impact ending.', type: 'metric_duration', target: 4 * HOUR},
            ],
        }),
    },
    {
        name: 'Release checklist',
        description: 'Ship a release or change safely: prepare, deploy, verify, with a rollback path.',
        make: (teamId) => ({
            title: 'Release checklist',
            description: 'Prepare, deploy and verify a release or change.',
            team_id: teamId,
            public: true,
            run_number_prefix: 'REL',
            channel_name_template: '{SEQ} release',
            reminder_timer_default_seconds: 86400,
            status_update_enabled: true,
            retrospective_enabled: false,
            checklists: [
                {id: '', title: 'Prepare', items: [
                    task('Freeze the release branch', {assignee_type: 'owner'}),
                    task('Write the release notes'),
                    task('Get the change approved', {due_date: DAY}),
                    task('Check the rollback plan'),
                ]},
                {id: '', title: 'Deploy', items: [
                    task('Announce the maintenance window'),
                    task('Deploy to staging and run the smoke tests'),
                    task('Deploy to production'),
                ]},
                {id: '', title: 'Verify', items: [
                    task('Watch error rates and dashboards for an hour'),
                    task('Announce the release'),
                ]},
            ],
            metrics: [
                {id: '', title: 'Deployment duration', description: '', type: 'metric_duration', target: HOUR},
                {id: '', title: 'Issues found after release', description: '', type: 'metric_integer', target: 0},
            ],
        }),
    },
];
