//! A throwaway PostgreSQL server for tests: started from the machine's own binaries (`initdb`,
//! `pg_ctl`) in a temporary directory, listening on 127.0.0.1 and a free port, with trust
//! authentication for the `postgres` user. Running as root, the server runs as the `postgres`
//! system user (PostgreSQL refuses to run as root).
//!
//! Start one per test binary with [`TempPostgres::shared`] and give each test its own database
//! ([`TempPostgres::create_database`]): starting a server takes a second or two, a database a
//! few milliseconds.
//!
//! ```no_run
//! let pg = payout_testkit::postgres::TempPostgres::shared();
//! let url = pg.create_database("my_test").unwrap();
//! assert!(url.starts_with("postgres://postgres@127.0.0.1:"));
//! ```
//!
//! The binaries are looked up in `PAYOUT_PG_BINDIR` when set, then
//! `/usr/lib/postgresql/*/bin` (the newest version), then `pg_config --bindir`, then `PATH`.
//! A server is stopped when its [`TempPostgres`] is dropped, and in any case when the test
//! process exits (a watchdog stops it), so none outlives its tests.

use std::io;
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// A running throwaway PostgreSQL server.
#[derive(Debug)]
pub struct TempPostgres {
    dir: PathBuf,
    bindir: PathBuf,
    port: u16,
    as_postgres_user: bool,
}

/// How to start a [`TempPostgres`].
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep `fsync` on (durable commits, as in production). Off by default: tests do not crash
    /// the server, and commits are much faster without it.
    pub durable: bool,
    /// `max_connections` (default 200, for tests that run many processes at once).
    pub max_connections: Option<u32>,
}

fn is_root() -> bool {
    // The effective uid, without unsafe code or a libc dependency.
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

/// Where `initdb` and `pg_ctl` are.
pub fn bindir() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("PAYOUT_PG_BINDIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if dir.join("initdb").exists() {
            return Ok(dir);
        }
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .find(|d| d.join("initdb").exists() && d.join("pg_ctl").exists());
    on_path.ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::NotFound,
            "PostgreSQL's initdb and pg_ctl were not found (install the server, e.g. `apt-get install postgresql-15`, \
             or set PAYOUT_PG_BINDIR)",
        )
    })
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl TempPostgres {
    /// Starts a server with the default [`Options`].
    pub fn start() -> io::Result<Self> {
        Self::start_with(&Options::default())
    }

    /// The server this test binary shares, started on first use. Panics (failing the test that
    /// asked) when no server can be started.
    pub fn shared() -> &'static TempPostgres {
        static SHARED: OnceLock<TempPostgres> = OnceLock::new();
        SHARED.get_or_init(|| {
            TempPostgres::start().unwrap_or_else(|e| panic!("cannot start PostgreSQL for the tests: {e}"))
        })
    }

    /// Starts a server with `options`.
    pub fn start_with(options: &Options) -> io::Result<Self> {
        let bindir = bindir()?;
        let as_postgres_user = is_root();
        let dir = std::env::temp_dir().join(format!(
            "payout-pg-{}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_micros()).unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir)?;
        if as_postgres_user {
            run(Command::new("chown").arg("-R").arg("postgres:postgres").arg(&dir))?;
        }
        let data = dir.join("data");
        let mut server = Self { dir, bindir, port: 0, as_postgres_user };
        server.pg(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "--auth=trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        )?;
        let mut last = None;
        for _ in 0..5 {
            let port = free_port()?;
            let mut settings = format!(
                "-p {port} -c listen_addresses=127.0.0.1 -k {} -c max_connections={}",
                server.dir.display(),
                options.max_connections.unwrap_or(200)
            );
            if !options.durable {
                settings.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
            }
            let log = server.dir.join("server.log");
            let started = server.pg(
                "pg_ctl",
                &[
                    "-D".as_ref(),
                    data.as_os_str(),
                    "-o".as_ref(),
                    settings.as_ref(),
                    "-l".as_ref(),
                    log.as_os_str(),
                    "-w".as_ref(),
                    "-t".as_ref(),
                    "60".as_ref(),
                    "start".as_ref(),
                ],
            );
            match started {
                Ok(()) => {
                    server.port = port;
                    server.watchdog()?;
                    return Ok(server);
                }
                Err(e) => last = Some(e), // most likely the port was taken meanwhile
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("PostgreSQL did not start")))
    }

    /// Runs one of the server's programs, as the `postgres` user when we are root.
    fn pg(&self, program: &str, args: &[&std::ffi::OsStr]) -> io::Result<()> {
        let exe = self.bindir.join(program);
        let mut cmd = if self.as_postgres_user {
            let mut c = Command::new("runuser");
            c.arg("-u").arg("postgres").arg("--").arg(&exe);
            c
        } else {
            Command::new(&exe)
        };
        cmd.args(args).current_dir(&self.dir);
        run(&mut cmd)
    }

    /// Stops the server when this process ends, however it ends (a test binary's statics are
    /// never dropped).
    fn watchdog(&self) -> io::Result<()> {
        let stop = self.stop_command();
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            dir = self.dir.display()
        );
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        Ok(())
    }

    fn stop_command(&self) -> String {
        let pg_ctl = self.bindir.join("pg_ctl");
        let data = self.dir.join("data");
        let base = format!("'{}' -D '{}' -m immediate -w stop", pg_ctl.display(), data.display());
        if self.as_postgres_user { format!("runuser -u postgres -- {base}") } else { base }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Where it keeps its data and log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The URL of database `db` on this server, as the `postgres` user.
    pub fn url_of(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    /// The URL of the default `postgres` database.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// Creates database `name` (letters, digits and `_` only; made unique with a counter) and
    /// gives its URL.
    pub fn create_database(&self, name: &str) -> io::Result<String> {
        let clean: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .take(40)
            .collect();
        let db = format!("{clean}_{}", SEQ.fetch_add(1, Ordering::Relaxed));
        let psql = self.bindir.join("psql");
        run(Command::new(psql)
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres"])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-c")
            .arg(format!("CREATE DATABASE \"{db}\"")))?;
        Ok(self.url_of(&db))
    }
}

fn run(cmd: &mut Command) -> io::Result<()> {
    let out = cmd.stdin(Stdio::null()).output()?;
    if out.status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "{:?} failed ({}): {}{}",
            cmd.get_program(),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        )))
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = Command::new("sh").arg("-c").arg(self.stop_command()).output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
