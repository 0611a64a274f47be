//! Emoji reactions on posts (decision 018): validating emoji names against
//! the standard set, adding and removing reactions with their websocket
//! events, and filling `metadata.reactions` on posts handed to clients.
//!
//! The standard set is GitHub's gemoji shortcodes for the Unicode emoji, as
//! shipped by the `emojis` crate. The web client's picker is served the same
//! list ([`standard_emoji_json`]), so everything it offers is accepted here.

use std::collections::HashMap;
use std::sync::OnceLock;

use chat_store::ports::reactions::{Added, Reaction, Refused};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Broadcast, Services, WsEvent};
use crate::error::{AppError, AppResult};
use crate::model::{Post, now_ms};

/// Mattermost's limit on an emoji name.
pub const MAX_EMOJI_NAME_CHARS: usize = 64;
/// Mattermost's default `MaxUniqueReactionsPerPost`.
pub const MAX_UNIQUE_REACTIONS_PER_POST: usize = 50;

/// Checks an emoji name: [`check_emoji_name_format`], then membership of the
/// standard set.
pub fn validate_emoji_name(name: &str) -> AppResult<()> {
    check_emoji_name_format(name)?;
    if emojis::get_by_shortcode(name).is_none() {
        return Err(AppError::Invalid(format!(
            "emoji_name: '{name}' is not a known emoji"
        )));
    }
    Ok(())
}

/// Mattermost's emoji name format: `^[a-zA-Z0-9\-\+_]+$`, at most 64
/// characters.
pub fn check_emoji_name_format(name: &str) -> AppResult<()> {
    if name.is_empty() {
        return Err(AppError::Invalid("emoji_name: required".into()));
    }
    if name.chars().count() > MAX_EMOJI_NAME_CHARS {
        return Err(AppError::Invalid(format!(
            "emoji_name: longer than {MAX_EMOJI_NAME_CHARS} characters"
        )));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '_'))
    {
        return Err(AppError::Invalid(
            "emoji_name: only letters, digits, '-', '+' and '_' are allowed".into(),
        ));
    }
    Ok(())
}

/// One emoji of the picker's list.
#[derive(Serialize)]
struct StandardEmoji {
    /// The primary shortcode (what the picker reacts with).
    name: &'static str,
    /// Every shortcode, the primary one first (all accepted).
    aliases: Vec<&'static str>,
    /// The emoji itself.
    unicode: &'static str,
    category: &'static str,
}

fn group_name(group: emojis::Group) -> &'static str {
    use emojis::Group::*;
    match group {
        SmileysAndEmotion => "Smileys & Emotion",
        PeopleAndBody => "People & Body",
        AnimalsAndNature => "Animals & Nature",
        FoodAndDrink => "Food & Drink",
        TravelAndPlaces => "Travel & Places",
        Activities => "Activities",
        Objects => "Objects",
        Symbols => "Symbols",
        Flags => "Flags",
    }
}

/// Every standard emoji that has a shortcode, in Unicode order, as JSON
/// (`[{name, aliases, unicode, category}]`); built once.
pub fn standard_emoji_json() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| {
        let list: Vec<StandardEmoji> = emojis::iter()
            .filter_map(|e| {
                let name = e.shortcode()?;
                Some(StandardEmoji {
                    name,
                    aliases: e.shortcodes().collect(),
                    unicode: e.as_str(),
                    category: group_name(e.group()),
                })
            })
            .collect();
        serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())
    })
}

impl Services {
    /// Adds `user_id`'s reaction (already validated, the caller's rights
    /// checked). Adding an existing reaction returns it and publishes nothing.
    pub fn add_reaction(
        &self,
        post_id: &str,
        user_id: &str,
        emoji_name: &str,
    ) -> AppResult<Reaction> {
        let outcome = self.reactions.add_reaction(
            post_id,
            user_id,
            emoji_name,
            now_ms(),
            MAX_UNIQUE_REACTIONS_PER_POST,
        )?;
        match outcome {
            Ok(Added::Existing(reaction)) => Ok(reaction),
            Ok(Added::New(reaction)) => {
                self.publish_reaction("reaction_added", &reaction);
                Ok(reaction)
            }
            Err(Refused::PostGone) => Err(AppError::NotFound("post".into())),
            Err(Refused::ChannelArchived) => Err(AppError::Forbidden(
                "post_id: the post's channel is archived; reactions cannot change".into(),
            )),
            Err(Refused::TooManyEmoji) => Err(AppError::Invalid(format!(
                "emoji_name: the post already has {MAX_UNIQUE_REACTIONS_PER_POST} different \
                 reactions"
            ))),
        }
    }

    /// Removes a reaction (rights checked by the caller); removing one that
    /// is not there is not an error and publishes nothing.
    pub fn remove_reaction(&self, post_id: &str, user_id: &str, emoji_name: &str) -> AppResult<()> {
        if let Some(reaction) =
            self.reactions
                .remove_reaction(post_id, user_id, emoji_name, now_ms())?
        {
            self.publish_reaction("reaction_removed", &reaction);
        }
        Ok(())
    }

    /// Sets `metadata.reactions` (and `has_reactions`) on posts about to be
    /// handed to a client, with one store query for the whole batch. Posts
    /// without reactions get neither (Mattermost omits both), whatever a
    /// client may have put into the stored metadata.
    pub fn attach_reactions(&self, posts: &mut [Post]) -> AppResult<()> {
        let ids: Vec<String> = posts
            .iter()
            .filter(|p| p.has_reactions)
            .map(|p| p.id.clone())
            .collect();
        let mut by_post: HashMap<String, Vec<Value>> = HashMap::new();
        for reaction in self.reactions.reactions_for_posts(&ids)? {
            let post_id = reaction.post_id.clone();
            by_post
                .entry(post_id)
                .or_default()
                .push(serde_json::to_value(reaction).unwrap_or(Value::Null));
        }
        for post in posts {
            match by_post.remove(&post.id) {
                Some(list) => {
                    post.has_reactions = true;
                    post.metadata.insert("reactions".into(), Value::Array(list));
                }
                None => {
                    post.has_reactions = false;
                    post.metadata.remove("reactions");
                }
            }
        }
        Ok(())
    }

    /// `reaction_added` / `reaction_removed` to the channel's members, with
    /// the reaction as a JSON string as Mattermost sends it.
    fn publish_reaction(&self, event: &str, reaction: &Reaction) {
        let mut data = Map::new();
        data.insert(
            "reaction".into(),
            Value::String(serde_json::to_string(reaction).unwrap_or_default()),
        );
        self.events.publish(WsEvent {
            event: event.into(),
            data,
            broadcast: Broadcast {
                channel_id: reaction.channel_id.clone(),
                ..Default::default()
            },
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_mattermost_names_are_known() {
        for name in [
            "+1",
            "-1",
            "thumbsup",
            "white_check_mark",
            "smile",
            "heart",
            "tada",
            "eyes",
        ] {
            validate_emoji_name(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }

    #[test]
    fn bad_names_are_refused_naming_the_field() {
        for name in [
            "",
            "no such emoji",
            "smile!",
            "not_an_emoji_at_all",
            &"a".repeat(65),
            "<script>",
        ] {
            let err = validate_emoji_name(name).unwrap_err();
            assert!(
                matches!(&err, AppError::Invalid(m) if m.starts_with("emoji_name:")),
                "{name}: {err:?}"
            );
        }
    }

    #[test]
    fn every_name_the_picker_offers_is_accepted() {
        let list: Vec<Value> = serde_json::from_str(standard_emoji_json()).unwrap();
        assert!(
            list.len() > 1500,
            "the whole standard set, got {}",
            list.len()
        );
        for entry in &list {
            let aliases = entry["aliases"].as_array().unwrap();
            assert_eq!(aliases[0], entry["name"]);
            for alias in aliases {
                validate_emoji_name(alias.as_str().unwrap()).unwrap();
            }
            assert!(!entry["unicode"].as_str().unwrap().is_empty());
            assert!(!entry["category"].as_str().unwrap().is_empty());
        }
    }
}
