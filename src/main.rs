//! The `yui` command: serve (the default), migrate, and admin tasks.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yui::config::Config;
use yui::server;

mod commands;

#[derive(Parser)]
#[command(
    name = "yui",
    version,
    about = "Yui: mutual-aid grocery deliveries for depopulating districts"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default). Address from YUI_BIND, database from DATABASE_URL.
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the Nara East demo (hubs, neighbourhoods, residents, volunteers, post trips,
    /// requests for the next open date) and print its accounts. Running it again adds nothing.
    SeedDemo,
    /// Solve a standard problem file (FILE, or - for stdin) and print the solution in VROOM's
    /// output shape. Exit code 2 when the file is outside the supported subset.
    Solve {
        /// vroom (JSON), solomon or cvrplib.
        #[arg(long, default_value = "vroom")]
        format: String,
        /// Seconds of search.
        #[arg(long, default_value_t = 2.0)]
        time_limit: f64,
        /// Independent searches side by side (one per core is best); the best plan wins.
        #[arg(long, default_value_t = 1)]
        threads: usize,
        /// The random seed: the same seed and iterations give the same answer.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        file: String,
    },
    /// Administrative tasks.
    Admin {
        #[command(subcommand)]
        task: AdminTask,
    },
}

#[derive(Subcommand)]
enum AdminTask {
    /// Create an account of any role; the password is read from YUI_PASSWORD or stdin.
    CreateUser {
        /// The account's email address.
        #[arg(long)]
        email: String,
        /// family, volunteer, carrier, hub_keeper, coordinator or admin.
        #[arg(long)]
        role: String,
        /// The name shown to others (defaults to the part of the email before @).
        #[arg(long)]
        display_name: Option<String>,
        /// ja or en.
        #[arg(long, default_value = "ja")]
        locale: String,
        /// The area the account works in; created with the defaults if there is none.
        #[arg(long)]
        area: Option<String>,
    },
}

async fn run(cli: Cli, config: Config) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await.map_err(|e| e.to_string()),
        Command::Solve { .. } => Ok(()),
        Command::SeedDemo => commands::seed_demo::run(&config).await,
        Command::Migrate => {
            server::prepare_database(&config)
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!("database {} is up to date", config.database.describe());
            Ok(())
        }
        Command::Admin {
            task:
                AdminTask::CreateUser {
                    email,
                    role,
                    display_name,
                    locale,
                    area,
                },
        } => commands::admin::create_user(&config, email, role, display_name, locale, area).await,
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Solve {
        format,
        time_limit,
        threads,
        seed,
        file,
    }) = &cli.command
    {
        return commands::solve::run(format, *time_limit, *threads, *seed, file);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("yui: {e}");
            return ExitCode::FAILURE;
        }
    };
    yui::telemetry::init(config.log_format);
    match run(cli, config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("yui: {e}");
            ExitCode::FAILURE
        }
    }
}
