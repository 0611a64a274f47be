//! `DynamicList` autocomplete arguments: the server asks the plugin that
//! owns the fetch URL (`/plugins/<id>/…`) for the items, as Mattermost
//! does — `GET <fetch_url>?user_input=…&parsed=…&channel_id=…&root_id=…&team_id=…`
//! answered with `[{Item, Hint, HelpText}]` — through the plugin's
//! `serve-http` hook, as the asking user. A plugin that fails or answers
//! badly just contributes no suggestions.

use serde_json::Value;

use super::AppState;
use super::interactive::plugin_of_url;
use crate::runtime::hooks;
use crate::services::autocomplete::{self, Candidate, Suggestion};

/// Where the user is typing.
pub struct Context<'a> {
    pub user_id: &'a str,
    pub user_input: &'a str,
    pub channel_id: &'a str,
    pub root_id: &'a str,
    pub team_id: &'a str,
}

/// Ready suggestions as they are; dynamic lists fetched and filtered.
pub async fn resolve(
    state: &AppState,
    ctx: &Context<'_>,
    found: Vec<Candidate>,
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for candidate in found {
        match candidate {
            Candidate::Ready(s) => out.push(s),
            Candidate::Fetch(fetch) => {
                let items = fetch_items(state, ctx, &fetch.fetch_url, &fetch.parsed).await;
                out.extend(autocomplete::from_list_items(&fetch, &items));
            }
        }
    }
    out
}

async fn fetch_items(state: &AppState, ctx: &Context<'_>, url: &str, parsed: &str) -> Value {
    let Some(plugin_id) = plugin_of_url(url) else {
        tracing::warn!(url, "autocomplete fetch URL is not a plugin URL");
        return Value::Null;
    };
    let path_and_query = url
        .split_once(&format!("/plugins/{plugin_id}"))
        .map_or("/", |(_, rest)| rest);
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    // Built in its own scope: the serializer is not `Send`.
    let query = url::form_urlencoded::Serializer::new(query.to_string())
        .append_pair("user_input", ctx.user_input)
        .append_pair("parsed", parsed)
        .append_pair("channel_id", ctx.channel_id)
        .append_pair("root_id", ctx.root_id)
        .append_pair("team_id", ctx.team_id)
        .finish();
    let request = hooks::HttpRequest {
        method: "GET".into(),
        path: if path.is_empty() {
            "/".into()
        } else {
            path.to_string()
        },
        query,
        headers: vec![("mattermost-user-id".into(), ctx.user_id.to_string())],
        body: Vec::new(),
        user_id: Some(ctx.user_id.to_string()),
    };
    match state.plugins.serve_http(&plugin_id, request).await {
        Some(Ok(response)) if response.status == 200 => serde_json::from_slice(&response.body)
            .unwrap_or_else(|err| {
                tracing::warn!(plugin = %plugin_id, %err, "autocomplete items are not JSON");
                Value::Null
            }),
        Some(Ok(response)) => {
            tracing::warn!(plugin = %plugin_id, status = response.status, "autocomplete fetch refused");
            Value::Null
        }
        Some(Err(err)) => {
            tracing::warn!(plugin = %plugin_id, %err, "autocomplete fetch failed");
            Value::Null
        }
        None => Value::Null,
    }
}
