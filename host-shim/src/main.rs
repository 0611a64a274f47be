use clap::Parser;

fn main() -> anyhow::Result<()> {
    // Before the runtime starts any thread.
    release_large_allocations();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(serve())
}

async fn serve() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    host_shim::cli::run(host_shim::cli::Cli::parse()).await
}

/// Makes glibc return large freed blocks to the system at once.
///
/// Every password check allocates Argon2's 19 MiB of memory and frees it.
/// glibc's default raises its mmap threshold after the first such free, so
/// later blocks come from per-thread heaps that are never trimmed: measured
/// on the release server, RSS grew by 19 MiB with every login (72 MiB to
/// 248 MiB after twelve). A fixed threshold keeps blocks of 1 MiB and more
/// in their own mappings, unmapped when freed, so memory stays flat
/// (66 MiB after the same twelve). See decision 015.
fn release_large_allocations() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only changes allocator tuning; it is called before
        // any other thread exists.
        let ok = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20) };
        if ok != 1 {
            eprintln!("warning: could not set the allocator's mmap threshold");
        }
    }
}
