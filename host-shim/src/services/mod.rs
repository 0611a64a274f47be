//! Chat services: the rules for changing chat state, shared by the HTTP API
//! and the plugin host interfaces so both behave identically (validation,
//! websocket events, plugin hooks).

pub mod accounts;
pub mod autocomplete;
pub mod categories;
pub mod command_exec;
pub mod commands;
pub mod events;
pub mod files;
pub mod groups;
pub mod incoming_webhooks;
pub mod integrity;
pub mod mentions;
pub mod passwords;
pub mod preferences;
pub mod presence;
pub mod reactions;
pub mod search;
pub mod throttle;
pub mod webhooks;

mod channels;
mod posts;
pub mod teams;
pub mod triggers;

use std::sync::Arc;

use chat_store::ports::plugin_sql::PluginDatabases;
use chat_store::{
    AuthStore, ChatStore, GroupChannelStore, JobStore, KvStore, PreferenceStore, PresenceStore,
    ReactionStore, SearchStore,
};
use tokio::sync::mpsc;

pub use channels::{
    MAX_CHANNEL_DISPLAY_NAME_CHARS, MAX_CHANNEL_HEADER_CHARS, MAX_CHANNEL_PURPOSE_CHARS,
    validate_channel_name,
};
pub use events::{Broadcast, EventBus, SessionsChanged, WsEvent};
pub use posts::{Author, MAX_POST_MESSAGE_CHARS};
pub use webhooks::{WebhookPolicy, WebhookQueue};

use crate::model::Post;

/// Something plugins may want to react to, dispatched after it is committed.
#[derive(Debug, Clone)]
pub enum HookEvent {
    /// A post was stored. `bot_of_plugin` is set when the author is a
    /// plugin's bot: that plugin is not told about its own post.
    Posted {
        post: Box<Post>,
        bot_of_plugin: Option<String>,
    },
    UserJoinedChannel {
        channel_id: String,
        user_id: String,
        actor_id: Option<String>,
    },
    /// A plugin asked to run a plugin command as a user (the `execute`
    /// import): run by the dispatcher, because the asking plugin's instance
    /// is busy until its hook returns.
    ExecuteCommand {
        plugin_id: String,
        ctx: Box<commands::CommandContext>,
        command: String,
    },
}

/// The storage ports the services are built on. One backend (the embedded
/// SQLite store) implements them all today; they stay separate so a
/// capability can move to another backend alone.
#[derive(Clone)]
pub struct Stores {
    pub chat: Arc<dyn ChatStore>,
    pub auth: Arc<dyn AuthStore>,
    pub kv: Arc<dyn KvStore>,
    pub jobs: Arc<dyn JobStore>,
    pub reactions: Arc<dyn ReactionStore>,
    pub search: Arc<dyn SearchStore>,
    pub presence: Arc<dyn PresenceStore>,
    pub preferences: Arc<dyn PreferenceStore>,
    pub groups: Arc<dyn GroupChannelStore>,
    /// Each plugin's own SQL database (contract 0.2's `sql`).
    pub plugin_sql: Arc<dyn PluginDatabases>,
}

impl Stores {
    /// Every port served by the one `store`, and the plugins' databases.
    pub fn all_in<S>(store: Arc<S>, plugin_sql: Arc<dyn PluginDatabases>) -> Stores
    where
        S: ChatStore
            + AuthStore
            + KvStore
            + JobStore
            + ReactionStore
            + SearchStore
            + PresenceStore
            + PreferenceStore
            + GroupChannelStore
            + 'static,
    {
        Stores {
            chat: store.clone(),
            auth: store.clone(),
            kv: store.clone(),
            jobs: store.clone(),
            reactions: store.clone(),
            search: store.clone(),
            presence: store.clone(),
            preferences: store.clone(),
            groups: store,
            plugin_sql,
        }
    }
}

/// Shared state of the server: stores, event bus and queues.
pub struct Services {
    pub chat: Arc<dyn ChatStore>,
    pub auth: Arc<dyn AuthStore>,
    pub kv: Arc<dyn KvStore>,
    pub jobs: Arc<dyn JobStore>,
    pub reactions: Arc<dyn ReactionStore>,
    /// Full-text post search (decision 019).
    pub search: Arc<dyn SearchStore>,
    /// Statuses ([`presence`]).
    pub presence: Arc<dyn PresenceStore>,
    /// User preferences ([`preferences`]).
    pub preferences: Arc<dyn PreferenceStore>,
    /// Group channels with their members ([`groups`]).
    pub groups: Arc<dyn GroupChannelStore>,
    /// Each plugin's own SQL database.
    pub plugin_sql: Arc<dyn PluginDatabases>,
    /// This node's websocket counts, activity writes and typing throttle.
    pub presence_tracker: presence::PresenceTracker,
    pub events: EventBus,
    pub webhooks: WebhookQueue,
    hooks: mpsc::UnboundedSender<HookEvent>,
    /// Woken whenever a job is scheduled, so the dispatcher re-reads the
    /// earliest due time.
    pub scheduler_wake: Arc<tokio::sync::Notify>,
    pub triggers: triggers::TriggerRegistry,
    /// Signs dialog states and post actions that plugins hand to clients.
    pub integrity: integrity::Integrity,
    /// Where every password is hashed or checked (bounded).
    pub passwords: passwords::PasswordPool,
    /// Rate limits: logins, sign-ups, searches.
    pub throttle: throttle::Throttle,
}

impl Services {
    /// Builds the services. The receiver gets every [`HookEvent`]; the
    /// plugin manager drains it.
    pub fn new(
        stores: Stores,
        webhooks: WebhookQueue,
        accounts: accounts::AccountsConfig,
    ) -> (Arc<Self>, mpsc::UnboundedReceiver<HookEvent>) {
        let (hooks, receiver) = mpsc::unbounded_channel();
        let Stores {
            chat,
            auth,
            kv,
            jobs,
            reactions,
            search,
            presence,
            preferences,
            groups,
            plugin_sql,
        } = stores;
        let integrity = integrity::Integrity::new(kv.clone());
        let services = Arc::new(Self {
            chat,
            auth,
            kv,
            jobs,
            reactions,
            search,
            presence,
            preferences,
            groups,
            plugin_sql,
            presence_tracker: Default::default(),
            events: EventBus::new(1024),
            webhooks,
            hooks,
            scheduler_wake: Arc::new(tokio::sync::Notify::new()),
            triggers: Default::default(),
            integrity,
            passwords: passwords::PasswordPool::new(accounts.passwords),
            throttle: throttle::Throttle::new(accounts.throttle),
        });
        (services, receiver)
    }

    pub(crate) fn queue_hook(&self, event: HookEvent) {
        if self.hooks.send(event).is_err() {
            tracing::warn!("hook dispatcher stopped; plugin hook not delivered");
        }
    }
}
