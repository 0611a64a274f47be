//! Mattermost-style ids: 16 random bytes written as 26 lowercase base32
//! characters.
//!
//! The plugin has no randomness of its own (no WASI, no `getrandom`): the
//! bytes come from the host's `random` interface through [`Host`], so this
//! module only does the encoding. The alphabet and bit order are
//! Mattermost's (`model.NewId`), so ids minted here are indistinguishable
//! from the server's and survive any client that checks their shape.

use crate::host::{Host, HostError, HostResult};

/// Length of every id.
pub const ID_LEN: usize = 26;

/// Mattermost's base32 alphabet: no `0`, `2`, `l` or `v`, so ids never look
/// like numbers and avoid easily confused glyphs.
const ALPHABET: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// Encodes 16 random bytes as an id: base32 with [`ALPHABET`], most
/// significant bit first, the last 3 bits padded with zeros, no `=` padding.
pub fn new_id(random: &[u8; 16]) -> String {
    let mut out = String::with_capacity(ID_LEN);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in random {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
        // Only the `bits` low bits are still pending; dropping the rest keeps
        // the shift above from overflowing.
        buffer &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// True for strings shaped like ids: 26 lowercase ASCII letters or digits.
///
/// Deliberately the same test as the server's store (`chat-store`'s
/// `is_valid_id`), not the stricter "only the 32 alphabet characters": what
/// matters is that the plugin and the server agree on what an id is.
/// Mattermost itself accepts any 26 letters or digits.
pub fn is_valid_id(id: &str) -> bool {
    id.len() == ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// A fresh id from the host's randomness.
///
/// Fails if the host hands back fewer than 16 bytes: padding them would
/// silently mint low-entropy, colliding ids.
pub fn new_id_from_host<H: Host + ?Sized>(host: &H) -> HostResult<String> {
    id_from_bytes(&host.random_bytes(16))
}

fn id_from_bytes(bytes: &[u8]) -> HostResult<String> {
    let random: [u8; 16] = bytes
        .get(..16)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            HostError::Other(format!(
                "host returned {} random bytes, 16 needed",
                bytes.len()
            ))
        })?;
    Ok(new_id(&random))
}

/// Adapts [`new_id_from_host`] to APIs that take an infallible
/// `FnMut() -> String` (such as
/// [`import_playbook`](super::export::import_playbook)), remembering the
/// first host failure instead of panicking.
///
/// ```ignore
/// let mut ids = HostIds::new(host);
/// let playbook = import_playbook(&json, team, user, || ids.next_id());
/// ids.finish()?; // must be checked before `playbook` is stored
/// ```
pub struct HostIds<'a, H: Host + ?Sized> {
    host: &'a H,
    error: Option<HostError>,
}

impl<'a, H: Host + ?Sized> HostIds<'a, H> {
    pub fn new(host: &'a H) -> Self {
        HostIds { host, error: None }
    }

    /// A fresh id, or `""` once the host has failed (see [`Self::finish`]).
    pub fn next_id(&mut self) -> String {
        if self.error.is_some() {
            return String::new();
        }
        match new_id_from_host(self.host) {
            Ok(id) => id,
            Err(e) => {
                self.error = Some(e);
                String::new()
            }
        }
    }

    /// The first failure, if any: the ids handed out are unusable then.
    pub fn finish(self) -> HostResult<()> {
        self.error.map_or(Ok(()), Err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeHost;

    // Vectors computed with RFC 4648 base32 translated to the Mattermost
    // alphabet, i.e. exactly what Go's `model.NewId` encoding produces.
    #[test]
    fn encodes_like_mattermost() {
        assert_eq!(new_id(&[0; 16]), "yyyyyyyyyyyyyyyyyyyyyyyyyy");
        assert_eq!(new_id(&[0xff; 16]), "9999999999999999999999999h");
        let bytes: [u8; 16] = [
            0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd,
            0xee, 0xff,
        ];
        assert_eq!(new_id(&bytes), "yye1rc4rkiu8xnr3ik7h3zxq9h");
    }

    #[test]
    fn ids_are_valid_ids() {
        for seed in 0..=255u8 {
            let id = new_id(&[seed; 16]);
            assert_eq!(id.len(), ID_LEN);
            assert!(is_valid_id(&id), "{id}");
        }
    }

    #[test]
    fn validity() {
        assert!(is_valid_id("yye1rc4rkiu8xnr3ik7h3zxq9h"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("c1"));
        assert!(!is_valid_id("yye1rc4rkiu8xnr3ik7h3zxq9")); // 25
        assert!(!is_valid_id("yye1rc4rkiu8xnr3ik7h3zxq9hh")); // 27
        assert!(!is_valid_id("YYE1RC4RKIU8XNR3IK7H3ZXQ9H"));
        assert!(!is_valid_id("yye1rc4rkiu8xnr3ik7h3zxq-h"));
        // 26 bytes, but not ASCII.
        assert!(!is_valid_id("yye1rc4rkiu8xnr3ik7h3zxqé"));
    }

    #[test]
    fn from_host() {
        // FakeHost's "random" bytes are 1, 2, …, 16.
        let host = FakeHost::with_basics();
        assert_eq!(
            new_id_from_host(&host).as_deref(),
            Ok("yrbygbyfyadoonekbcgy4doxny")
        );
        let mut ids = HostIds::new(&host);
        assert_eq!(ids.next_id(), "yrbygbyfyadoonekbcgy4doxny");
        assert_eq!(ids.finish(), Ok(()));
    }

    #[test]
    fn short_randomness_is_an_error() {
        assert!(matches!(id_from_bytes(&[7; 15]), Err(HostError::Other(_))));
        assert!(id_from_bytes(&[]).is_err());
        // Extra bytes are ignored rather than refused.
        assert_eq!(
            id_from_bytes(&[0; 20]).as_deref(),
            Ok("yyyyyyyyyyyyyyyyyyyyyyyyyy")
        );
    }
}
