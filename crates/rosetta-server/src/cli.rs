//! The `rosetta` command line.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand};
use rosetta_auth::Auth;
use rosetta_model::{ApiKey, Meta, Native, Role, TenantAccess, TenantLevel, User, ROOT_TENANT};
use rosetta_store::{Actor, Db, StoreError};

use crate::app;
use crate::config::Config;

/// Rosetta: one gateway that speaks the REST dialects of Opsview, OpenNMS and openITCOCKPIT.
#[derive(Debug, Parser)]
#[command(name = "rosetta", version)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gateway.
    Serve(ServeArgs),
    /// Check a configuration file and list every problem in it.
    CheckConfig(ConfigArg),
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys (openITCOCKPIT `X-OITC-API` keys).
    #[command(subcommand)]
    Apikey(ApikeyCommand),
    /// Pull a live product's configuration (host groups, templates, hosts, services, contacts) into the
    /// store through its REST API; re-running updates instead of duplicating.
    Import(ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output.
    Man,
}

/// The configuration file option shared by every command.
#[derive(Debug, Clone, Args)]
pub struct ConfigArg {
    /// Configuration file.
    #[arg(long, short, default_value = "gateway.toml", env = "ROSETTA_CONFIG")]
    pub config: PathBuf,
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Configuration file.
    #[command(flatten)]
    pub config: ConfigArg,
    /// Listen on this address instead of the configured ones (repeatable).
    #[arg(long)]
    pub listen: Vec<String>,
}

/// How a command gets a password.
#[derive(Debug, Clone, Args)]
pub struct PasswordArg {
    /// The password (visible to other local users in the process list; prefer --password-stdin).
    #[arg(long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}

/// The product to import from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportSource {
    /// Opsview Monitor (`--username/--password` or `--username/--token`).
    Opsview,
    /// OpenNMS Horizon/Meridian (`--username/--password`).
    Opennms,
    /// openITCOCKPIT (`--apikey`).
    Openitcockpit,
}

/// Options of `import`.
#[derive(Debug, Clone, Args)]
pub struct ImportArgs {
    /// The product to import from.
    #[arg(long, value_enum)]
    pub from: ImportSource,
    /// The product's base URL (`https://opsview.example.com`, `http://opennms:8980`).
    #[arg(long)]
    pub url: String,
    /// Login name on the product.
    #[arg(long)]
    pub username: Option<String>,
    /// Password on the product (prefer --password-stdin).
    #[arg(long, conflicts_with = "password_stdin")]
    pub password: Option<String>,
    /// Read the product's password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
    /// A pre-issued Opsview session token.
    #[arg(long)]
    pub token: Option<String>,
    /// An openITCOCKPIT API key.
    #[arg(long)]
    pub apikey: Option<String>,
    /// Show what would change without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Keep syncing at this interval (`30s`, `5m`, `1h`).
    #[arg(long, value_parser = parse_interval)]
    pub watch: Option<std::time::Duration>,
    /// PEM file of CA certificates for an https product.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Configuration file.
    #[command(flatten)]
    pub config: ConfigArg,
}

/// Parses `30s`, `5m`, `1h` or a number of seconds.
pub fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|ch: char| !ch.is_ascii_digit()).unwrap_or(text.len()));
    let number: u64 = number.parse().map_err(|_| format!("`{text}` is not an interval like 30s, 5m or 1h"))?;
    let seconds = match unit {
        "" | "s" => number,
        "m" => number * 60,
        "h" => number * 3600,
        _ => return Err(format!("`{text}` is not an interval like 30s, 5m or 1h")),
    };
    if seconds == 0 {
        return Err("the interval must be longer than 0".to_owned());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// Runs `import`.
pub async fn import(args: ImportArgs) -> anyhow::Result<()> {
    let password = match (&args.password, args.password_stdin) {
        (Some(password), _) => Some(password.clone()),
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            Some(line.trim_end_matches(['\r', '\n']).to_owned())
        }
        (None, false) => None,
    };
    let options = rosetta_proxy::import::ImportOptions {
        from: match args.from {
            ImportSource::Opsview => rosetta_model::Product::Opsview,
            ImportSource::Opennms => rosetta_model::Product::Opennms,
            ImportSource::Openitcockpit => rosetta_model::Product::Openitcockpit,
        },
        url: args.url.clone(),
        username: args.username.clone(),
        password,
        token: args.token.clone(),
        apikey: args.apikey.clone(),
        dry_run: args.dry_run,
        watch: args.watch,
        ca_file: args.ca_file.clone(),
    };
    let opened = open(&args.config).await?;
    let mut bars = ImportBars::default();
    let summary = rosetta_proxy::import::run(&opened.db, &options, &mut |event| bars.show(event)).await?;
    println!("{}", summary.table());
    Ok(())
}

/// An import's progress on stderr: a bar per kind on a terminal, plain lines otherwise (logs, CI).
#[derive(Default)]
struct ImportBars {
    bar: Option<indicatif::ProgressBar>,
}

impl ImportBars {
    fn show(&mut self, event: rosetta_proxy::import::Progress<'_>) {
        use rosetta_proxy::import::Progress;
        match event {
            Progress::Started { kind, total } => {
                let style = indicatif::ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .progress_chars("=> ");
                let bar = indicatif::ProgressBar::new(total as u64).with_style(style).with_message(kind);
                if bar.is_hidden() {
                    eprintln!("{event}");
                }
                self.bar = Some(bar);
            }
            Progress::Advanced { done, .. } => {
                if let Some(bar) = &self.bar {
                    bar.set_position(done as u64);
                }
            }
            Progress::Finished { .. } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
                eprintln!("{event}");
            }
            Progress::Note(_) => match &self.bar {
                Some(bar) => bar.println(event.to_string()),
                None => eprintln!("{event}"),
            },
        }
    }
}

/// User commands.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add {
        /// Login name.
        name: String,
        /// The password.
        #[command(flatten)]
        password: PasswordArg,
        /// Role name (see `user list` for the roles in use).
        #[arg(long, default_value = "View all, change none")]
        role: String,
        /// Display name.
        #[arg(long, default_value = "")]
        fullname: String,
        /// E-mail address.
        #[arg(long, default_value = "")]
        email: String,
        /// Tenant the user may see (repeatable; default the root tenant, read only).
        #[arg(long)]
        tenant: Vec<i64>,
        /// Give write access to the tenants instead of read access.
        #[arg(long)]
        write: bool,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List users.
    List {
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Set a user's password.
    Passwd {
        /// Login name.
        name: String,
        /// The new password.
        #[command(flatten)]
        password: PasswordArg,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Disable a user: no credential of theirs works any more.
    Disable {
        /// Login name.
        name: String,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Enable a disabled user.
    Enable {
        /// Login name.
        name: String,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Give a user another role.
    Grant {
        /// Login name.
        name: String,
        /// Role name.
        #[arg(long)]
        role: String,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
}

/// API key commands.
#[derive(Debug, Subcommand)]
pub enum ApikeyCommand {
    /// Create a key; the key itself is the last line of standard output and is shown only once.
    Create {
        /// The user the key authenticates as.
        #[arg(long)]
        user: String,
        /// What the key is for.
        #[arg(long, default_value = "")]
        description: String,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// List keys (never the keys themselves, which are stored only as hashes).
    List {
        /// Only this user's keys.
        #[arg(long)]
        user: Option<String>,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Revoke a key by id.
    Revoke {
        /// Key id (see `apikey list`).
        id: i64,
        /// Configuration file.
        #[command(flatten)]
        config: ConfigArg,
    },
}

/// Loads and checks the configuration, printing every problem.
pub fn load(config: &ConfigArg) -> anyhow::Result<Config> {
    app::load_config(&config.config).map_err(|errors| {
        let listed: Vec<String> = errors.iter().map(|err| format!("  {err}")).collect();
        anyhow::anyhow!("{} has {} problem(s):\n{}", config.config.display(), errors.len(), listed.join("\n"))
    })
}

/// `check-config`: prints `ok` or every problem; the result is the exit status.
pub fn check_config(config: &ConfigArg) -> anyhow::Result<()> {
    load(config)?;
    println!("{}: ok", config.config.display());
    Ok(())
}

fn read_password(arg: &PasswordArg) -> anyhow::Result<String> {
    let password = match (&arg.password, arg.password_stdin) {
        (Some(password), _) => password.clone(),
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
        (None, false) => anyhow::bail!("give --password or --password-stdin"),
    };
    check_password_policy(&password)?;
    Ok(password)
}

/// The password policy for passwords set through the CLI.
pub fn check_password_policy(password: &str) -> anyhow::Result<()> {
    anyhow::ensure!(password.chars().count() >= 8, "the password must be at least 8 characters");
    anyhow::ensure!(password.chars().count() <= 1024, "the password must be at most 1024 characters");
    anyhow::ensure!(!password.chars().all(|ch| ch == password.chars().next().unwrap_or(' ')), "the password is too simple");
    Ok(())
}

struct Opened {
    db: Arc<Db>,
    auth: Arc<Auth>,
}

async fn open(config: &ConfigArg) -> anyhow::Result<Opened> {
    let config = load(config)?;
    let db = app::open_db(&config).await?;
    let auth = app::auth_service(Arc::clone(&db), &config)?;
    if let Some(first) = app::seed_if_empty(&db, &auth, &config, &app::builtin_dialects(&config)).await? {
        if let Some(password) = first.generated_password {
            eprintln!("Created user admin with the generated password: {password}");
        }
    }
    Ok(Opened { db, auth })
}

fn cli_actor() -> Actor {
    Actor::new(std::env::var("USER").unwrap_or_else(|_| "cli".to_owned()), "cli")
}

fn find_user(db: &Db, name: &str) -> anyhow::Result<Arc<User>> {
    db.find_by_name::<User>(name).ok_or_else(|| anyhow::anyhow!("no user named {name}"))
}

fn find_role(db: &Db, name: &str) -> anyhow::Result<Arc<Role>> {
    db.find_by_name::<Role>(name).ok_or_else(|| {
        let roles: Vec<String> = db.all::<Role>().iter().map(|role| role.name.clone()).collect();
        anyhow::anyhow!("no role named {name}; roles: {}", roles.join(", "))
    })
}

/// Runs a `user` command.
pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, password, role, fullname, email, tenant, write, config } => {
            let password = read_password(&password)?;
            let opened = open(&config).await?;
            anyhow::ensure!(opened.db.find_by_name::<User>(&name).is_none(), "a user named {name} exists already");
            anyhow::ensure!(!name.is_empty() && name.len() <= 128, "the login name must be 1 to 128 characters");
            let role = find_role(&opened.db, &role)?;
            let level = if write { TenantLevel::Write } else { TenantLevel::Read };
            let tenants = if tenant.is_empty() { vec![ROOT_TENANT] } else { tenant };
            let hash = opened.auth.hash_password(&password).map_err(|err| anyhow::anyhow!(err))?;
            let user = User {
                meta: Meta::new(0),
                login: name,
                fullname,
                email,
                role: role.meta.id,
                tenants: tenants.into_iter().map(|tenant| TenantAccess { tenant, level }).collect(),
                active: true,
                password_hash: Some(hash),
                native: Native::new(),
            };
            let user = opened.db.write(cli_actor(), |tx| Ok::<_, StoreError>(tx.insert(user))).await?;
            println!("created user {} (id {}) with role {}", user.login, user.meta.id, role.name);
        }
        UserCommand::List { config } => {
            let opened = open(&config).await?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "{:<6} {:<24} {:<28} {:<8} fullname", "id", "login", "role", "active")?;
            for user in opened.db.all::<User>() {
                let role = opened.db.get::<Role>(user.role).map(|role| role.name.clone()).unwrap_or_default();
                writeln!(out, "{:<6} {:<24} {:<28} {:<8} {}", user.meta.id, user.login, role, user.active, user.fullname)?;
            }
        }
        UserCommand::Passwd { name, password, config } => {
            let password = read_password(&password)?;
            let opened = open(&config).await?;
            let mut user = (*find_user(&opened.db, &name)?).clone();
            user.password_hash = Some(opened.auth.hash_password(&password).map_err(|err| anyhow::anyhow!(err))?);
            opened.db.write(cli_actor(), |tx| Ok::<_, StoreError>(tx.update(user))).await?;
            println!("password of {name} changed");
        }
        UserCommand::Disable { name, config } => set_active(&config, &name, false).await?,
        UserCommand::Enable { name, config } => set_active(&config, &name, true).await?,
        UserCommand::Grant { name, role, config } => {
            let opened = open(&config).await?;
            let role = find_role(&opened.db, &role)?;
            let mut user = (*find_user(&opened.db, &name)?).clone();
            user.role = role.meta.id;
            opened.db.write(cli_actor(), |tx| Ok::<_, StoreError>(tx.update(user))).await?;
            println!("{name} now has role {}", role.name);
        }
    }
    Ok(())
}

async fn set_active(config: &ConfigArg, name: &str, active: bool) -> anyhow::Result<()> {
    let opened = open(config).await?;
    let mut user = (*find_user(&opened.db, name)?).clone();
    user.active = active;
    opened.db.write(cli_actor(), |tx| Ok::<_, StoreError>(tx.update(user))).await?;
    println!("{name} is {}", if active { "enabled" } else { "disabled" });
    Ok(())
}

/// Runs an `apikey` command.
pub async fn apikey(command: ApikeyCommand) -> anyhow::Result<()> {
    match command {
        ApikeyCommand::Create { user, description, config } => {
            let opened = open(&config).await?;
            let owner = find_user(&opened.db, &user)?;
            let created = opened.auth.create_api_key(owner.meta.id, &description, cli_actor()).await?;
            println!("created API key {} for {user}; it is shown only once:", created.record.meta.id);
            println!("{}", created.key);
        }
        ApikeyCommand::List { user, config } => {
            let opened = open(&config).await?;
            let only = match &user {
                Some(name) => Some(find_user(&opened.db, name)?.meta.id),
                None => None,
            };
            let mut out = std::io::stdout().lock();
            writeln!(out, "{:<6} {:<24} {:<10} {:<26} description", "id", "user", "prefix", "last use (epoch ms)")?;
            for key in opened.db.all::<ApiKey>() {
                if only.is_some_and(|id| id != key.user) {
                    continue;
                }
                let login = opened.db.get::<User>(key.user).map(|user| user.login.clone()).unwrap_or_default();
                let last_use = key.last_use.map_or_else(|| "never".to_owned(), |time| time.millis().to_string());
                writeln!(out, "{:<6} {:<24} {:<10} {:<26} {}", key.meta.id, login, key.prefix, last_use, key.description)?;
            }
        }
        ApikeyCommand::Revoke { id, config } => {
            let opened = open(&config).await?;
            anyhow::ensure!(opened.auth.revoke_api_key(id, cli_actor()).await?, "no API key with id {id}");
            println!("API key {id} revoked");
        }
    }
    Ok(())
}

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) {
    let mut command = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut command, "rosetta", &mut std::io::stdout());
}

/// Prints the manual page, with a section per subcommand.
pub fn man() -> anyhow::Result<()> {
    let command = <Cli as clap::CommandFactory>::command();
    let mut out = std::io::stdout().lock();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands() {
        let name = format!("rosetta-{}", sub.get_name());
        let sub = sub.clone().name(name);
        clap_mangen::Man::new(sub).render(&mut out)?;
    }
    Ok(())
}
