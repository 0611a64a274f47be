// The bundle's styles, injected once; `pb-` prefixed so they never touch
// the client's. Narrow first: the sidebar is phone-width on every screen,
// and pages reflow to one column below 720px.
export const STYLES = `
.pb-rhs, .pb-page { font-size: 14px; line-height: 1.45; padding: 12px; box-sizing: border-box; }
.pb-rhs *, .pb-page *, .pb-dialog * { box-sizing: border-box; }
.pb-page { max-width: 1100px; margin: 0 auto; }
.pb-rhs h2, .pb-page h2 { font-size: 17px; margin: 8px 0; }
.pb-rhs h3, .pb-page h3 { font-size: 15px; margin: 12px 0 4px; }
.pb-rhs h4 { font-size: 14px; margin: 0; flex: 1; min-width: 0; }
.pb-row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.pb-muted { color: #5f636a; }
.pb-small { font-size: 12px; }
.pb-hint { color: #5f636a; font-size: 12px; margin: 2px 0 6px; }
.pb-sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.pb-error { background: #fde8e8; color: #8a1c1c; padding: 6px 8px; border-radius: 4px; margin: 6px 0; }
.pb-rhs > .pb-error, .pb-page > .pb-error { position: sticky; top: 0; z-index: 10; }
.pb-field-error { color: #b42318; font-size: 12px; margin: 2px 0 6px; font-weight: 600; }
[aria-invalid="true"] { border-color: #b42318 !important; outline-color: #b42318; }
.pb-rhs button, .pb-page button, .pb-dialog button, .pb-post button { min-height: 28px; padding: 2px 8px; border-radius: 4px; border: 1px solid #c4c7cc; background: #fff; font: inherit; cursor: pointer; }
.pb-rhs button:disabled, .pb-page button:disabled, .pb-dialog button:disabled { opacity: .5; cursor: default; }
.pb-rhs :focus-visible, .pb-page :focus-visible, .pb-dialog :focus-visible, .pb-post :focus-visible { outline: 2px solid #1c58d9; outline-offset: 1px; }
.pb-rhs input, .pb-rhs select, .pb-rhs textarea, .pb-page input, .pb-page select, .pb-page textarea, .pb-dialog input, .pb-dialog select, .pb-dialog textarea { font: inherit; padding: 4px 6px; border: 1px solid #c4c7cc; border-radius: 4px; max-width: 100%; }
.pb-rhs button.pb-primary, .pb-page button.pb-primary, .pb-dialog button.pb-primary, .pb-post button.pb-primary { background: #1c58d9; color: #fff; border-color: #1c58d9; }
button.pb-primary-danger { background: #b42318 !important; border-color: #b42318 !important; }
.pb-danger { color: #b42318; }
button.pb-icon { min-width: 28px; padding: 2px 6px; }
button.pb-link, .pb-back { border: 0 !important; background: none !important; color: #1c58d9; padding: 0 !important; text-align: left; font-weight: 600; }
.pb-inline { display: inline-flex; gap: 4px; align-items: baseline; max-width: 100%; }
.pb-inline-value { cursor: text; overflow-wrap: anywhere; }
.pb-inline-input { width: 100%; }
.pb-badge { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #e8eaee; margin-left: 6px; white-space: nowrap; }
.pb-badge-progress { background: #dcebfc; color: #1c58d9; }
.pb-badge-finished { background: #e3f4e8; color: #1e7a3a; }
.pb-actions { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0; align-items: center; }
.pb-status { border-left: 4px solid #1c58d9; padding: 6px 10px; margin: 10px 0; background: #f5f8fe; }
.pb-status-overdue { border-color: #d24b4e; background: #fdf1f1; }
.pb-status-line { display: flex; justify-content: space-between; gap: 8px; align-items: center; flex-wrap: wrap; }
.pb-last-update { margin: 6px 0; }
.pb-update-form label, .pb-form label, .pb-retro label { display: block; margin: 6px 0; }
.pb-update-form textarea, .pb-form textarea, .pb-form input:not([type=checkbox]):not([type=radio]), .pb-retro textarea, .pb-field input:not([type=checkbox]):not([type=radio]), .pb-field textarea, .pb-field select { width: 100%; }
.pb-check { display: flex !important; gap: 6px; align-items: flex-start; }
.pb-check input { margin-top: 3px; }
.pb-segmented { display: flex; gap: 0; margin: 6px 0; }
.pb-segmented button { border-radius: 0; }
.pb-segmented button:first-child { border-radius: 4px 0 0 4px; }
.pb-segmented button:last-child { border-radius: 0 4px 4px 0; }
.pb-segmented button[aria-pressed="true"] { background: #1c58d9; color: #fff; border-color: #1c58d9; }
.pb-count { font-size: 11px; opacity: .8; }
.pb-runs { list-style: none; padding: 0; margin: 0; }
.pb-run-entry { padding: 8px 0; border-bottom: 1px solid #eef0f3; }
.pb-run-meta { font-size: 12px; }
.pb-chips { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px; }
.pb-chip { display: inline-flex; align-items: center; gap: 2px; background: #eef1f6; border-radius: 12px; padding: 0 2px 0 8px; }
.pb-chip-remove { border: 0 !important; background: none !important; min-height: 24px !important; padding: 0 6px !important; }
.pb-user { color: #1c58d9; margin-right: 4px; }
.pb-picker { position: relative; flex: 1; min-width: 160px; max-width: 360px; }
.pb-picker input { width: 100%; }
.pb-picker-list { position: absolute; z-index: 20; left: 0; right: 0; margin: 2px 0 0; padding: 2px 0; list-style: none; background: #fff; border: 1px solid #c4c7cc; border-radius: 4px; box-shadow: 0 4px 12px rgba(0,0,0,.12); max-height: 240px; overflow: auto; }
.pb-picker-list li { padding: 6px 8px; cursor: pointer; }
.pb-picker-list li.pb-picker-active, .pb-picker-list li[role=option]:hover { background: #e8f0fd; }
.pb-checklist { margin: 8px 0; border: 1px solid transparent; border-radius: 4px; }
.pb-checklist ul { list-style: none; padding: 0; margin: 0; }
.pb-checklist-header { display: flex; gap: 4px; align-items: center; flex-wrap: wrap; }
.pb-checklist-actions { display: inline-flex; gap: 2px; }
.pb-drop-target { outline: 2px dashed #1c58d9; outline-offset: -2px; background: #f5f8fe; }
.pb-drop-hint { font-size: 12px; margin: 4px 0 4px 24px; }
.pb-item { padding: 6px 0; border-bottom: 1px solid #eef0f3; }
.pb-item-main { display: flex; gap: 4px; align-items: flex-start; }
.pb-drag-handle { cursor: grab; color: #9aa0a6; user-select: none; padding-top: 1px; }
.pb-item-closed .pb-item-title { text-decoration: line-through; color: #5f636a; }
.pb-item-skipped .pb-item-title { text-decoration: line-through; font-style: italic; color: #80868b; }
.pb-item-meta, .pb-item-actions, .pb-item-description, .pb-task-editor { margin-left: 28px; }
.pb-item-meta { display: flex; gap: 6px; font-size: 12px; flex-wrap: wrap; }
.pb-item-actions { display: flex; gap: 4px; font-size: 12px; flex-wrap: wrap; margin-top: 4px; }
.pb-item-actions button { min-height: 26px; font-size: 12px; }
.pb-item-description { font-size: 13px; color: #3d4047; }
.pb-item-description p { margin: 2px 0; }
.pb-task-editor { border-left: 3px solid #dcebfc; padding: 4px 0 4px 8px; margin-top: 6px; }
.pb-overdue { color: #b42318; font-weight: 600; }
.pb-good { color: #1e7a3a; font-weight: 600; }
.pb-timeline ol { list-style: none; padding: 0; }
.pb-timeline li { display: flex; gap: 8px; font-size: 13px; padding: 2px 0; align-items: baseline; }
.pb-timeline time { color: #5f636a; white-space: nowrap; }
.pb-timeline-summary { flex: 1; overflow-wrap: anywhere; }
.pb-tiles { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0; padding: 0; list-style: none; }
.pb-tile { border: 1px solid #e3e5e8; border-radius: 6px; padding: 10px 14px; flex: 1 1 160px; }
.pb-tile strong { display: block; font-size: 22px; }
.pb-template-list { display: flex; gap: 12px; flex-wrap: wrap; list-style: none; padding: 0; }
.pb-template-list .pb-tile strong { font-size: 16px; }
.pb-table-wrap { overflow-x: auto; }
.pb-table { width: 100%; border-collapse: collapse; }
.pb-table td, .pb-table th { text-align: left; padding: 6px; border-bottom: 1px solid #eef0f3; vertical-align: top; }
.pb-chart { position: relative; height: 220px; }
.pb-chart-data { margin: 4px 0 12px; font-size: 13px; }
.pb-overview-grid { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr); gap: 24px; }
.pb-update { border-bottom: 1px solid #eef0f3; padding: 6px 0; }
.pb-preview { border: 1px solid #e3e5e8; padding: 8px; border-radius: 4px; min-height: 80px; }
.pb-metric-field { margin: 6px 0; }
.pb-editor-section { border-top: 1px solid #e3e5e8; padding: 8px 0 16px; }
.pb-field { margin: 6px 0 10px; }
.pb-field > label { display: block; font-weight: 600; margin-bottom: 2px; }
.pb-toggle { margin: 8px 0; }
.pb-toggle-body { margin-left: 24px; }
.pb-toggle-off { opacity: .65; }
.pb-toc { display: flex; gap: 12px; flex-wrap: wrap; margin: 8px 0 12px; font-size: 13px; }
.pb-checklist-editor, .pb-metric-editor { border: 1px solid #e3e5e8; border-radius: 6px; margin: 10px 0; padding: 6px 10px; }
.pb-checklist-editor > .pb-row > .pb-field, .pb-task-editor-row > .pb-row > .pb-field { flex: 1; min-width: 200px; margin: 0; }
.pb-task-editors { padding-left: 20px; }
.pb-task-editor-row { margin: 6px 0; }
.pb-task-details { border-left: 3px solid #dcebfc; padding-left: 10px; }
.pb-inline-fieldset { border: 0; padding: 0; margin: 6px 0; }
.pb-inline-fieldset input[type=number] { width: 90px; }
.pb-savebar { position: sticky; bottom: 0; background: #fff; border-top: 1px solid #e3e5e8; padding: 8px 0; display: flex; gap: 12px; align-items: center; z-index: 5; }
.pb-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.35); display: flex; align-items: center; justify-content: center; z-index: 1000; padding: 12px; }
.pb-dialog { background: #fff; border-radius: 8px; padding: 16px; max-width: 440px; width: 100%; max-height: calc(100vh - 24px); overflow: auto; box-shadow: 0 8px 32px rgba(0,0,0,.25); font-size: 14px; }
.pb-dialog-wide { max-width: 640px; }
.pb-dialog-title { font-size: 18px; margin: 0 0 8px; }
.pb-dialog-actions { justify-content: flex-end; }
.pb-dialog fieldset { border: 1px solid #e3e5e8; border-radius: 6px; margin: 8px 0; }
.pb-post { border-left: 3px solid #1c58d9; padding-left: 8px; }
.pb-post-title { font-weight: 600; }
.pb-post-actions { display: flex; gap: 6px; margin-top: 4px; flex-wrap: wrap; align-items: center; }
.pb-post-footer { display: flex; gap: 10px; font-size: 12px; margin-top: 2px; }
.pb-text p { margin: 0 0 6px; }
@media (max-width: 720px) {
  .pb-overview-grid { grid-template-columns: 1fr; }
  .pb-page { padding: 8px; }
  .pb-picker { max-width: none; }
}
@media (max-width: 420px) {
  .pb-item-meta, .pb-item-actions, .pb-item-description, .pb-task-editor { margin-left: 0; }
  .pb-rhs button, .pb-page button { min-height: 36px; }
  .pb-dialog { padding: 12px; }
}
`;
