//! A test-only plugin that misbehaves on purpose, to prove the host's sandbox:
//! epoch deadlines (`loop`), the memory cap (`bomb`), trap containment
//! (`panic`) and the durability of the key-value store (`/kv`, `/count`).
//!
//! Slash command `/sandbox <what>`:
//! - `ok` answers "ok";
//! - `loop` spins forever (the host's epoch deadline must interrupt it);
//! - `bomb` allocates 1 MiB chunks forever (the host's memory cap must stop it);
//! - `panic` panics (the panic hook logs `panic: ...` at level error first);
//! - `sleep-ms <n>` busy-waits `n` milliseconds of host clock, answers "slept".
//! - `job <key> <in-ms>` schedules the job `key` `in-ms` from now.
//!
//! Scheduled jobs (`scheduled-job`) count their runs in `runs/<key>`; a
//! job whose key starts with `trap-once/` traps on its first run, to prove
//! the host retries a job whose hook failed.
//!
//! HTTP (`serve-http`):
//! - `PUT /kv/<key>` stores the body, `GET /kv/<key>` reads it back (404 if absent);
//! - `GET /count?prefix=<p>` answers the number of keys under `p`;
//! - `GET /loop` spins forever; `GET /panic` panics;
//! - `POST /fill?prefix=<p>&count=<n>&size=<bytes>` stores `n` values of
//!   `size` bytes under `p` (so a test can fill the store without large bodies);
//! - `GET /get-many?prefix=<p>` reads every key under `p` in one `kv.get-many`
//!   and answers the total bytes received (or the host's error);
//! - `GET /headers` answers with headers a plugin must not be able to set
//!   (`Set-Cookie`, hop-by-hop headers) next to an ordinary one.
//!
//! `post-action` panics when the context mentions `"panic"`, and
//! `dialog-submit` when the callback id is `panic`.
//!
//! Everything wasm-specific is behind `cfg(target_arch = "wasm32")`, so a
//! native `cargo test --workspace` builds this crate as an empty library.

#[cfg(target_arch = "wasm32")]
mod guest {
    wit_bindgen::generate!({
        path: "../../../wit/v0.1",
        world: "chat-plugin",
    });

    use chatops::plugin::types::{Error, Post};
    use chatops::plugin::{clock, commands, kv, log, scheduler};
    use exports::chatops::plugin::hooks::{
        ActionRequest, ActionResponse, CommandArgs, CommandResponse, DialogResponse,
        DialogSubmission, Guest, HttpRequest, HttpResponse,
    };

    struct SandboxGuest;

    export!(SandboxGuest);

    /// Sends `panic: <message> (at <location>)` to the host log before the trap.
    fn install_panic_hook() {
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload_as_str()
                .unwrap_or("<non-string panic payload>");
            let text = match info.location() {
                Some(at) => format!(
                    "panic: {message} (at {}:{}:{})",
                    at.file(),
                    at.line(),
                    at.column()
                ),
                None => format!("panic: {message}"),
            };
            log::write(log::Level::Error, &text);
        }));
    }

    /// Spins forever in a way the optimizer cannot remove.
    fn spin_forever() -> ! {
        let mut counter = 0u64;
        loop {
            counter = core::hint::black_box(counter.wrapping_add(1));
        }
    }

    /// Allocates and touches 1 MiB chunks, keeping them all, until the host
    /// refuses to grow the memory.
    fn memory_bomb() -> ! {
        const CHUNK: usize = 1 << 20;
        let mut kept: Vec<Vec<u8>> = Vec::new();
        loop {
            let mut chunk = Vec::with_capacity(CHUNK);
            chunk.resize(CHUNK, 0xA5);
            kept.push(core::hint::black_box(chunk));
            core::hint::black_box(&mut kept);
        }
    }

    fn busy_wait_ms(ms: i64) {
        let start = clock::now_ms();
        while clock::now_ms().saturating_sub(start) < ms {
            core::hint::spin_loop();
        }
    }

    fn reply(text: &str) -> CommandResponse {
        CommandResponse {
            response_type: "ephemeral".into(),
            text: text.into(),
            username: String::new(),
            icon_url: String::new(),
            type_: String::new(),
            props: String::new(),
            goto_location: String::new(),
            attachments: String::new(),
        }
    }

    fn http(status: u16, body: impl Into<Vec<u8>>) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), "text/plain; charset=utf-8".into())],
            body: body.into(),
        }
    }

    /// Minimal percent-decoding (`%XX`, and `+` as space in queries) for keys
    /// and prefixes.
    fn percent_decode(text: &str, plus_is_space: bool) -> String {
        fn hex(byte: u8) -> Option<u8> {
            (byte as char).to_digit(16).map(|digit| digit as u8)
        }
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let decoded = match bytes[i] {
                b'%' if i + 2 < bytes.len() => hex(bytes[i + 1])
                    .zip(hex(bytes[i + 2]))
                    .map(|(high, low)| high << 4 | low),
                _ => None,
            };
            match (decoded, bytes[i]) {
                (Some(byte), _) => {
                    out.push(byte);
                    i += 3;
                    continue;
                }
                (None, b'+') if plus_is_space => out.push(b' '),
                (None, other) => out.push(other),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    fn query_param(query: &str, name: &str) -> Option<String> {
        query.split('&').find_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key, true) == name).then(|| percent_decode(value, true))
        })
    }

    fn count_keys(prefix: &str) -> Result<u64, Error> {
        let mut count = 0u64;
        let mut cursor: Option<String> = None;
        loop {
            let page = kv::list_keys(prefix, cursor.as_deref(), 1000)?;
            count += page.keys.len() as u64;
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(count),
            }
        }
    }

    fn all_keys(prefix: &str) -> Result<Vec<String>, Error> {
        let mut keys = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = kv::list_keys(prefix, cursor.as_deref(), 1000)?;
            keys.extend(page.keys);
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => return Ok(keys),
            }
        }
    }

    fn fill(query: &str) -> Result<u64, Error> {
        let number = |name: &str| {
            query_param(query, name)
                .and_then(|n| n.parse::<u64>().ok())
                .ok_or_else(|| Error::InvalidInput(format!("{name}: a number")))
        };
        let prefix = query_param(query, "prefix").unwrap_or_default();
        let (count, size) = (number("count")?, number("size")?);
        let value = vec![0x5Au8; size as usize];
        for i in 0..count {
            kv::set(&format!("{prefix}{i}"), &value)?;
        }
        Ok(count)
    }

    fn get_many_bytes(prefix: &str) -> Result<u64, Error> {
        let keys = all_keys(prefix)?;
        let values = kv::get_many(&keys)?;
        Ok(values.iter().flatten().map(|v| v.len() as u64).sum())
    }

    fn hostile_headers() -> HttpResponse {
        let headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("X-Plugin-Header", "kept"),
            ("Set-Cookie", "MMAUTHTOKEN=stolen; Path=/"),
            ("Connection", "close"),
            ("Keep-Alive", "timeout=5"),
            ("Proxy-Authenticate", "Basic"),
            ("TE", "trailers"),
            ("Trailer", "X-Checksum"),
            ("Upgrade", "websocket"),
        ];
        HttpResponse {
            status: 200,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            body: b"headers".to_vec(),
        }
    }

    fn error_text(err: &Error) -> String {
        match err {
            Error::NotFound => "not found".into(),
            Error::PermissionDenied => "permission denied".into(),
            Error::Conflict => "conflict".into(),
            Error::InvalidInput(text) => format!("invalid input: {text}"),
            Error::Other(text) => format!("error: {text}"),
        }
    }

    impl Guest for SandboxGuest {
        fn activate() -> Result<(), Error> {
            install_panic_hook();
            commands::register(&commands::Command {
                trigger: "sandbox".into(),
                display_name: "Sandbox".into(),
                description: "Misbehaves on purpose to test the host sandbox.".into(),
                auto_complete: true,
                auto_complete_desc: "ok | loop | bomb | panic | sleep-ms <n>".into(),
                auto_complete_hint: "<what>".into(),
                autocomplete_data: String::new(),
            })
        }

        fn deactivate() {}

        fn configuration_changed(_config: String) -> Result<(), Error> {
            Ok(())
        }

        fn execute_command(args: CommandArgs) -> Result<CommandResponse, Error> {
            let mut words = args.command.split_whitespace().skip(1);
            match words.next() {
                Some("ok") => Ok(reply("ok")),
                Some("loop") => spin_forever(),
                Some("bomb") => memory_bomb(),
                Some("panic") => panic!("sandbox guest panicked on purpose"),
                Some("sleep-ms") => {
                    let ms = words
                        .next()
                        .and_then(|n| n.parse::<i64>().ok())
                        .ok_or_else(|| Error::InvalidInput("sleep-ms needs a number".into()))?;
                    busy_wait_ms(ms);
                    Ok(reply("slept"))
                }
                Some("job") => {
                    let key = words
                        .next()
                        .ok_or_else(|| Error::InvalidInput("job needs a key".into()))?;
                    let in_ms = words
                        .next()
                        .and_then(|n| n.parse::<i64>().ok())
                        .unwrap_or(0);
                    scheduler::schedule_once(key, clock::now_ms() + in_ms, "")?;
                    Ok(reply("scheduled"))
                }
                _ => Err(Error::InvalidInput("unknown".into())),
            }
        }

        /// "sandbox:loop" makes this hook spin until the deadline: posting
        /// must not wait for it.
        fn message_has_been_posted(post: Post) {
            if post.message == "sandbox:loop" {
                spin_forever();
            }
        }

        fn user_has_joined_channel(
            _channel_id: String,
            _user_id: String,
            _actor_id: Option<String>,
        ) {
        }

        fn serve_http(request: HttpRequest) -> HttpResponse {
            let method = request.method.to_ascii_uppercase();
            if let Some(raw_key) = request.path.strip_prefix("/kv/") {
                let key = percent_decode(raw_key, false);
                return match method.as_str() {
                    "PUT" => match kv::set(&key, &request.body) {
                        Ok(()) => http(200, "stored"),
                        Err(err) => http(500, error_text(&err)),
                    },
                    "GET" => match kv::get(&key) {
                        Ok(Some(value)) => http(200, value),
                        Ok(None) => http(404, "not found"),
                        Err(err) => http(500, error_text(&err)),
                    },
                    _ => http(404, "not found"),
                };
            }
            match (method.as_str(), request.path.as_str()) {
                ("GET", "/count") => {
                    let prefix = query_param(&request.query, "prefix").unwrap_or_default();
                    match count_keys(&prefix) {
                        Ok(count) => http(200, count.to_string()),
                        Err(err) => http(500, error_text(&err)),
                    }
                }
                ("GET", "/loop") => spin_forever(),
                ("GET", "/panic") => panic!("sandbox guest panicked on purpose"),
                ("POST", "/fill") => match fill(&request.query) {
                    Ok(count) => http(200, count.to_string()),
                    Err(err) => http(500, error_text(&err)),
                },
                ("GET", "/get-many") => {
                    let prefix = query_param(&request.query, "prefix").unwrap_or_default();
                    match get_many_bytes(&prefix) {
                        Ok(bytes) => http(200, bytes.to_string()),
                        Err(err) => http(500, error_text(&err)),
                    }
                }
                ("GET", "/headers") => hostile_headers(),
                _ => http(404, "not found"),
            }
        }

        fn post_action(request: ActionRequest) -> Result<ActionResponse, Error> {
            if request.context.contains("\"panic\"") {
                panic!("sandbox guest panicked on purpose in post-action");
            }
            Ok(ActionResponse {
                update: None,
                ephemeral_text: String::new(),
            })
        }

        fn dialog_submit(submission: DialogSubmission) -> Result<DialogResponse, Error> {
            if submission.callback_id == "panic" {
                panic!("sandbox guest panicked on purpose in dialog-submit");
            }
            Ok(DialogResponse {
                errors: Vec::new(),
                error: String::new(),
            })
        }

        /// Counts the run first (KV writes are not rolled back by a trap),
        /// then traps on the first run of a `trap-once/` job.
        fn scheduled_job(key: String, _payload: String) {
            let counter = format!("runs/{key}");
            let runs = kv::get(&counter)
                .ok()
                .flatten()
                .and_then(|v| String::from_utf8(v).ok())
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(0)
                + 1;
            let _ = kv::set(&counter, runs.to_string().as_bytes());
            if key.starts_with("trap-once/") && runs == 1 {
                panic!("sandbox job trapped on purpose");
            }
        }
    }
}
