//! Uploaded plugin bundles (`POST /api/v4/plugins`, a `.tar.gz`): the
//! unpacker and the manifest it leads to, as the plugin manager runs them
//! on an upload.
//!
//! Input: a plain tar stream (the target gzips it, so the fuzzer mutates
//! tar headers rather than deflate blocks). Besides not panicking: nothing
//! may be written outside the destination, and nothing but regular files
//! and directories may appear in it (no links, devices or fifos).

#![no_main]

use std::io::Write;
use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;
use host_shim::MATTERMOST_COMPAT_VERSION;
use host_shim::plugins::{Manifest, bundle_root, unpack_tar_gz};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut gz = GzEncoder::new(Vec::new(), Compression::fast());
    gz.write_all(data).expect("gzip in memory");
    let archive = gz.finish().expect("gzip in memory");

    let scratch = tempfile::tempdir().expect("a temporary directory");
    let dest = scratch.path().join("staging");
    let unpacked = unpack_tar_gz(&archive, &dest);

    // Whatever happened, nothing escaped: the scratch directory holds only
    // the destination.
    let beside: Vec<_> = std::fs::read_dir(scratch.path())
        .expect("read the scratch directory")
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        beside.iter().all(|name| name == "staging"),
        "the archive wrote outside its destination: {beside:?}"
    );
    check_only_files_and_dirs(&dest);

    if unpacked.is_ok()
        && let Ok(root) = bundle_root(&dest)
        && let Ok(text) = std::fs::read_to_string(root.join("manifest.json"))
    {
        let _ = Manifest::parse(&text, MATTERMOST_COMPAT_VERSION);
    }
});

fn check_only_files_and_dirs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let kind = entry.file_type().expect("file type");
        assert!(
            kind.is_file() || kind.is_dir(),
            "the archive created {} ({kind:?})",
            entry.path().display()
        );
        if kind.is_dir() {
            check_only_files_and_dirs(&entry.path());
        }
    }
}
