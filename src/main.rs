//! The `yui` command: serve (the default), migrate, and admin tasks.

use std::io::BufRead;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use yui::config::Config;
use yui::server;
use yui::services::accounts::NewAccount;

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

fn read_password() -> Result<String, String> {
    if let Ok(password) = std::env::var("YUI_PASSWORD") {
        return Ok(password);
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| format!("cannot read the password from stdin: {e}"))?;
    let password = line.trim_end_matches(['\n', '\r']).to_owned();
    if password.is_empty() {
        return Err("no password: set YUI_PASSWORD or pipe the password on stdin".into());
    }
    Ok(password)
}

async fn run(cli: Cli, config: Config) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => server::serve(config).await.map_err(|e| e.to_string()),
        Command::SeedDemo => {
            let services = server::build_services(&config)
                .await
                .map_err(|e| e.to_string())?;
            let summary = yui::services::demo::seed(&services)
                .await
                .map_err(|e| e.to_string())?;
            use yui::services::demo;
            #[allow(clippy::print_stdout)]
            {
                println!(
                    "Demo area {} ({}): {} hubs, {} residents, {} volunteers, {} post trips, {} requests for {}.",
                    demo::AREA_NAME,
                    summary.area_id,
                    summary.hubs,
                    summary.residents,
                    summary.volunteers,
                    summary.post_trips,
                    summary.requests_for_date,
                    summary.delivery_date
                );
                println!("Sign in as:");
                println!(
                    "  coordinator  {}  {}",
                    demo::COORDINATOR_EMAIL,
                    demo::COORDINATOR_PASSWORD
                );
                println!(
                    "  family       {}  {}",
                    demo::FAMILY_EMAIL,
                    demo::FAMILY_PASSWORD
                );
                println!(
                    "  volunteers   volunteer1..8@nara-east.example.jp  {}",
                    demo::VOLUNTEER_PASSWORD
                );
            }
            Ok(())
        }
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
        } => {
            let password = read_password()?;
            let services = server::build_services(&config)
                .await
                .map_err(|e| e.to_string())?;
            let area_id = match area {
                Some(name) => Some(
                    services
                        .district
                        .area_named(&name)
                        .await
                        .map_err(|e| e.to_string())?
                        .id,
                ),
                None => None,
            };
            let display_name = display_name
                .unwrap_or_else(|| email.split('@').next().unwrap_or_default().to_owned());
            let user = services
                .accounts
                .create_by_staff(NewAccount {
                    email,
                    password,
                    display_name,
                    locale,
                    role,
                    area_id,
                })
                .await
                .map_err(|e| e.to_string())?;
            tracing::info!(user_id = %user.id, role = %user.role, "account created");
            #[allow(clippy::print_stdout)]
            {
                println!("created {} account {} ({})", user.role, user.id, user.email);
            }
            Ok(())
        }
    }
}

#[actix_web::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
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
