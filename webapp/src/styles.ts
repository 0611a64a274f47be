// The bundle's styles, injected once; `pb-` prefixed so they never touch
// the client's.
export const STYLES = `
.pb-rhs, .pb-page { font-size: 14px; line-height: 1.4; padding: 12px; }
.pb-page { max-width: 960px; margin: 0 auto; }
.pb-row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; margin: 6px 0; }
.pb-muted { color: #6b6f76; }
.pb-error { background: #fde8e8; color: #8a1c1c; padding: 6px 8px; border-radius: 4px; margin: 6px 0; }
.pb-inline { background: none; border: 1px dashed transparent; padding: 2px 4px; text-align: left; font: inherit; cursor: text; }
.pb-inline:hover, .pb-inline:focus { border-color: #c4c7cc; }
.pb-badge { font-size: 11px; padding: 1px 6px; border-radius: 8px; background: #e8eaee; margin-left: 6px; }
.pb-badge-progress { background: #dcebfc; color: #1c58d9; }
.pb-badge-finished { background: #e3f4e8; color: #1e7a3a; }
.pb-actions { display: flex; gap: 6px; flex-wrap: wrap; margin: 8px 0; }
.pb-primary { background: #1c58d9; color: white; border: 0; border-radius: 4px; padding: 4px 10px; }
.pb-danger { color: #b42318; }
.pb-status { border-left: 4px solid #1c58d9; padding: 6px 10px; margin: 10px 0; background: #f5f8fe; }
.pb-status-overdue { border-color: #d24b4e; background: #fdf1f1; }
.pb-status-line { display: flex; justify-content: space-between; gap: 8px; align-items: center; }
.pb-update-form label, .pb-editor label, .pb-retro label { display: block; margin: 6px 0; }
.pb-update-form textarea, .pb-editor textarea, .pb-retro textarea, .pb-editor input:not([type=checkbox]) { width: 100%; box-sizing: border-box; }
.pb-checklist ul { list-style: none; padding: 0; margin: 0; }
.pb-item { padding: 4px 0; border-bottom: 1px solid #eef0f3; }
.pb-item-closed .pb-item-title { text-decoration: line-through; color: #6b6f76; }
.pb-item-skipped .pb-item-title { text-decoration: line-through; font-style: italic; color: #9aa0a6; }
.pb-item-meta { margin-left: 24px; display: flex; gap: 6px; font-size: 12px; }
.pb-item-actions { margin-left: 24px; display: flex; gap: 4px; font-size: 12px; }
.pb-overdue { color: #b42318; font-weight: 600; }
.pb-user { color: #1c58d9; margin-right: 4px; }
.pb-timeline ol { list-style: none; padding: 0; }
.pb-timeline li { display: flex; gap: 8px; font-size: 13px; padding: 2px 0; }
.pb-timeline time { color: #6b6f76; white-space: nowrap; }
.pb-tiles { display: flex; gap: 12px; flex-wrap: wrap; }
.pb-tile { border: 1px solid #e3e5e8; border-radius: 6px; padding: 10px 14px; }
.pb-tile strong { display: block; font-size: 22px; }
.pb-table { width: 100%; border-collapse: collapse; }
.pb-table td, .pb-table th { text-align: left; padding: 6px; border-bottom: 1px solid #eef0f3; }
.pb-post { border-left: 3px solid #1c58d9; padding-left: 8px; }
.pb-post-title { font-weight: 600; }
.pb-post-actions { display: flex; gap: 6px; margin-top: 4px; }
@media (max-width: 600px) { .pb-item-meta, .pb-item-actions { margin-left: 0; } .pb-page { padding: 8px; } }
`;
