//! Mattermost's server and the Playbooks plugin upstream are Go, whose JSON
//! decoder treats `"field": null` exactly like a missing field. Real clients
//! rely on it (`"root_id": null`, `"file_ids": null`). This table covers
//! every route that takes a JSON body, on the host and in the playbooks
//! plugin: for a valid body, each object member at any depth is once left
//! out and once sent as `null`, and the two answers must be the same
//! (status, error, and the response with ids, timestamps and the
//! per-request unique names masked).
//!
//! Routes that change state get fresh objects (a new run, a new token) for
//! every request, so the two variants start from the same state.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::client::{API, Client, channel_with, request, team_with};
use host_shim::services::throttle::Limit;

use crate::helpers::{TestApp, spawn_app_with};

/// Every route with a JSON body. Keep in step with the routers: a route
/// added without a line here is a route whose null handling is untested.
#[derive(Debug, Clone, Copy)]
enum Route {
    CreateUser,
    Login,
    CreateToken,
    RevokeToken,
    SearchUsers,
    CreateTeam,
    AddTeamMember,
    CreateChannel,
    AddChannelMember,
    PatchChannel,
    ViewChannel,
    CreatePost,
    CreateEphemeral,
    UpdatePost,
    PatchPost,
    ExecuteCommand,
    CreateIncomingHook,
    ExecuteIncomingHook,
    CreateCategory,
    AddReaction,
    SearchTeamPosts,
    SearchAllPosts,
    SearchFiles,
    SetStatus,
    SavePreferences,
    DeletePreferences,
    PostAction,
    OpenDialog,
    SubmitDialog,
    CreatePlaybook,
    UpdatePlaybook,
    PatchPlaybook,
    ImportPlaybook,
    StartRun,
    PatchRun,
    ChangeOwner,
    StatusUpdate,
    Snooze,
    StatusUpdatesEnabled,
    SaveRetrospective,
    RetrospectiveEnabled,
    AddParticipants,
    AddChecklist,
    MoveChecklist,
    MoveItem,
    RenameChecklist,
    AddItem,
    EditItem,
    ItemState,
    ItemAssignee,
    ItemDueDate,
    ItemCommand,
    CreateChannelAction,
}

const ROUTES: &[Route] = &[
    Route::CreateUser,
    Route::Login,
    Route::CreateToken,
    Route::RevokeToken,
    Route::SearchUsers,
    Route::CreateTeam,
    Route::AddTeamMember,
    Route::CreateChannel,
    Route::AddChannelMember,
    Route::PatchChannel,
    Route::ViewChannel,
    Route::CreatePost,
    Route::CreateEphemeral,
    Route::UpdatePost,
    Route::PatchPost,
    Route::ExecuteCommand,
    Route::CreateIncomingHook,
    Route::ExecuteIncomingHook,
    Route::CreateCategory,
    Route::AddReaction,
    Route::SearchTeamPosts,
    Route::SearchAllPosts,
    Route::SearchFiles,
    Route::SetStatus,
    Route::SavePreferences,
    Route::DeletePreferences,
    Route::PostAction,
    Route::OpenDialog,
    Route::SubmitDialog,
    Route::CreatePlaybook,
    Route::UpdatePlaybook,
    Route::PatchPlaybook,
    Route::ImportPlaybook,
    Route::StartRun,
    Route::PatchRun,
    Route::ChangeOwner,
    Route::StatusUpdate,
    Route::Snooze,
    Route::StatusUpdatesEnabled,
    Route::SaveRetrospective,
    Route::RetrospectiveEnabled,
    Route::AddParticipants,
    Route::AddChecklist,
    Route::MoveChecklist,
    Route::MoveItem,
    Route::RenameChecklist,
    Route::AddItem,
    Route::EditItem,
    Route::ItemState,
    Route::ItemAssignee,
    Route::ItemDueDate,
    Route::ItemCommand,
    Route::CreateChannelAction,
];

/// What the table's requests share: an admin, a member, a team, a channel
/// both are in, a post, a playbook and an incoming webhook.
struct Ctx<'a> {
    app: &'a TestApp,
    admin: Client<'a>,
    bob: Client<'a>,
    team_id: String,
    channel_id: String,
    post_id: String,
    playbook_id: String,
    hook_id: String,
}

/// One request of the table.
struct Call {
    as_admin: bool,
    method: Method,
    path: String,
    body: Value,
}

impl Call {
    fn new(as_admin: bool, method: Method, path: impl Into<String>, body: Value) -> Call {
        Call {
            as_admin,
            method,
            path: path.into(),
            body,
        }
    }
}

/// A name unique to request `n`, masked by [`normalize`].
fn unique(n: u32) -> String {
    format!("q{n:06}q")
}

impl Ctx<'_> {
    /// A new run of the shared playbook, owned by bob; its id.
    async fn fresh_run(&self, n: u32) -> String {
        let run = self
            .bob
            .expect(
                StatusCode::CREATED,
                Method::POST,
                &format!("{API}/runs"),
                Some(
                    json!({"name": format!("run {}", unique(n)), "owner_user_id": self.bob.id,
                    "team_id": self.team_id, "playbook_id": self.playbook_id}),
                ),
            )
            .await;
        run["id"].as_str().unwrap().to_string()
    }

    /// A new playbook like the shared one, as the API returns it.
    async fn fresh_playbook(&self, n: u32) -> Value {
        let created = self
            .bob
            .expect(
                StatusCode::CREATED,
                Method::POST,
                &format!("{API}/playbooks"),
                Some(json!({"title": format!("pb {}", unique(n)), "team_id": self.team_id,
                    "public": true, "checklists": [{"title": "Triage", "items": [{"title": "Assess"}]}]})),
            )
            .await;
        let id = created["id"].as_str().unwrap();
        self.bob.get_ok(&format!("{API}/playbooks/{id}")).await
    }

    /// The request for `route`, with fresh objects where the route changes
    /// state (`n` numbers the request).
    async fn call(&self, route: Route, n: u32) -> Call {
        let (team, channel, post, bob) =
            (&self.team_id, &self.channel_id, &self.post_id, &self.bob.id);
        let u = unique(n);
        match route {
            Route::CreateUser => Call::new(
                true,
                Method::POST,
                "/api/v4/users",
                json!({
                "username": format!("u{u}"), "email": format!("{u}@example.com"),
                "password": "correct horse", "first_name": "Ann", "last_name": "Lee",
                "nickname": "ann", "locale": "en", "props": {}, "notify_props": {}}),
            ),
            Route::Login => Call::new(
                false,
                Method::POST,
                "/api/v4/users/login",
                json!({
                "login_id": "bob", "password": "correct horse", "token": "", "device_id": ""}),
            ),
            Route::CreateToken => Call::new(
                false,
                Method::POST,
                format!("/api/v4/users/{bob}/tokens"),
                json!({"description": "ci"}),
            ),
            Route::RevokeToken => {
                let token = self
                    .bob
                    .expect(
                        StatusCode::OK,
                        Method::POST,
                        &format!("/api/v4/users/{bob}/tokens"),
                        Some(json!({"description": u})),
                    )
                    .await;
                Call::new(
                    false,
                    Method::POST,
                    "/api/v4/users/tokens/revoke",
                    json!({"token_id": token["id"]}),
                )
            }
            Route::SearchUsers => Call::new(
                false,
                Method::POST,
                "/api/v4/users/search",
                json!({
                "term": "bo", "team_id": team, "in_channel_id": channel, "not_in_channel_id": "",
                "allow_inactive": false, "limit": 10}),
            ),
            Route::CreateTeam => Call::new(
                true,
                Method::POST,
                "/api/v4/teams",
                json!({
                "name": u, "display_name": "T", "type": "O", "description": "d",
                "allowed_domains": "", "invite_id": ""}),
            ),
            Route::AddTeamMember => Call::new(
                true,
                Method::POST,
                format!("/api/v4/teams/{team}/members"),
                json!({"team_id": team, "user_id": bob, "roles": ""}),
            ),
            Route::CreateChannel => Call::new(
                false,
                Method::POST,
                "/api/v4/channels",
                json!({
                "team_id": team, "name": u, "display_name": "C", "type": "O",
                "purpose": "p", "header": "h"}),
            ),
            Route::AddChannelMember => Call::new(
                false,
                Method::POST,
                format!("/api/v4/channels/{channel}/members"),
                json!({"user_id": bob, "post_root_id": ""}),
            ),
            Route::PatchChannel => Call::new(
                false,
                Method::PUT,
                format!("/api/v4/channels/{channel}/patch"),
                json!({"display_name": "Shared", "header": "h", "purpose": "p"}),
            ),
            Route::ViewChannel => Call::new(
                false,
                Method::POST,
                format!("/api/v4/channels/members/{bob}/view"),
                json!({"channel_id": channel, "prev_channel_id": "", "collapsed_threads_supported": true}),
            ),
            Route::CreatePost => Call::new(
                false,
                Method::POST,
                "/api/v4/posts",
                json!({
                "channel_id": channel, "message": "hello", "root_id": "", "file_ids": [],
                "props": {"from": "table"}, "metadata": {"priority": {"priority": ""}},
                "user_id": bob, "type": ""}),
            ),
            Route::CreateEphemeral => Call::new(
                true,
                Method::POST,
                "/api/v4/posts/ephemeral",
                json!({
                "user_id": bob, "post": {"channel_id": channel, "message": "psst", "props": {}}}),
            ),
            Route::UpdatePost => Call::new(
                false,
                Method::PUT,
                format!("/api/v4/posts/{post}"),
                json!({
                "id": post, "channel_id": channel, "message": "edited", "props": {"k": "v"},
                "is_pinned": false, "file_ids": [], "root_id": ""}),
            ),
            Route::PatchPost => Call::new(
                false,
                Method::PUT,
                format!("/api/v4/posts/{post}/patch"),
                json!({"message": "patched", "props": {"k": "v"}, "is_pinned": false, "file_ids": []}),
            ),
            Route::ExecuteCommand => Call::new(
                false,
                Method::POST,
                "/api/v4/commands/execute",
                json!({
                "channel_id": channel, "team_id": team, "command": "/playbook help",
                "root_id": "", "parent_id": ""}),
            ),
            Route::CreateIncomingHook => Call::new(
                true,
                Method::POST,
                "/api/v4/hooks/incoming",
                json!({
                "channel_id": channel, "display_name": "CI", "description": "d",
                "username": "", "icon_url": "", "channel_locked": false}),
            ),
            Route::ExecuteIncomingHook => Call::new(
                false,
                Method::POST,
                format!("/hooks/{}", self.hook_id),
                json!({"text": "from CI", "username": "", "icon_url": "", "type": "",
                    "props": {"a": "b"},
                    "attachments": [{"title": "t", "text": "x", "color": "",
                        "fields": [{"title": "f", "value": "v", "short": true}]}]}),
            ),
            Route::CreateCategory => Call::new(
                false,
                Method::POST,
                format!("/api/v4/users/{bob}/teams/{team}/channels/categories"),
                json!({"display_name": u, "type": "custom", "channel_ids": [channel],
                    "team_id": team, "user_id": bob, "sorting": ""}),
            ),
            Route::AddReaction => Call::new(
                false,
                Method::POST,
                "/api/v4/reactions",
                json!({
                "user_id": bob, "post_id": post, "emoji_name": "+1", "create_at": 0,
                "channel_id": channel, "remote_id": ""}),
            ),
            Route::SearchTeamPosts => Call::new(
                false,
                Method::POST,
                format!("/api/v4/teams/{team}/posts/search"),
                json!({
                "terms": "first", "is_or_search": false, "time_zone_offset": 0,
                "include_deleted_channels": false, "page": 0, "per_page": 20}),
            ),
            Route::SearchAllPosts => Call::new(
                false,
                Method::POST,
                "/api/v4/posts/search",
                json!({
                "terms": "first", "is_or_search": false, "time_zone_offset": 3600,
                "include_deleted_channels": false, "page": 0, "per_page": 20}),
            ),
            Route::SearchFiles => Call::new(
                false,
                Method::POST,
                format!("/api/v4/teams/{team}/files/search"),
                json!({
                "terms": "in:shared", "is_or_search": false, "time_zone_offset": 0,
                "include_deleted_channels": false, "page": 0, "per_page": 20}),
            ),
            Route::SetStatus => Call::new(
                false,
                Method::PUT,
                format!("/api/v4/users/{bob}/status"),
                json!({"user_id": bob, "status": "dnd", "dnd_end_time": 0, "manual": true,
                    "last_activity_at": 0}),
            ),
            Route::SavePreferences => Call::new(
                false,
                Method::PUT,
                format!("/api/v4/users/{bob}/preferences"),
                json!([
                    {"user_id": bob, "category": "display_settings", "name": "use_military_time",
                        "value": "true"},
                    {"user_id": bob, "category": "favorite_channel", "name": channel, "value": "true"}]),
            ),
            Route::DeletePreferences => Call::new(
                false,
                Method::POST,
                format!("/api/v4/users/{bob}/preferences/delete"),
                json!([
                    {"user_id": bob, "category": "display_settings", "name": "use_military_time",
                        "value": ""}]),
            ),
            Route::PostAction => Call::new(
                false,
                Method::POST,
                format!("/api/v4/posts/{post}/actions/nosuchaction"),
                json!({"selected_option": "", "cookie": ""}),
            ),
            Route::OpenDialog => Call::new(
                false,
                Method::POST,
                "/api/v4/actions/dialogs/open",
                json!({
                "trigger_id": "nope", "url": "/plugins/playbooks/x",
                "dialog": {"callback_id": "c", "title": "T", "elements": [], "state": ""}}),
            ),
            Route::SubmitDialog => Call::new(
                false,
                Method::POST,
                "/api/v4/actions/dialogs/submit",
                json!({
                "url": "/plugins/playbooks/api/v0/nothing", "callback_id": "c", "state": "",
                "submission": {"a": "b"}, "channel_id": channel, "team_id": team, "cancelled": false}),
            ),
            Route::CreatePlaybook => Call::new(
                false,
                Method::POST,
                format!("{API}/playbooks"),
                json!({
                "title": format!("pb {u}"), "description": "d", "team_id": team, "public": true,
                "reminder_timer_default_seconds": 3600, "status_update_enabled": true,
                "retrospective_enabled": true, "channel_mode": "create_new_channel",
                "channel_name_template": "", "run_number_prefix": "",
                "checklists": [{"title": "Triage", "items": [{"title": "Assess",
                    "description": "", "command": "", "due_date": 0, "state": ""}]}],
                "members": [{"user_id": bob, "roles": ["playbook_member", "playbook_admin"]}],
                "metrics": []}),
            ),
            Route::UpdatePlaybook => {
                let mut playbook = self.fresh_playbook(n).await;
                playbook["description"] = json!("updated");
                let path = format!("{API}/playbooks/{}", playbook["id"].as_str().unwrap());
                Call::new(false, Method::PUT, path, playbook)
            }
            Route::PatchPlaybook => {
                let playbook = self.fresh_playbook(n).await;
                Call::new(
                    false,
                    Method::PATCH,
                    format!("{API}/playbooks/{}", playbook["id"].as_str().unwrap()),
                    json!({"description": "patched", "public": true}),
                )
            }
            Route::ImportPlaybook => Call::new(
                false,
                Method::POST,
                format!("{API}/playbooks/import?team_id={team}"),
                json!({
                "version": 1, "title": format!("imp {u}"), "description": "",
                "checklists": [{"title": "A", "items": [{"title": "x", "description": ""}]}],
                "metrics": []}),
            ),
            Route::StartRun => Call::new(
                false,
                Method::POST,
                format!("{API}/runs"),
                json!({
                "name": format!("run {u}"), "owner_user_id": bob, "team_id": team,
                "playbook_id": self.playbook_id, "summary": "s", "channel_id": "", "post_id": "",
                "create_public_run": true, "type": "playbook"}),
            ),
            _ => self.run_call(route, n).await,
        }
    }

    /// Requests on a fresh run.
    async fn run_call(&self, route: Route, n: u32) -> Call {
        let run = self.fresh_run(n).await;
        let r = format!("{API}/runs/{run}");
        let item = format!("{r}/checklists/0/item/0");
        let bob = &self.bob.id;
        match route {
            Route::PatchRun => Call::new(
                false,
                Method::PATCH,
                r,
                json!({"name": "renamed", "summary": "s"}),
            ),
            Route::ChangeOwner => Call::new(
                false,
                Method::POST,
                format!("{r}/owner"),
                json!({"owner_id": bob}),
            ),
            Route::StatusUpdate => Call::new(
                false,
                Method::POST,
                format!("{r}/status"),
                json!({"message": "all good", "reminder": 600, "finish_run": false}),
            ),
            Route::Snooze => Call::new(
                false,
                Method::POST,
                format!("{r}/reminder"),
                json!({"new_reminder_seconds": 900}),
            ),
            Route::StatusUpdatesEnabled => Call::new(
                false,
                Method::PUT,
                format!("{r}/status-update-enabled"),
                json!({"enabled": false}),
            ),
            Route::SaveRetrospective => Call::new(
                false,
                Method::POST,
                format!("{r}/retrospective"),
                json!({"retrospective": "went ok", "metrics": []}),
            ),
            Route::RetrospectiveEnabled => Call::new(
                false,
                Method::PUT,
                format!("{r}/retrospective-enabled"),
                json!({"enabled": false}),
            ),
            Route::AddParticipants => Call::new(
                false,
                Method::POST,
                format!("{r}/participants"),
                json!({"user_ids": [self.admin.id]}),
            ),
            Route::AddChecklist => Call::new(
                false,
                Method::POST,
                format!("{r}/checklists"),
                json!({"title": "More", "items": [{"title": "one", "description": "", "command": ""}]}),
            ),
            Route::MoveChecklist => Call::new(
                false,
                Method::POST,
                format!("{r}/checklists/move"),
                json!({"source_checklist_idx": 0, "dest_checklist_idx": 0}),
            ),
            Route::MoveItem => Call::new(
                false,
                Method::POST,
                format!("{r}/checklists/move-item"),
                json!({"source_checklist_idx": 0, "source_item_idx": 0,
                    "dest_checklist_idx": 0, "dest_item_idx": 0}),
            ),
            Route::RenameChecklist => Call::new(
                false,
                Method::PUT,
                format!("{r}/checklists/0/rename"),
                json!({"title": "Renamed"}),
            ),
            Route::AddItem => Call::new(
                false,
                Method::POST,
                format!("{r}/checklists/0/add"),
                json!({
                "title": "new", "description": "", "state": "", "assignee_id": "",
                "assignee_ids": [], "command": "", "due_date": 0, "task_actions": []}),
            ),
            Route::EditItem => Call::new(
                false,
                Method::PUT,
                item,
                json!({"title": "Assess well", "description": "d", "command": ""}),
            ),
            Route::ItemState => Call::new(
                false,
                Method::PUT,
                format!("{item}/state"),
                json!({"new_state": "closed"}),
            ),
            Route::ItemAssignee => Call::new(
                false,
                Method::PUT,
                format!("{item}/assignee"),
                json!({"assignee_id": bob, "assignee_ids": []}),
            ),
            Route::ItemDueDate => Call::new(
                false,
                Method::PUT,
                format!("{item}/duedate"),
                json!({"due_date": 4_102_444_800_000_i64}),
            ),
            Route::ItemCommand => Call::new(
                false,
                Method::PUT,
                format!("{item}/command"),
                json!({"command": "/playbook help"}),
            ),
            Route::CreateChannelAction => {
                let channel = self.bob.get_ok(&format!("{API}/runs/{run}")).await["channel_id"]
                    .as_str()
                    .unwrap()
                    .to_string();
                Call::new(
                    false,
                    Method::POST,
                    format!("{API}/actions/channels/{channel}"),
                    json!({
                    "channel_id": channel, "enabled": true, "delete_at": 0,
                    "action_type": "send_welcome_message", "trigger_type": "new_member_joins",
                    "payload": {"message": "welcome"}}),
                )
            }
            other => panic!("{other:?} is not a run route"),
        }
    }

    /// The call's body as bytes with `content_type` (none at all for `None`).
    async fn send_raw(&self, call: &Call, content_type: Option<&str>) -> (StatusCode, String) {
        let client = if call.as_admin {
            &self.admin
        } else {
            &self.bob
        };
        let mut req = self
            .app
            .http
            .request(call.method.clone(), self.app.url(&call.path))
            .body(call.body.to_string());
        if call.path != "/api/v4/users/login" {
            req = req.bearer_auth(&client.token);
        }
        if let Some(content_type) = content_type {
            req = req.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        let resp = req.send().await.unwrap();
        (resp.status(), resp.text().await.unwrap())
    }

    async fn send(&self, call: &Call, body: Value) -> (StatusCode, Value) {
        let client = if call.as_admin {
            &self.admin
        } else {
            &self.bob
        };
        let token = if matches!(call.path.as_str(), "/api/v4/users/login") {
            None
        } else {
            Some(client.token.as_str())
        };
        let (status, body, _) =
            request(self.app, token, call.method.clone(), &call.path, Some(body)).await;
        (status, body)
    }
}

/// A step from a document to one of its object members.
#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// Paths of every object member of `value`, at any depth.
fn member_paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Object(map) => {
            for (key, member) in map {
                prefix.push(Step::Key(key.clone()));
                out.push(prefix.clone());
                member_paths(member, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                member_paths(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

/// The object holding the member at `path`, and the member's key; `None`
/// when this body has no such member.
fn parent<'v>(value: &'v mut Value, path: &[Step]) -> Option<(&'v mut Map<String, Value>, String)> {
    let (last, init) = path.split_last()?;
    let mut at = value;
    for step in init {
        at = match step {
            Step::Key(k) => at.get_mut(k.as_str())?,
            Step::Index(i) => at.get_mut(*i)?,
        };
    }
    let Step::Key(key) = last else { return None };
    Some((at.as_object_mut()?, key.clone()))
}

/// An answer short enough to read in a failure list.
fn clip(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(400) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

fn shown(path: &[Step]) -> String {
    path.iter()
        .map(|s| match s {
            Step::Key(k) => format!(".{k}"),
            Step::Index(i) => format!("[{i}]"),
        })
        .collect()
}

/// Masks what legitimately differs between two otherwise equal requests:
/// ids, timestamps, per-request names, request ids.
fn normalize(value: &mut Value) {
    match value {
        Value::String(s) => {
            let is_id = s.len() == 26
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
            if is_id {
                *s = "<id>".into();
            } else {
                *s = mask_unique(s);
            }
        }
        Value::Number(n) if n.as_i64().is_some_and(|v| v > 1_000_000_000_000) => *value = json!(0),
        Value::Object(map) => {
            // Per-request ids and counters that grow with every request.
            for counter in ["request_id", "sort_order", "run_number", "sequential_id"] {
                map.remove(counter);
            }
            let entries: Vec<(String, Value)> = std::mem::take(map).into_iter().collect();
            for (key, mut member) in entries {
                normalize(&mut member);
                map.insert(mask_unique(&key), member);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

/// Replaces every `q<6 digits>q` (see [`unique`]), then every run of 26
/// lowercase letters and digits (an id) in running text.
fn mask_unique(s: &str) -> String {
    let mut unique_masked = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(ch) = rest.chars().next() {
        let b = rest.as_bytes();
        if b.len() >= 8 && b[0] == b'q' && b[1..7].iter().all(u8::is_ascii_digit) && b[7] == b'q' {
            unique_masked.push_str("q#q");
            rest = &rest[8..];
        } else {
            unique_masked.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    let mut out = String::with_capacity(unique_masked.len());
    let mut run = String::new();
    for ch in unique_masked.chars().chain(std::iter::once(' ')) {
        if ch.is_ascii_lowercase() || ch.is_ascii_digit() {
            run.push(ch);
            continue;
        }
        out.push_str(if run.len() == 26 { "<id>" } else { &run });
        run.clear();
        out.push(ch);
    }
    out.pop();
    out
}

async fn setup(app: &TestApp) -> Ctx<'_> {
    let admin = Client::new(app, "admin").await;
    let bob = Client::new(app, "bob").await;
    let team_id = team_with(&admin, "nulls", &[&bob]).await;
    let channel_id = channel_with(&bob, &team_id, "shared", "O", &[&admin]).await;
    let post = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/posts",
            Some(json!({"channel_id": channel_id, "message": "first"})),
        )
        .await;
    let playbook = bob
        .expect(
            StatusCode::CREATED,
            Method::POST,
            &format!("{API}/playbooks"),
            Some(json!({"title": "Shared", "team_id": team_id, "public": true,
                "checklists": [{"title": "Triage", "items": [{"title": "Assess"}, {"title": "Page"}]}]})),
        )
        .await;
    let hook = admin
        .expect(
            StatusCode::CREATED,
            Method::POST,
            "/api/v4/hooks/incoming",
            Some(json!({"channel_id": channel_id, "display_name": "hook"})),
        )
        .await;
    Ctx {
        app,
        post_id: post["id"].as_str().unwrap().into(),
        playbook_id: playbook["id"].as_str().unwrap().into(),
        hook_id: hook["id"].as_str().unwrap().into(),
        admin,
        bob,
        team_id,
        channel_id,
    }
}

#[tokio::test]
async fn null_members_are_answered_like_missing_ones_on_every_json_route() {
    // The table sends ~60 searches as one user within a second: more than
    // the per-user search limit (tested in chat_search) lets through.
    let app = spawn_app_with(|config| config.accounts.throttle.search_per_user = Limit::OFF).await;
    let ctx = setup(&app).await;
    let mut n = 0;
    let mut failures = Vec::new();
    let mut compared = 0;
    for &route in ROUTES {
        // The valid body must really be valid: otherwise every variant
        // would fail alike and the comparison would prove nothing.
        n += 1;
        let call = ctx.call(route, n).await;
        let (status, answer) = ctx.send(&call, call.body.clone()).await;
        let expected_valid = !matches!(
            route,
            Route::PostAction | Route::OpenDialog | Route::SubmitDialog
        );
        if expected_valid != status.is_success() {
            failures.push(format!(
                "{route:?}: the reference body got {status}: {answer}"
            ));
            continue;
        }
        // Mattermost reads a JSON body whatever its Content-Type says.
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/x-www-form-urlencoded"),
        ] {
            // Incoming webhooks read a form's `payload=` field, as Mattermost.
            if matches!(route, Route::ExecuteIncomingHook)
                && content_type.is_some_and(|t| t.contains("form"))
            {
                continue;
            }
            n += 1;
            let call = ctx.call(route, n).await;
            let (other, _) = ctx.send_raw(&call, content_type).await;
            if other != status {
                failures.push(format!(
                    "{route:?}: as {content_type:?} -> {other}, as JSON -> {status}"
                ));
            }
        }
        let mut paths = Vec::new();
        member_paths(&call.body, &mut Vec::new(), &mut paths);
        for path in paths {
            let mut results = Vec::new();
            for as_null in [false, true] {
                n += 1;
                let call = ctx.call(route, n).await;
                let mut body = call.body.clone();
                let Some((object, key)) = parent(&mut body, &path) else {
                    panic!("{route:?}: request {n} has no {}: {body}", shown(&path));
                };
                if as_null {
                    object.insert(key, Value::Null);
                } else {
                    object.remove(&key);
                }
                let (status, mut answer) = ctx.send(&call, body).await;
                normalize(&mut answer);
                results.push((status, answer));
            }
            compared += 1;
            if results[0] != results[1] {
                failures.push(format!(
                    "{route:?} {}: left out -> {} {}\n    null -> {} {}",
                    shown(&path),
                    results[0].0,
                    clip(&results[0].1),
                    results[1].0,
                    clip(&results[1].1)
                ));
            }
        }
    }
    assert!(compared > 150, "only {compared} members compared");
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn normalize_masks_ids_times_and_unique_names_only() {
    let mut a = json!({"id": "abcdefghijklmnopqrstuvwxyz", "create_at": 1_700_000_000_000_i64,
        "name": "run q000017q", "count": 3, "request_id": "x", "text": "see abcdefghijklmnopqrstuvwx12 ok"});
    normalize(&mut a);
    assert_eq!(
        a,
        json!({"id": "<id>", "create_at": 0, "name": "run q#q", "count": 3,
        "text": "see <id> ok"})
    );
    let mut b = json!({"name": "run q000018q", "count": 4});
    normalize(&mut b);
    assert_ne!(b["count"], json!(3));
}
